// A batch of new clusters: numbers and placements allocated, journalled before anything is
// created (a crash after the 'allocated' line leaves no orphan), then each cluster run
// through its topology's pipeline in the bounded pool. runCreates is also what resume uses
// to finish clusters a killed session left half-made.
//
// Every batch (and every resume or retry) runs the topology's set-up first, not only the
// engine's start: an engine lives through `delete --all`, whose teardown removes what set-up
// made (shard namespaces and KCP Deployments, a stopped farm), and a TUI session then creates
// again. Set-up is idempotent and costs a few reads when nothing is missing (types.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { replay } from '../../core/journal/replay.js';
import { writePrivateFile } from '../../core/pki/index.js';
import type { BatchOptions, BatchRecord, BatchSummary, ClusterRecord } from '../../core/types.js';
import { addBatch, endBatch, upsertCluster } from '../../state/store.js';
import { allocate, usedNumbers } from '../allocate/allocate.js';
import { createCluster } from '../pipeline/create.js';
import { maxNumberFor } from '../pipeline/reach.js';
import { clusterctlRenderer, createCapdCluster } from '../topology/capd.js';
import { createFarmCluster } from '../topology/farm-pipeline.js';
import { FarmTopology } from '../topology/farm-topology.js';
import { allJournalEvents } from './adopt.js';
import type { EngineScope } from './scope.js';
import { ensureSharedApi } from './shared-api.js';

/** Names already taken anywhere (journal, store, namespaces on every site, Clusters): no new cluster reuses one. */
async function takenNames(scope: EngineScope, journalled: Iterable<string>): Promise<Set<string>> {
  const names = new Set<string>([...journalled, ...Object.keys(scope.state().clusters)]);
  for (const site of scope.sites.values()) {
    for (const ns of await site.client.list('v1', 'Namespace')) names.add(ns.metadata.name);
  }
  for (const c of scope.watches!.cluster.list()) names.add(c.metadata.name);
  return names;
}

/** A count that is not a whole number of at least 1 is refused before the engine starts. */
export function assertBatchCount(opts: BatchOptions): void {
  if (!Number.isInteger(opts.count) || opts.count < 1)
    throw new UserError(`cannot create ${opts.count} clusters`, 'Ask for a whole number of clusters, at least 1.');
}

export async function createBatch(scope: EngineScope, opts: BatchOptions): Promise<BatchSummary> {
  const { config, topology } = scope;
  // Before placement: the farm topology reads its farms' capacity here.
  await topology.setup();
  const prior = replay(allJournalEvents(scope));
  const used = usedNumbers(config.naming.prefix, await takenNames(scope, prior.clusters.keys()));
  const perPlacement = new Map<string, number>();
  for (const c of Object.values(scope.state().clusters))
    if (c.placement) perPlacement.set(c.placement, (perPlacement.get(c.placement) ?? 0) + 1);
  const targets = topology.placementTargets(perPlacement);
  if (targets === undefined && opts.backing !== undefined && opts.backing !== 'auto') {
    throw new UserError(
      `--backing ${opts.backing}: the ${topology.name} topology places no cluster on a backing cluster`,
      'Drop --backing, or set topology: backing in the config.',
    );
  }
  const allocations = allocate({
    prefix: config.naming.prefix,
    count: opts.count,
    used,
    floor: prior.maxNumber,
    targets,
    only: opts.backing,
    maxNumber: maxNumberFor(scope.reach),
  });
  const batchId = `b${scope.now().toString(36)}${randomBytes(1).toString('hex')}`;
  const t = scope.now();
  const batch: BatchRecord = {
    id: batchId,
    requested: opts.count,
    clusters: allocations.map((a) => a.name),
    backing: opts.backing ?? 'auto',
    startedAt: t,
  };
  scope.write({ t, type: 'batch-start', batchId, requested: opts.count, backing: batch.backing });
  addBatch(scope.store, batch);
  const records: ClusterRecord[] = allocations.map((a) => {
    const namespace = topology.namespaceFor(a.name, a.placement);
    const placement = a.placement ? { placement: a.placement } : {};
    // Journalled before anything is created: a crash after this line leaves no orphan.
    scope.write({ t, type: 'allocated', cluster: a.name, number: a.number, namespace, batchId, ...placement });
    const rec: ClusterRecord = {
      name: a.name,
      number: a.number,
      namespace,
      batchId,
      placement: a.placement,
      phase: 'queued',
      transitions: { queued: t },
    };
    upsertCluster(scope.store, rec);
    return rec;
  });
  scope.log(
    'info',
    `batch ${batchId}: ${records.length} clusters queued (${records[0]?.name}..${records.at(-1)?.name})`,
  );
  return runPipelines(scope, batchId, records);
}

