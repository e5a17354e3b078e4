// The detail page's engine side in one call: the describe adapter on the management
// cluster's client, and retry through the engine's resume (it re-runs failed clusters).
// The UI receives these as plain functions, so it never holds a Kubernetes client.
import type { KubeClient } from '../../core/kube/client.js';
import type { BatchSummary } from '../../core/types.js';
import { createDescriber, type DescriberOptions } from './describe.js';
import type { ClusterDescription } from './types.js';

export interface ClusterDetailActions {
  describe: (cluster: string, namespace: string) => Promise<ClusterDescription>;
  retry: (cluster: string) => Promise<string>;
}

export function clusterDetailActions(
  client: KubeClient,
  engine: { resumeRun(): Promise<BatchSummary> },
  opts: DescriberOptions = {},
): ClusterDetailActions {
  const describer = createDescriber(client, opts);
  return {
    describe: (cluster, namespace) => describer.describe(cluster, namespace),
    retry: async (cluster) => {
      const s = await engine.resumeRun();
      return `retried failed clusters (${cluster} among them): ${s.ready} ready, ${s.failed} failed of ${s.requested}`;
    },
  };
}
