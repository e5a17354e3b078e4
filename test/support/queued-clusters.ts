// A store of clusters that have just been queued, and an engine scope with no API server
// behind it, for the checks of how phase changes reach the store (the store's batcher, the
// engine's record(), and the bench that times both): what they start from, written out once.
import { defaultConfig } from '../../src/engine/config/load.js';
import { EngineScope } from '../../src/engine/ops/scope.js';
import type { ObjectSource } from '../../src/engine/pipeline/objects.js';
import { createScaleStore, type ScaleStore, upsertCluster } from '../../src/state/store.js';

/** test-1 .. test-n, each queued at t=0 in one batch. */
export function queuedStore(n: number, batchId = 'b-1'): ScaleStore {
  const store = createScaleStore();
  for (let i = 1; i <= n; i++)
    upsertCluster(store, {
      name: `test-${i}`,
      number: i,
      namespace: `test-${i}`,
      batchId,
      phase: 'queued',
      transitions: { queued: 0 },
    });
  return store;
}

/** A management target on a closed port: never dialled by what these checks run. */
export const UNUSED_API = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]
users: [{name: u, user: {token: unused}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

/**
 * An engine scope over `store` with the default config and UNUSED_API. Its object source is
 * empty: it renders per-cluster manifests for the pipeline, which none of these checks runs.
 */
export function offlineScope(
  store: ScaleStore,
  stateDir: string,
  more: { now?: () => number; runId?: string } = {},
): EngineScope {
  return new EngineScope(
    { config: defaultConfig(), store, management: { kubeconfigYaml: UNUSED_API }, stateDir, ...more },
    {} as ObjectSource,
  );
}