/** Resume and retry: the topology's set-up (as createBatch does), then the clusters' pipelines. */
export async function runCreates(scope: EngineScope, batchId: string, records: ClusterRecord[]): Promise<BatchSummary> {
  if (records.length > 0) await scope.topology.setup();
  return runPipelines(scope, batchId, records);
}

/** Runs each record's create pipeline in the pool, then closes the batch in the journal and the store. */
async function runPipelines(scope: EngineScope, batchId: string, records: ClusterRecord[]): Promise<BatchSummary> {
  const { topology, store } = scope;
  const capd = topology.name === 'capd';
  const farm = topology instanceof FarmTopology ? topology : undefined;
  const first = records[0];
  if (!capd && !farm && first && topology.apiserverSite(first) === undefined) await ensureSharedApi(scope);
  const ctx = scope.context();
  const render = capd ? capdRender(scope) : undefined;
  const results = await Promise.all(
    records.map((r) =>
      scope.pool
        .run(async () => {
          // The latest record (its transitions so far) is the store's, read when the slot opens.
          const rec = scope.state().clusters[r.name] ?? r;
          if (render) return createCapdCluster(ctx, rec, render);
          if (farm) return createFarmCluster(ctx, farm, rec);
          return createCluster(ctx, rec, r.placement ? await scope.siteHealth?.signalNow(r.placement) : undefined);
        })
        .catch((err: Error) => {
          if (scope.signal.aborted) return 'aborted' as const;
          throw err;
        }),
    ),
  );
  if (scope.signal.aborted)
    throw new UserError(
      'the engine was stopped before the batch finished',
      'Run `scale-tui create --resume` to finish it.',
    );
  const failures = records
    .map((r) => scope.state().clusters[r.name])
    .filter((c): c is ClusterRecord => c?.phase === 'failed')
    .map((c) => ({ cluster: c.name, step: c.failure?.step ?? 'unknown', reason: c.failure?.reason ?? 'unknown' }));
  const ready = results.filter((r) => r === 'ready').length;
  const t = scope.now();
  scope.write({ t, type: 'batch-end', batchId, ready, failed: failures.length });
  endBatch(store, batchId, t);
  scope.log(failures.length ? 'warn' : 'info', `batch ${batchId}: ${ready} ready, ${failures.length} failed`);
  return { batchId, requested: records.length, ready, failed: failures.length, failures };
}

/** capd: renders one cluster's YAML with `clusterctl generate cluster` (or the injected renderer). */
function capdRender(scope: EngineScope): (cluster: string, namespace: string) => Promise<string> {
  if (scope.opts.capdRender) return scope.opts.capdRender;
  const m = scope.opts.management;
  let kubeconfig = m.kubeconfigPath;
  if (!kubeconfig && m.kubeconfigYaml) {
    // clusterctl reads a file: an inline kubeconfig (embedded clusters) is written 0600.
    kubeconfig = join(scope.opts.stateDir, 'management.kubeconfig');
    writePrivateFile(kubeconfig, m.kubeconfigYaml);
  }
  return clusterctlRenderer({
    kubernetesVersion: scope.config.cluster.kubernetesVersion,
    capiVersion: scope.config.providers.capi,
    target: { kubeconfig, context: m.context },
  });
}
