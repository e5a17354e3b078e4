// Deleting the clusters a selection names (src/state/selection.ts, the same resolver the
// UI's confirm dialog uses), each through its topology's delete pipeline in the pool; after
// `--all` has emptied the run, the shared API and the topology's own objects go too.
import { UserError } from '../../core/errors.js';
import type { ClusterSelection, DeleteSummary } from '../../core/types.js';
import { resolveSelection } from '../../state/selection.js';
import { removeCluster } from '../../state/store.js';
import { deleteCluster } from '../pipeline/delete.js';
import { deleteFarmCluster } from '../topology/farm-pipeline.js';
import { FarmTopology } from '../topology/farm-topology.js';
import { adoptFromApi, loadJournal } from './adopt.js';
import type { EngineScope } from './scope.js';
import { ensureSharedApi, teardownShared } from './shared-api.js';

export async function deleteClusters(scope: EngineScope, selection: ClusterSelection): Promise<DeleteSummary> {
  const { topology, store } = scope;
  // The journal first, not only what the API shows: a delete killed after a cluster's
  // namespace went but before its 'deleted' line leaves nothing on the API to adopt, and
  // without the journal it would stay 'deleting' (and keep its key material) forever.
  loadJournal(scope);
  await adoptFromApi(scope);
  const chosen = resolveSelection(scope.state(), selection);
  const ctx = scope.context();
  const sharedWorkload =
    topology.dedicatedApi || topology.name === 'capd' ? undefined : () => ensureSharedApi(scope).catch(() => undefined);
  const results = await Promise.all(
    chosen.map((c) =>
      scope.pool
        .run(() =>
          topology instanceof FarmTopology
            ? deleteFarmCluster(ctx, topology, c)
            : deleteCluster(ctx, c, sharedWorkload),
        )
        .then((r) => [c.name, r] as const),
    ),
  );
  if (scope.signal.aborted)
    throw new UserError(
      'the engine was stopped during delete',
      'Run `scale-tui delete` again (or `create --resume`) to finish it.',
    );
  const deleted = results.filter(([, r]) => r === 'deleted').map(([n]) => n);
  for (const n of deleted) removeCluster(store, n);
  if (selection.kind === 'all' && Object.keys(scope.state().clusters).length === 0) await teardownShared(scope);
  const failed = results
    .filter(([, r]) => r === 'failed')
    .map(([n]) => ({ cluster: n, reason: scope.state().clusters[n]?.failure?.reason ?? 'unknown' }));
  return { deleted, failed };
}
