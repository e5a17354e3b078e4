// The detail page's engine side in one call: the describe adapter on the management
// cluster's client, retry of the one cluster on screen through the engine's resume (its
// selection, limited to that name), and, with the farm topology, faults on the cluster's
// API on the farm that serves it. The UI receives these as plain functions, so it never
// holds a Kubernetes client or a farm client.
import type { KubeClient } from '../../core/kube/client.js';
import type { BatchSummary } from '../../core/types.js';
import type { FarmFault } from '../topology/farm.js';
import { type FarmFaultChange, faultText } from '../topology/farm-fault.js';
import { createDescriber, type DescriberOptions } from './describe.js';
import type { ClusterDescription } from './types.js';

/** The page's fault keys: `x` toggles the API down/up, `X` toggles its added latency. */
export type FaultKey = 'api-down' | 'api-slow';

export interface ClusterDetailActions {
  describe: (cluster: string, namespace: string) => Promise<ClusterDescription>;
  retry: (cluster: string) => Promise<string>;
  /** Present only with the farm topology. */
  fault?: (fault: FaultKey, cluster: string) => Promise<string>;
  faults?: ReadonlyArray<FaultKey>;
}

export interface DetailEngine {
  resumeRun(names?: readonly string[]): Promise<BatchSummary>;
  farmFault(cluster: string, change?: FarmFaultChange): Promise<FarmFault>;
}

export function clusterDetailActions(
  client: KubeClient,
  engine: DetailEngine,
  opts: DescriberOptions & { farm?: boolean } = {},
): ClusterDetailActions {
  const describer = createDescriber(client, opts);
  const base: ClusterDetailActions = {
    describe: (cluster, namespace) => describer.describe(cluster, namespace),
    retry: async (cluster) => {
      const s = await engine.resumeRun([cluster]);
      const outcome =
        s.ready > 0 ? 'ready' : s.failed > 0 ? `failed again: ${s.failures[0]?.reason ?? ''}` : 'nothing to do';
      return `retried ${cluster}: ${outcome}`;
    },
  };
  if (!opts.farm) return base;
  return {
    ...base,
    faults: ['api-down', 'api-slow'],
    // The page shows what is in force; a farm that does not answer leaves the rest readable.
    describe: async (cluster, namespace) => {
      const [d, fault] = await Promise.all([
        describer.describe(cluster, namespace),
        engine.farmFault(cluster).then(
          (f) => faultText(f),
          (err: Error) => `not read (${err.message})`,
        ),
      ]);
      return { ...d, farmFault: fault };
    },
    fault: async (key, cluster) => {
      const f = await engine.farmFault(cluster, key === 'api-down' ? 'toggle-down' : 'toggle-slow');
      return `${cluster} farm fault: ${faultText(f)}`;
    },
  };
}
