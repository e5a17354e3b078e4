// For every topology: create 20 clusters, kill the engine mid-batch, resume with a fresh
// engine on the same state dir, delete all, and prove nothing is left (objects, namespaces,
// etcd tenants, forwarders).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import { createScaleStore, type ScaleStore } from '../../../src/state/store.js';
import type { Topology } from '../../../src/core/types.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { startWorld, type World } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';
import { storeReaches } from '../../support/probes.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ backing: 2 });
}, 60_000);
afterAll(async () => {
  await world?.stop();
}, 120_000);

const COUNT = 20;
// Names of this run only: against SCALE_TUI_TEST_KUBECONFIG the management cluster is shared
// with other suites (and earlier runs), so counts and leftovers look at this run's names.
const RUN = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const prefixOf = (topology: Topology): string => `t${topology.slice(0, 3)}${RUN}`;

function options(topology: Topology, stateDir: string, store: ScaleStore, basePort: number): EngineOptions {
  return {
    config: configSchema.parse({
      topology,
      batch: { concurrency: 10 },
      sharded: { shards: 3 },
      naming: { prefix: prefixOf(topology) },
    }),
    store,
    management: { kubeconfigYaml: world.management.kubeconfigYaml },
    managementEtcd: world.management.etcd,
    backing: world.backing.map((b) => ({
      name: b.name,
      target: { kubeconfigYaml: b.kubeconfigYaml },
      capacity: 15,
      etcd: b.etcd,
    })),
    stateDir,
    reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
    timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
  };
}

/** This run's objects: named, or in a namespace named, with the topology's prefix. */
function ofRun(o: KubeObject, prefix: string | undefined): boolean {
  if (prefix === undefined) return true;
  const name = o.metadata.namespace ?? o.metadata.name ?? '';
  return name.startsWith(`${prefix}-`);
}

async function leftovers(yaml: string, prefix?: string): Promise<string[]> {
  const c = KubeClient.from({ kubeconfigYaml: yaml });
  const out: string[] = [];
  const kinds: Array<[string, string]> = [
    ['v1', 'Namespace'],
    ['v1', 'Secret'],
    ['v1', 'Service'],
    ['apps/v1', 'Deployment'],
  ];
  for (const [v, k] of kinds)
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      if (ofRun(o, prefix)) out.push(`${k}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  return out;
}

async function capiLeftovers(yaml: string, prefix: string): Promise<string[]> {
  const c = KubeClient.from({ kubeconfigYaml: yaml });
  const out: string[] = [];
  for (const [v, k] of [
    ['cluster.x-k8s.io/v1beta2', 'Cluster'],
    ['cluster.x-k8s.io/v1beta2', 'Machine'],
    ['metal3.io/v1alpha1', 'BareMetalHost'],
  ] as const) {
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      if (ofRun(o, prefix)) out.push(`${k}/${o.metadata.namespace}/${o.metadata.name}`);
  }
  return out;
}

describe.each(['dedicated', 'backing', 'shared', 'sharded'] as const)('topology %s', (topology) => {
  it(`creates ${COUNT}, survives a kill mid-batch, resumes, deletes all, leaves nothing`, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), `engine-${topology}-`));
    const basePort = await freePortBlock(COUNT);
    let engine: Engine | undefined;
    try {
      // 1. First engine: killed once some clusters are mid-way and others not started.
      const store1 = createScaleStore();
      engine = await createEngine(options(topology, stateDir, store1, basePort));
      const first = engine.addBatch({ count: COUNT }).catch((e: Error) => e);
      await storeReaches(
        store1,
        () => Object.values(store1.getState().clusters).filter((c) => c.transitions.machine !== undefined).length >= 4,
      );
      await engine.abort();
      expect(await first).toBeInstanceOf(Error);
      const phases1 = Object.values(store1.getState().clusters).map((c) => c.phase);
      expect(phases1.filter((p) => p === 'ready').length).toBeLessThan(COUNT);

      // 2. A fresh engine on the same state dir finishes the batch: no duplicates.
      const store2 = createScaleStore();
      engine = await createEngine(options(topology, stateDir, store2, basePort));
      const summary = await engine.resumeRun();
      expect(summary.failures).toEqual([]);
      const clusters = Object.values(store2.getState().clusters);
      expect(clusters).toHaveLength(COUNT);
      expect(clusters.every((c) => c.phase === 'ready')).toBe(true);
      expect(new Set(clusters.map((c) => c.number)).size).toBe(COUNT);
      if (topology === 'backing') {
        const per = clusters.reduce<Record<string, number>>((m, c) => {
          m[c.placement!] = (m[c.placement!] ?? 0) + 1;
          return m;
        }, {});
        expect(Object.values(per).every((n) => n <= 15)).toBe(true);
      }
      const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
      const prefix = prefixOf(topology);
      const listed = await mgmt.list('cluster.x-k8s.io/v1beta2', 'Cluster', { labelSelector: MANAGED_SELECTOR });
      expect(listed.filter((o) => ofRun(o, prefix))).toHaveLength(COUNT);

      // 3. Delete all: nothing left anywhere.
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      expect(del.deleted).toHaveLength(COUNT);
      expect(await leftovers(world.management.kubeconfigYaml, prefix)).toEqual([]);
      expect(await capiLeftovers(world.management.kubeconfigYaml, prefix)).toEqual([]);
      for (const b of world.backing) expect(await leftovers(b.kubeconfigYaml)).toEqual([]);
      expect((await world.management.etcd.status()).tenants).toEqual([]);
      for (const b of world.backing) expect((await b.etcd.status()).tenants).toEqual([]);
      const st = await engine.status();
      expect(st.clusters).toEqual([]);
      expect(st.forwarders).toBe(0);
    } finally {
      // After a failure, clean up what this attempt made, so a retry or the next topology
      // (they share one world) does not count its leftovers.
      if (engine && Object.keys((await engine.status().catch(() => ({ clusters: [] }))).clusters).length)
        await engine.deleteClusters({ kind: 'all' }).catch(() => undefined);
      await engine?.shutdown();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 300_000);
});
