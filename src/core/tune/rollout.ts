// Waits for a Deployment rollout the way `kubectl rollout status` judges it: the controller
// has observed the new generation, every replica is updated and available, and no old
// replicas remain.
import { UserError } from '../errors.js';
import type { KubeObject } from '../../manifests/types.js';
import type { ObjectReader } from '../kube/object-reader.js';

export type DeploymentReader = ObjectReader;

export interface DeploymentLike extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number; resourceVersion?: string };
  spec?: {
    replicas?: number;
    template?: { spec?: { containers?: Array<{ name: string; args?: string[]; command?: string[] }> } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export interface RolloutOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** Injected for tests; defaults to real time. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Why a rollout is not complete yet, or undefined when it is. */
export function rolloutPending(d: DeploymentLike, generation: number): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return `progress deadline exceeded: ${progressing.message ?? ''}`.trim();
  if ((s.observedGeneration ?? 0) < generation) return 'waiting for the deployment controller to observe the change';
  if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0} of ${want} replicas updated`;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination`;
  if ((s.availableReplicas ?? 0) < want) return `${s.availableReplicas ?? 0} of ${want} updated replicas available`;
  return undefined;
}

export async function waitForRollout(
  client: DeploymentReader,
  namespace: string,
  name: string,
  generation: number,
  opts: RolloutOptions = {},
): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const deadline = now() + timeoutMs;
  let last = 'not read yet';
  for (;;) {
    const d = await client.get<DeploymentLike>('apps/v1', 'Deployment', name, namespace);
    if (!d)
      throw new UserError(
        `Deployment ${namespace}/${name} disappeared during the rollout`,
        'Check whether the provider was uninstalled, then run setup again.',
      );
    const pending = rolloutPending(d, generation);
    if (pending === undefined) return;
    last = pending;
    if (/deadline exceeded/.test(pending)) break;
    if (now() >= deadline) break;
    await sleep(opts.pollMs ?? 1000);
  }
  throw new UserError(
    `rollout of ${namespace}/${name} did not complete within ${Math.round(timeoutMs / 1000)} s: ${last}`,
    `Look at the new pod: kubectl -n ${namespace} describe pods; kubectl -n ${namespace} logs deploy/${name}. An unknown flag makes the manager exit at start.`,
  );
}
