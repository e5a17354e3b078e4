// The farm topology with remote farms (`scale-tui farm add`, here addFarm on the same
// state dir): two farms of different capacity, each a farm with its control API as
// `scale-tui farm serve` runs it. The engine starts no farm of its own, places clusters by
// free capacity (so both fill exactly), refuses a cluster once all are full, and delete
// removes every cluster from the farm that served it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { LABEL_CLUSTER, MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import { createScaleStore } from '../../../src/state/store.js';
import { FarmClient } from '../../../src/engine/topology/farm.js';
import { addFarm } from '../../../src/engine/topology/farm-registry.js';
import { serveFarm, type FarmHandle } from '../../../src/engine/topology/farm-serve.js';
import { worldForSuite } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';

const world = worldForSuite();

describe('topology farm, remote farms', () => {
  it('places clusters across two farms by capacity, refuses when all are full, deletes from each', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'engine-farm-remote-'));
    const farms: FarmHandle[] = [];
    let engine: Engine | undefined;
    try {
      const caps = { 'farm-a': 2, 'farm-b': 3 } as const;
      for (const [name, capacity] of Object.entries(caps)) {
        const h = await serveFarm({
          stateDir: join(stateDir, `remote-${name}`),
          host: '127.0.0.1',
          basePort: await freePortBlock(capacity * 2),
          controlPort: 0,
          capacity,
        });
        farms.push(h);
        await addFarm(stateDir, { name, url: h.controlUrl, token: h.token });
      }
      const store = createScaleStore();
      engine = await createEngine({
        config: configSchema.parse({ topology: 'farm', batch: { concurrency: 5 }, naming: { prefix: 'tfrm' } }),
        store,
        management: { kubeconfigYaml: world().management.kubeconfigYaml },
        managementEtcd: world().management.etcd,
        stateDir,
        reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(10) },
        timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
      });
      const summary = await engine.addBatch({ count: 5 });
      expect(summary.failures).toEqual([]);
      expect(summary.ready).toBe(5);
      const per: Record<string, number> = {};
      for (const c of Object.values(store.getState().clusters)) per[c.placement!] = (per[c.placement!] ?? 0) + 1;
      expect(per).toEqual({ 'farm-a': 2, 'farm-b': 3 });
      // Each farm serves exactly the clusters placed on it.
      for (const h of farms) {
        const name = h === farms[0] ? 'farm-a' : 'farm-b';
        const cap = await new FarmClient({ name, url: h.controlUrl, token: h.token }).capacity();
        expect(cap.used).toBe(per[name]);
      }
      await expect(engine.addBatch({ count: 1 })).rejects.toThrow(/room|capacity/i);

      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      expect(del.deleted).toHaveLength(5);
      for (const h of farms) expect(h.farm.size).toBe(0);
      const mgmt = KubeClient.from({ kubeconfigYaml: world().management.kubeconfigYaml });
      expect(await mgmt.list('v1', 'Namespace', { labelSelector: `${MANAGED_SELECTOR},${LABEL_CLUSTER}` })).toEqual([]);
    } finally {
      await engine?.shutdown();
      for (const h of farms) await h.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});
