import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { createScaleStore } from '../../../src/state/store.js';
import { startWorld, type World } from '../../support/fake-controllers.js';

let world: World;
let stateDir: string;
beforeAll(async () => {
  world = await startWorld();
  stateDir = mkdtempSync(join(tmpdir(), 'engine-'));
}, 60_000);
afterAll(async () => {
  await world?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('engine, dedicated topology', () => {
  it('creates clusters to ready and deletes them', async () => {
    const config = configSchema.parse({ topology: 'dedicated', batch: { concurrency: 5 } });
    const store = createScaleStore();
    const basePort = 20000 + Math.floor(Math.random() * 20000);
    const engine = await createEngine({
      config,
      store,
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      managementEtcd: world.management.etcd,
      stateDir,
      reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
      timeouts: { controllerMs: 60_000, apiMs: 30_000, deleteMs: 60_000 },
    });
    try {
      const summary = await engine.addBatch({ count: 3 });
      const fails = summary.failures;
      expect(fails).toEqual([]);
      expect(summary.ready).toBe(3);
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      const st = await engine.status();
      expect(st.namespaces.management).toEqual([]);
      expect((await world.management.etcd.status()).tenants).toEqual([]);
    } finally {
      await engine.shutdown();
    }
  }, 120_000);
});
