// Live tuning of a controller: read its manager Deployment, patch only the changed flags,
// wait for the rollout, return before/after for the run journal.
import { UserError } from '../../core/errors.js';
import type { ControllerFlags, ControllerId, TuneRequest } from '../../core/types.js';
import type { KubeObject } from '../../manifests/types.js';
import { applyTune, controllerSpec, readFlags } from '../../core/tune/flags.js';
import {
  waitForRollout,
  type DeploymentLike,
  type DeploymentReader,
  type RolloutOptions,
} from '../../core/tune/rollout.js';

/** The part of KubeClient tuning needs; KubeClient satisfies it. */
export interface DeploymentApi extends DeploymentReader {
  mergePatch(obj: KubeObject): Promise<KubeObject>;
}

export interface TuneResult {
  controller: ControllerId;
  namespace: string;
  deployment: string;
  before: ControllerFlags;
  after: ControllerFlags;
  argsBefore: string[];
  argsAfter: string[];
}

export async function readControllerArgs(
  client: DeploymentReader,
  id: ControllerId,
): Promise<{ deployment: DeploymentLike; args: string[]; containerIndex: number }> {
  const spec = controllerSpec(id);
  const deployment = await client.get<DeploymentLike>('apps/v1', 'Deployment', spec.deployment, spec.namespace);
  if (!deployment) {
    throw new UserError(
      `${spec.title}: Deployment ${spec.namespace}/${spec.deployment} not found`,
      'Run `scale-tui setup` (or `setup --attach` to see what is missing) against this cluster first.',
    );
  }
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const containerIndex = containers.findIndex((c) => c.name === spec.container);
  if (containerIndex < 0) {
    throw new UserError(
      `${spec.title}: Deployment ${spec.namespace}/${spec.deployment} has no container "${spec.container}"`,
      'The provider was installed from an unexpected manifest; reinstall it with `scale-tui setup`.',
    );
  }
  return { deployment, args: containers[containerIndex]!.args ?? [], containerIndex };
}

export async function tune(
  client: DeploymentApi,
  id: ControllerId,
  request: TuneRequest,
  rollout: RolloutOptions = {},
): Promise<TuneResult> {
  const spec = controllerSpec(id);
  const { deployment, args, containerIndex } = await readControllerArgs(client, id);
  const argsAfter = applyTune(args, id, request);
  await patchManagerArgs(client, id, { deployment, containerIndex }, argsAfter, rollout);
  return {
    controller: id,
    namespace: spec.namespace,
    deployment: spec.deployment,
    before: readFlags(args, id),
    after: readFlags(argsAfter, id),
    argsBefore: args,
    argsAfter,
  };
}

/**
 * Sets the manager container's args and waits for the rollout (tune and the verbosity change
 * both end so). `annotations` go on the Deployment's metadata in the same patch (null removes).
 */
export async function patchManagerArgs(
  client: DeploymentApi,
  id: ControllerId,
  read: { deployment: DeploymentLike; containerIndex: number },
  argsAfter: string[],
  rollout: RolloutOptions,
  annotations?: Record<string, string | null>,
): Promise<void> {
  const spec = controllerSpec(id);
  const { deployment, containerIndex } = read;
  const containers = (deployment.spec?.template?.spec?.containers ?? []).map((c, i) =>
    i === containerIndex ? { ...c, args: argsAfter } : c,
  );
  // A JSON merge patch replaces the whole containers list, so we send every container as
  // read; resourceVersion makes a concurrent edit fail with a conflict instead of being lost.
  const patched = (await client.mergePatch({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.deployment,
      namespace: spec.namespace,
      resourceVersion: deployment.metadata.resourceVersion,
      ...(annotations ? { annotations } : {}),
    } as unknown as KubeObject['metadata'],
    spec: { template: { spec: { containers } } },
  })) as DeploymentLike;
  const generation = patched.metadata.generation ?? (deployment.metadata.generation ?? 0) + 1;
  await waitForRollout(client, spec.namespace, spec.deployment, generation, rollout);
}

export interface ControllerView {
  id: ControllerId;
  found: boolean;
  flags: ControllerFlags;
  args: string[];
}

/** Current flags of every controller for `tune --show` and the TUI; missing ones are reported, not thrown. */
export async function showControllers(client: DeploymentReader, ids: ControllerId[]): Promise<ControllerView[]> {
  const out: ControllerView[] = [];
  for (const id of ids) {
    try {
      const { args } = await readControllerArgs(client, id);
      out.push({ id, found: true, flags: readFlags(args, id), args });
    } catch (err) {
      if (err instanceof UserError && /not found/.test(err.message))
        out.push({ id, found: false, flags: { concurrency: {} }, args: [] });
      else throw err;
    }
  }
  return out;
}
