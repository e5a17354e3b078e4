// Bringing what the session does not hold yet into the store: the journal's batches and
// clusters (every run under the state directory), and clusters found on the API servers by
// label that no journal mentions (adoption). Delete and resume both start here, so a cluster
// half-made or half-deleted by a killed session is finished rather than forgotten.
import { listRuns, readJournal, runJournalPath } from '../../core/journal/journal.js';
import { replay, type ReplayState } from '../../core/journal/replay.js';
import type { ClusterRecord, JournalEvent } from '../../core/types.js';
import { LABEL_BATCH, LABEL_CLUSTER } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import { addBatch, upsertCluster } from '../../state/store.js';
import type { EngineScope } from './scope.js';

/** Every journal line of every run under the state directory, oldest run first. */
export function allJournalEvents(scope: EngineScope): JournalEvent[] {
  const dir = scope.opts.stateDir;
  return listRuns(dir).flatMap((r) => readJournal(runJournalPath(dir, r)));
}

/** Puts the journal's batches and clusters that this session does not hold yet into the store. */
export function loadJournal(scope: EngineScope): ReplayState {
  const state = replay(allJournalEvents(scope));
  for (const b of state.batches.values()) {
    if (!scope.state().batches.some((x) => x.id === b.id)) addBatch(scope.store, b);
  }
  for (const c of state.clusters.values()) {
    if (!scope.state().clusters[c.name]) upsertCluster(scope.store, c);
  }
  return state;
}

/** Clusters present on the API servers (by label) but unknown to the store and journal. */
export async function adoptFromApi(scope: EngineScope): Promise<ClusterRecord[]> {
  const adopted: ClusterRecord[] = [];
  const known = scope.state().clusters;
  const prefix = scope.config.naming.prefix;
  const candidates: KubeObject[] = [
    ...scope.watches!.namespace.list(),
    ...scope.watches!.cluster.list((c) => c.metadata.labels?.[LABEL_CLUSTER] !== undefined),
  ];
  for (const o of candidates) {
    const name = o.metadata.labels?.[LABEL_CLUSTER];
    if (!name || known[name] || adopted.some((a) => a.name === name)) continue;
    const m = new RegExp(`^${prefix}-(\\d+)$`).exec(name);
    if (!m) continue;
    const namespace = o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? name);
    const batchId = o.metadata.labels?.[LABEL_BATCH] ?? 'adopted';
    const t = scope.now();
    // Placement of a backing cluster is not visible from the management cluster: find it.
    let placement: string | undefined;
    if (scope.topology.name === 'backing') {
      for (const s of scope.backingSites()) if (await s.client.get('v1', 'Namespace', name)) placement = s.name;
    } else if (scope.topology.name === 'sharded') placement = namespace;
    const rec: ClusterRecord = {
      name,
      number: Number(m[1]),
      namespace,
      batchId,
      placement,
      phase: 'queued',
      transitions: { queued: t },
    };
    scope.write({
      t,
      type: 'allocated',
      cluster: name,
      number: rec.number,
      namespace,
      batchId,
      ...(placement ? { placement } : {}),
    });
    upsertCluster(scope.store, rec);
    adopted.push(rec);
  }
  if (adopted.length)
    scope.log('warn', `adopted ${adopted.length} cluster(s) found on the API server but missing from the journal`);
  return adopted;
}
