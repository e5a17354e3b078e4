// Seeded graceful-abort/resume rounds: the engine is stopped with engine.abort() at a random
// point of create and of delete; a fresh engine on the same state dir must finish, and nothing
// may be left behind. This is NOT a kill: abort() runs in-process, unwinds every await and
// finally block, stops the forwarders and closes the journal. What a SIGKILL leaves (no
// cleanup at all, a torn journal line) is tested on the real binary by kill-matrix.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.js';
import { configSchema } from '../../src/engine/config/schema.js';
import type { EtcdAdmin } from '../../src/core/etcd/admin.js';
import { KubeClient } from '../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../src/manifests/labels.js';
import { createScaleStore, type ScaleStore } from '../../src/state/store.js';
import type { World } from '../support/fake-controllers.js';
import { prng } from './prng.js';

export interface RoundResult {
  seed: number;
  createAbortAfter: number;
  deleteAbortAfter: number;
  ready: number;
  failed: number;
  /** `name at step: reason` of each cluster that ended failed (allowed, but reported). */
  failures: string[];
  leftovers: string[];
}

function options(
  world: World,
  etcd: EtcdAdmin,
  stateDir: string,
  store: ScaleStore,
  basePort: number,
  prefix: string,
): EngineOptions {
  return {
    config: configSchema.parse({ topology: 'dedicated', batch: { concurrency: 10 }, naming: { prefix } }),
    store,
    management: { kubeconfigYaml: world.management.kubeconfigYaml },
    managementEtcd: etcd,
    stateDir,
    reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
    timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
  };
}

/** Resolves after `n` store updates: an abort point counted in engine steps, not in time. */
function afterUpdates(store: ScaleStore, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const off = store.subscribe(() => {
      if (++seen >= n) {
        off();
        resolve();
      }
    });
  });
}

/** Everything scale-tui may have left: labelled objects, namespaces named like ours, etcd tenants. */
export async function leftovers(world: World, etcd: EtcdAdmin, prefix: string): Promise<string[]> {
  const c = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
  const out: string[] = [];
  for (const [v, k] of [
    ['v1', 'Namespace'],
    ['v1', 'Secret'],
    ['v1', 'Service'],
    ['apps/v1', 'Deployment'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster'],
    ['metal3.io/v1alpha1', 'BareMetalHost'],
  ] as const) {
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      out.push(`${k}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  }
  // An unlabelled namespace with our name would be an orphan the label query cannot see.
  for (const ns of await c.list('v1', 'Namespace'))
    if (ns.metadata.name.startsWith(`${prefix}-`)) out.push(`Namespace(by name)/${ns.metadata.name}`);
  for (const t of (await etcd.status()).tenants) out.push(`etcd-tenant/${t}`);
  return [...new Set(out)];
}

async function settle(p: Promise<unknown>): Promise<void> {
  await p.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * One seed: create `count`, abort at a random step, resume; check every cluster is ready or
 * failed with a reason and names are unique; delete all, abort at a random step, delete
 * again; return what is left (must be nothing).
 */
export async function abortRound(
  world: World,
  etcd: EtcdAdmin,
  seed: number,
  count: number,
  basePort: number,
): Promise<RoundResult> {
  const rand = prng(seed);
  const prefix = `k${seed}`;
  const stateDir = mkdtempSync(join(tmpdir(), `abort-${seed}-`));
  // Each cluster makes ~8 store updates on create and ~4 on delete: abort anywhere inside.
  const createAbortAfter = 1 + Math.floor(rand() * count * 8);
  const deleteAbortAfter = 1 + Math.floor(rand() * count * 4);
  let engine: Engine | undefined;
  try {
    const s1 = createScaleStore();
    engine = await createEngine(options(world, etcd, stateDir, s1, basePort, prefix));
    const e1 = engine;
    const created = e1.addBatch({ count });
    await Promise.race([afterUpdates(s1, createAbortAfter), settle(created)]);
    await e1.abort();
    await settle(created);

    const s2 = createScaleStore();
    engine = await createEngine(options(world, etcd, stateDir, s2, basePort, prefix));
    await engine.resumeRun();
    const clusters = Object.values(s2.getState().clusters);
    const problems: string[] = [];
    if (clusters.length !== count) problems.push(`expected ${count} clusters after resume, found ${clusters.length}`);
    if (new Set(clusters.map((c) => c.name)).size !== clusters.length) problems.push('duplicate cluster names');
    if (new Set(clusters.map((c) => c.number)).size !== clusters.length) problems.push('duplicate cluster numbers');
    for (const c of clusters) {
      if (c.phase === 'failed' && !c.failure?.reason) problems.push(`${c.name} failed without a reason`);
      else if (c.phase !== 'ready' && c.phase !== 'failed') problems.push(`${c.name} stuck in ${c.phase}`);
    }
    const ready = clusters.filter((c) => c.phase === 'ready').length;
    const failedOnes = clusters.filter((c) => c.phase === 'failed');
    const failed = failedOnes.length;
    const failures = failedOnes.map((c) => `${c.name} at ${c.failure?.step}: ${c.failure?.reason}`);

    const e2 = engine;
    const deleted = e2.deleteClusters({ kind: 'all' });
    await Promise.race([afterUpdates(s2, deleteAbortAfter), settle(deleted)]);
    await e2.abort();
    await settle(deleted);

    const s3 = createScaleStore();
    engine = await createEngine(options(world, etcd, stateDir, s3, basePort, prefix));
    await engine.resumeRun();
    const del = await engine.deleteClusters({ kind: 'all' });
    for (const f of del.failed) problems.push(`delete of ${f.cluster} failed: ${f.reason}`);
    const st = await engine.status();
    if (st.clusters.length) problems.push(`status still lists ${st.clusters.map((c) => c.name).join(',')}`);
    const left = [...problems, ...(await leftovers(world, etcd, prefix))];
    return { seed, createAbortAfter, deleteAbortAfter, ready, failed, failures, leftovers: left };
  } finally {
    await engine?.shutdown();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
