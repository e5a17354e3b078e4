// Which Deployment args and which pod stand for an emulated controller process: the args of
// its container (a change restarts the process), and the newest live pod matching the
// Deployment's selector, waiting for a new one after a restart as the rollout replaces it.
import type { KubeObject } from '../../manifests/types.js';
import type { RestClient } from './rest.js';
import { R, collectionPath } from './resources.js';
import type { ControllerIdentity } from './identity.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The args of the controller's container in its Deployment (the first container when none is named so). */
export function containerArgs(dep: KubeObject | undefined, container: string): string[] {
  const containers =
    (dep?.spec as { template?: { spec?: { containers?: Array<{ name: string; args?: string[] }> } } } | undefined)
      ?.template?.spec?.containers ?? [];
  const c = containers.find((x) => x.name === container) ?? containers[0];
  return c?.args ?? [];
}

/** The pod standing for this process: the newest live pod matching the Deployment selector. */
export async function findManagerPod(
  client: RestClient,
  identity: Pick<ControllerIdentity, 'namespace' | 'deployment'>,
  dep: KubeObject | undefined,
  previous: string | undefined,
  waitForNew: boolean,
): Promise<string> {
  const sel = (dep?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
  if (!sel) return `${identity.deployment}-sim`;
  const selector = Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const pods = (await client.list(collectionPath(R.pod, identity.namespace), selector)).items
        .filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp)
        .sort((a, b) =>
          String((b.metadata as { creationTimestamp?: string }).creationTimestamp).localeCompare(
            String((a.metadata as { creationTimestamp?: string }).creationTimestamp),
          ),
        );
      const newest = pods.find((p) => p.metadata.name !== previous) ?? pods[0];
      if (newest && (!waitForNew || newest.metadata.name !== previous)) return newest.metadata.name;
    } catch {
      // the API may be briefly unavailable during a restart; retry
    }
    await sleep(100);
  }
  return previous ?? `${identity.deployment}-sim`;
}
