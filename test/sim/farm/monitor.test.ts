// The farm row: readFarm reads a live farm's control API into the store's shape, and the
// backing pane shows one line per farm (clusters of capacity, down listeners, p99, port-forward).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveFarm, type FarmHandle } from '../../../src/engine/topology/farm-serve.js';
import { readFarm, monitorFarms } from '../../../src/engine/topology/farm-monitor.js';
import { createScaleStore } from '../../../src/state/store.js';
import { farmRows } from '../../../src/ui/views/farm.js';
import { lineText } from '../../../src/ui/model/text.js';
import { freePortBlock } from '../../support/ports.js';

describe('farm monitor and row', () => {
  let dir: string;
  let h: FarmHandle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-mon-'));
    h = await serveFarm({
      stateDir: join(dir, 'farm'),
      host: '127.0.0.1',
      basePort: await freePortBlock(4),
      controlPort: 0,
      capacity: 10,
      metricsIntervalMs: 100,
    });
    await h.farm.register({ cluster: 'a', namespace: 'a' });
    await h.farm.register({ cluster: 'b', namespace: 'b' });
    await h.farm.setFault('b', 'b', { down: true });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads clusters, capacity and faults; an unreachable farm is a row saying so', async () => {
    const v = await readFarm({ name: 'local', url: h.controlUrl });
    expect(v).toMatchObject({ reachable: true, clusters: 2, capacity: 10, down: 1, faulted: 1 });
    const gone = await readFarm({ name: 'gone', url: 'http://127.0.0.1:1' }, 1000);
    expect(gone.reachable).toBe(false);
    const store = createScaleStore();
    const stop = monitorFarms(store, [{ name: 'local', url: h.controlUrl }], 50);
    for (let i = 0; i < 100 && !store.getState().farms?.local; i++) await new Promise((r) => setTimeout(r, 20));
    stop();
    const rows = farmRows(store.getState()).map(lineText);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('farm local');
    expect(rows[0]).toContain('2/10 clusters');
    expect(rows[0]).toContain('1 down');
    expect(rows[0]).not.toContain('restarted');
    // A local farm the engine restarted says so in its row.
    const restarted = await readFarm({ name: 'local', url: h.controlUrl, restarts: () => 2 });
    expect(farmRows({ farms: { local: restarted } }).map(lineText)[0]).toContain('restarted 2x');
  });

  it('journals a metrics window per interval in metrics.jsonl beside the state', async () => {
    await new Promise((r) => setTimeout(r, 350));
    const lines = readFileSync(join(dir, 'farm', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const ev = JSON.parse(lines.at(-1)!) as { type: string; clusters: number; p99Ms: number };
    expect(ev.type).toBe('farm-metrics');
    expect(typeof ev.p99Ms).toBe('number');
  });
});
