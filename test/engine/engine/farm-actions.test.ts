// The detail page's actions on the farm topology, against a real engine with its background
// farm on the embedded management cluster: `x` takes one cluster's API down (its farm port
// refuses connections) and up again (it answers with TLS), `X` slows it, the page's describe
// shows what is in force; and `r` retries the one failed cluster on screen, leaving another
// failed cluster failed (the engine's resume limited to the given names).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../../src/engine/engine.js';
import { clusterDetailActions } from '../../../src/engine/describe/actions.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { createScaleStore, type ScaleStore, upsertCluster } from '../../../src/state/store.js';
import { tearDownFarmEngine } from '../../support/farm-engine.js';
import { worldForSuite } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';
import { tlsRefused } from '../../support/probes.js';

const world = worldForSuite();

const COUNT = 3;

/** Polls until `pred` holds or 10 s pass (then the assertion after it reports the state). */
async function waitFor(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('farm topology: detail page actions', () => {
  it('x takes one cluster API down and up, X slows it, describe shows it; r retries only that failed cluster', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'engine-farm-actions-'));
    const basePort = await freePortBlock(COUNT);
    const farmBase = await freePortBlock(COUNT * 2);
    let store = createScaleStore();
    const options = (s: ScaleStore): EngineOptions => ({
      config: configSchema.parse({
        topology: 'farm',
        batch: { concurrency: 3 },
        naming: { prefix: 'tfact' },
        farm: { basePort: farmBase, capacity: COUNT },
      }),
      store: s,
      management: { kubeconfigYaml: world().management.kubeconfigYaml },
      managementEtcd: world().management.etcd,
      stateDir,
      reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
      timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
    });
    let engine: Engine | undefined;
    try {
      engine = await createEngine(options(store));
      const summary = await engine.addBatch({ count: COUNT });
      expect(summary.failures).toEqual([]);
      const names = Object.keys(store.getState().clusters).sort();
      expect(names).toHaveLength(COUNT);
      const [a, b, c] = names as [string, string, string];

      const mgmt = KubeClient.from({ kubeconfigYaml: world().management.kubeconfigYaml });
      const portOf = async (name: string): Promise<number> => {
        const rec = store.getState().clusters[name]!;
        const cl = await mgmt.get('cluster.x-k8s.io/v1beta2', 'Cluster', name, rec.namespace);
        const port = (cl?.spec as { controlPlaneEndpoint?: { port: number } } | undefined)?.controlPlaneEndpoint?.port;
        expect(port, `${name}: Cluster.spec.controlPlaneEndpoint.port`).toBeTypeOf('number');
        return port ?? 0;
      };
      const portA = await portOf(a);
      const portB = await portOf(b);
      expect(await tlsRefused('127.0.0.1', portA)).toBe(false);

      const actions = clusterDetailActions(mgmt, engine, { farm: true });
      expect(actions.faults).toEqual(['api-down', 'api-slow']);
      // x: down. Only a's port refuses; b still answers.
      expect(await actions.fault!('api-down', a)).toContain('API down');
      expect(await engine.farmFault(a)).toMatchObject({ down: true });
      expect(await tlsRefused('127.0.0.1', portA)).toBe(true);
      expect(await tlsRefused('127.0.0.1', portB)).toBe(false);
      const shown = await actions.describe(a, store.getState().clusters[a]!.namespace);
      expect(shown.farmFault).toBe('API down (connections refused)');
      // x again: up, the same port answers again.
      expect(await actions.fault!('api-down', a)).toContain('none');
      expect(await tlsRefused('127.0.0.1', portA)).toBe(false);
      // X: latency on, kept when the API goes down, and off again with a second X.
      await actions.fault!('api-slow', a);
      expect(await engine.farmFault(a)).toMatchObject({ latencyMs: 200 });
      await engine.farmFault(a, 'api-down');
      expect(await engine.farmFault(a)).toMatchObject({ down: true, latencyMs: 200 });
      expect(await engine.farmFault(a, 'clear')).toEqual({});
      expect(await tlsRefused('127.0.0.1', portA)).toBe(false);
      expect((await actions.describe(b, store.getState().clusters[b]!.namespace)).farmFault).toBe('none');

      // Two clusters failed at their last step (no `ready` yet), as a session that saw them
      // fail holds them in its store; a fresh engine on the same state dir (the farm comes
      // back from its state) is handed that store. Retrying b must leave c failed.
      await engine.shutdown();
      const t = Date.now();
      const failedStore = createScaleStore();
      for (const rec of Object.values(store.getState().clusters)) {
        if (rec.name === a) {
          upsertCluster(failedStore, rec);
          continue;
        }
        const { ready: _ready, ...before } = rec.transitions;
        upsertCluster(failedStore, {
          ...rec,
          phase: 'failed',
          transitions: { ...before, failed: t },
          failure: { step: 'wait-ready', reason: 'test: injected failure', at: t },
        });
      }
      store = failedStore;
      engine = await createEngine(options(store));
      const retryActions = clusterDetailActions(mgmt, engine, { farm: true });
      const note = await retryActions.retry(b);
      expect(note).toBe(`retried ${b}: ready`);
      // Phase changes reach the store in one write per tick (src/state/store.ts batcher).
      await waitFor(() => store.getState().clusters[b]!.phase === 'ready');
      expect(store.getState().clusters[b]!.phase).toBe('ready');
      expect(store.getState().clusters[c]!.phase).toBe('failed');
      expect(store.getState().clusters[c]!.failure?.reason).toBe('test: injected failure');
      expect(store.getState().clusters[a]!.phase).toBe('ready');

      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
    } finally {
      await tearDownFarmEngine(engine, stateDir);
    }
  }, 180_000);
});
