// The pods standing for one sampled target: its Deployment (read for flags, rollout and the
// live-verbosity annotation) and the live pods its selector picks, with the container whose
// log carries the throttling lines.
import type { KubeClient } from '../../core/kube/client.js';
import type { DeploymentLike } from '../../core/tune/rollout.js';
import type { ControllerId } from '../../core/types.js';
import type { KubeObject } from '../../manifests/types.js';

/** A pod group sampled like a controller: the tunable ones plus what the seed also watched. */
export interface Target {
  id: string;
  namespace: string;
  /** Pods come from this Deployment's selector, or from `labelSelector`. */
  deployment?: string;
  labelSelector?: string;
  container?: string;
  tunable?: ControllerId;
}

export interface PodInfo {
  name: string;
  container: string;
  startedAt?: number;
}

function selectorOf(d: KubeObject): string | undefined {
  const labels = (d.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
  return labels
    ? Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined;
}

export function argsOf(d: KubeObject, container?: string): string[] {
  const cs =
    (d.spec as { template?: { spec?: { containers?: Array<{ name: string; args?: string[] }> } } } | undefined)
      ?.template?.spec?.containers ?? [];
  return (cs.find((c) => c.name === container) ?? cs[0])?.args ?? [];
}

export async function podsOf(
  client: KubeClient,
  target: Target,
): Promise<{ pods: PodInfo[]; deployment?: DeploymentLike }> {
  let selector = target.labelSelector;
  let deployment: DeploymentLike | undefined;
  if (target.deployment) {
    deployment = (await client.get('apps/v1', 'Deployment', target.deployment, target.namespace)) as
      | DeploymentLike
      | undefined;
    if (!deployment) return { pods: [] };
    selector = selectorOf(deployment);
  }
  const pods = await client.list('v1', 'Pod', { namespace: target.namespace, labelSelector: selector });
  return {
    deployment,
    pods: pods
      .filter(
        (p) =>
          (p.status as { phase?: string } | undefined)?.phase !== 'Succeeded' &&
          !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp,
      )
      .map((p) => {
        const containers = (p.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? [];
        const started = (p.status as { startTime?: string } | undefined)?.startTime;
        return {
          name: p.metadata.name,
          container: (containers.find((c) => c.name === target.container) ?? containers[0])?.name ?? 'manager',
          startedAt: started ? Date.parse(started) : undefined,
        };
      }),
  };
}
