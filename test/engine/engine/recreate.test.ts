// One engine, the way a TUI session uses it, for every topology but farm (farm-recreate.test.ts
// has its own): create a cluster, `delete --all`, create again with the same engine, delete
// --all again. `delete --all` ends in the topology's teardown, which removes what its set-up
// made (shard namespaces and KCP Deployments, the shared API); a set-up that ran only at the
// engine's start left the second batch without them. The second cluster must reach ready and
// its API must answer through the kubeconfig CAPI uses; the last delete leaves nothing of
// this run behind (objects, shard Deployments, the main KCP's args, etcd tenants).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { createScaleStore } from '../../../src/state/store.js';
import type { Topology } from '../../../src/core/types.js';
import {
  KCP_DEPLOYMENT,
  KCP_NAMESPACE,
  ORIGINAL_ARGS_ANNOTATION,
  ShardSetup,
} from '../../../src/engine/topology/sharded.js';
import { startWorld, type World } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';
import { installCapdStandIn, playCapdFor, render } from '../../support/capd-play.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ backing: 1 });
}, 60_000);
afterAll(async () => {
  await world?.stop();
}, 120_000);

// Names of this run only: against SCALE_TUI_TEST_KUBECONFIG the management cluster is shared.
const RUN = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** Managed objects whose name or namespace carries `prefix` (shard Deployments sit in KCP's namespace). */
async function leftovers(yaml: string, prefix: string, capi = true): Promise<string[]> {
  const c = KubeClient.from({ kubeconfigYaml: yaml });
  const out: string[] = [];
  const kinds: Array<[string, string]> = [
    ['v1', 'Namespace'],
    ['v1', 'Secret'],
    ['v1', 'Service'],
    ['apps/v1', 'Deployment'],
  ];
  // Backing clusters have no CAPI CRDs.
  if (capi) kinds.push(['cluster.x-k8s.io/v1beta2', 'Cluster']);
  for (const [v, k] of kinds)
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      if (`${o.metadata.namespace ?? ''}/${o.metadata.name}`.includes(`${prefix}-`))
        out.push(`${k}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  return out;
}

describe.each(['shared', 'dedicated', 'sharded', 'backing', 'capd'] as const)(
  'topology %s: create after delete --all in the same engine',
  (topology: Topology) => {
    it('the second batch reaches ready and is served; the last delete --all leaves nothing', async () => {
      const prefix = `r${topology.slice(0, 3)}${RUN}`;
      const stateDir = mkdtempSync(join(tmpdir(), `engine-recreate-${topology}-`));
      const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
      const store = createScaleStore();
      const capdFailures: string[] = [];
      let stopCapd = (): void => {};
      if (topology === 'capd') {
        await installCapdStandIn(mgmt);
        stopCapd = playCapdFor(store, mgmt, capdFailures);
      }
      let engine: Engine | undefined;
      try {
        engine = await createEngine({
          config: configSchema.parse({
            topology,
            batch: { concurrency: 2 },
            sharded: { shards: 2 },
            naming: { prefix },
          }),
          store,
          management: { kubeconfigYaml: world.management.kubeconfigYaml },
          managementEtcd: world.management.etcd,
          backing: world.backing.map((b) => ({
            name: b.name,
            target: { kubeconfigYaml: b.kubeconfigYaml },
            capacity: 10,
            etcd: b.etcd,
          })),
          stateDir,
          reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(4) },
          capdRender: render,
          timeouts: { controllerMs: 60_000, apiMs: 30_000, deleteMs: 60_000 },
        });
        for (const round of [1, 2]) {
          const summary = await engine.addBatch({ count: 1 });
          expect(summary.failures, `round ${round}`).toEqual([]);
          expect(summary.ready).toBe(1);
          const [c] = Object.values(store.getState().clusters);
          expect(c?.phase).toBe('ready');
          if (topology !== 'capd') {
            // Served: CAPI's kubeconfig for the cluster reaches its API, which shows its Node.
            const kc = await mgmt.get<KubeObject & { data?: Record<string, string> }>(
              'v1',
              'Secret',
              `${c!.name}-kubeconfig`,
              c!.namespace,
            );
            const wl = KubeClient.from({ kubeconfigYaml: Buffer.from(kc!.data!.value!, 'base64').toString('utf8') });
            expect((await wl.list('v1', 'Node')).length, `round ${round}`).toBeGreaterThanOrEqual(1);
          }
          const del = await engine.deleteClusters({ kind: 'all' });
          expect(del.failed).toEqual([]);
          expect(del.deleted).toEqual([c!.name]);
          expect(await leftovers(world.management.kubeconfigYaml, prefix)).toEqual([]);
          for (const b of world.backing) expect(await leftovers(b.kubeconfigYaml, prefix, false)).toEqual([]);
          expect((await world.management.etcd.status()).tenants).toEqual([]);
          for (const b of world.backing) expect((await b.etcd.status()).tenants).toEqual([]);
          const kcp = await mgmt.get('apps/v1', 'Deployment', KCP_DEPLOYMENT, KCP_NAMESPACE);
          expect(kcp?.metadata.annotations?.[ORIGINAL_ARGS_ANNOTATION]).toBeUndefined();
          const st = await engine.status();
          expect(st.clusters).toEqual([]);
          expect(st.forwarders).toBe(0);
        }
        expect(capdFailures).toEqual([]);
      } finally {
        stopCapd();
        if (engine && (await engine.status().catch(() => ({ clusters: [] }))).clusters.length)
          await engine.deleteClusters({ kind: 'all' }).catch(() => undefined);
        await engine?.shutdown();
        rmSync(stateDir, { recursive: true, force: true });
      }
    }, 120_000);
  },
);

describe('sharded set-up before each batch', () => {
  it('writes only what is missing: nothing missing costs 3 reads; after remove() it makes all again', async () => {
    const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
    const calls: string[] = [];
    // Every call the set-up makes on its client, by method name.
    const counted = new Proxy(mgmt, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const shards = new ShardSetup(
      counted,
      configSchema.parse({ sharded: { shards: 2 }, naming: { prefix: `rcost${RUN}` } }),
    );
    try {
      await shards.ensure();
      expect(calls.filter((c) => c === 'createOrSkip')).toHaveLength(5); // 3 namespaces, 2 Deployments
      calls.length = 0;
      await shards.ensure();
      expect([...calls].sort()).toEqual(['get', 'list', 'list']);
      await shards.remove();
      expect(await leftovers(world.management.kubeconfigYaml, `rcost${RUN}`)).toEqual([]);
      calls.length = 0;
      await shards.ensure();
      expect(calls.filter((c) => c === 'createOrSkip')).toHaveLength(5);
      expect(calls.filter((c) => c === 'mergePatch')).toHaveLength(1); // the main KCP's --namespace
    } finally {
      await shards.remove();
    }
    expect(await leftovers(world.management.kubeconfigYaml, `rcost${RUN}`)).toEqual([]);
    const kcp = await mgmt.get('apps/v1', 'Deployment', KCP_DEPLOYMENT, KCP_NAMESPACE);
    expect(kcp?.metadata.annotations?.[ORIGINAL_ARGS_ANNOTATION]).toBeUndefined();
  }, 60_000);
});
