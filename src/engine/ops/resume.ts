// `create --resume`: finishes what the journal and the API servers say a killed session
// left. Clusters mid-delete are deleted, ready ones get their port-forward back (CAPI dials
// it), and everything else (queued, in flight, failed) runs the create pipeline again;
// every step is idempotent, so re-running a done step costs a read, not a duplicate.
import type { BatchSummary } from '../../core/types.js';
import { clusterSpec } from '../pipeline/create.js';
import { bringUpApi } from '../pipeline/workload-api.js';
import { adoptFromApi, loadJournal } from './adopt.js';
import { runCreates } from './batch.js';
import { deleteClusters } from './delete.js';
import type { EngineScope } from './scope.js';

/** `only`: resume just these clusters (the TUI's retry of the one on screen); default all. */
export async function resumeRun(scope: EngineScope, only?: ReadonlySet<string>): Promise<BatchSummary> {
  const { topology } = scope;
  const state = loadJournal(scope);
  await adoptFromApi(scope);
  const all = Object.values(scope.state().clusters).filter((c) => !only || only.has(c.name));
  const deleting = all.filter((c) => state.deleting.has(c.name) || c.phase === 'deleting');
  // Failed clusters get another try: a failure is often a backing cluster or API that was
  // unreachable, and every step is idempotent, so resuming after it returns finishes them.
  const toCreate = all.filter((c) => !deleting.includes(c) && c.phase !== 'ready');
  const retried = toCreate.filter((c) => c.phase === 'failed').length;
  const ready = all.filter((c) => c.phase === 'ready');
  scope.log(
    'info',
    `resume: ${toCreate.length - retried} to finish, ${retried} failed to retry, ${deleting.length} to delete, ${ready.length} ready`,
  );
  if (deleting.length) await deleteClusters(scope, { kind: 'names', names: deleting.map((c) => c.name) });
  // Ready clusters in port-forward mode need their forwarder back: CAPI dials it.
  // (capd and farm clusters have no forwarder: CAPI dials their API directly.)
  const forwarded = topology.name !== 'capd' && topology.name !== 'farm';
  if (scope.reach.mode === 'port-forward' && ready.length && forwarded) {
    const ctx = scope.context();
    await Promise.all(
      ready.map((c) =>
        scope.pool.run(() =>
          bringUpApi(ctx, c, clusterSpec(ctx, c), topology.apiserverSite(c)).then(
            () => undefined,
            (err: Error) => scope.log('warn', `${c.name}: forwarder not restored: ${err.message}`),
          ),
        ),
      ),
    );
  }
  const batchId = toCreate[0]?.batchId ?? 'resume';
  return runCreates(scope, batchId, toCreate);
}
