// Sharded KCP (SEED §8.5), without the seed's clobbering (§15.22): the main KCP
// Deployment keeps all its args; only its `--namespace` flag is set (or added) so it
// stops reconciling the shard namespaces, and the original args are kept in an
// annotation so teardown restores them exactly. Each shard gets a copy of the live main
// Deployment (same image, service account, volumes) with `--namespace=<shard>`.
import type { KubeObject } from '../../manifests/types.js';
import { MANAGED_SELECTOR, ownershipLabels } from '../../manifests/labels.js';
import type { ExperimentConfig } from '../config/schema.js';
import { UserError } from '../../core/errors.js';
import type { KubeClient } from '../../core/kube/client.js';

export const KCP_NAMESPACE = 'capi-kubeadm-control-plane-system';
export const KCP_DEPLOYMENT = 'capi-kubeadm-control-plane-controller-manager';
export const ORIGINAL_ARGS_ANNOTATION = 'scale-tui.metal3.io/original-args';
const SHARD_LABEL = 'scale-tui.metal3.io/shard';
/** How long teardown waits for the shard namespaces to finish terminating. */
const SHARD_NAMESPACE_GONE_MS = 30_000;

interface Container {
  name: string;
  args?: string[];
  [k: string]: unknown;
}
interface DeploymentShape extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: Container[] } };
    [k: string]: unknown;
  };
}

/** Sets `--name=value`, replacing any existing occurrence, keeping every other arg. */
export function setFlag(args: string[], name: string, value: string): string[] {
  const out = args.filter((a) => a !== `--${name}` && !a.startsWith(`--${name}=`));
  out.push(`--${name}=${value}`);
  return out;
}

export class ShardSetup {
  constructor(
    private readonly client: KubeClient,
    private readonly config: ExperimentConfig,
  ) {}

  namespaces(): string[] {
    return Array.from({ length: this.config.sharded.shards }, (_, i) => `${this.config.naming.prefix}-shard-${i + 1}`);
  }

  /** Namespace the main KCP is restricted to: one that never holds shard clusters. */
  mainNamespace(): string {
    return `${this.config.naming.prefix}-shard-main`;
  }

  /**
   * The shard namespaces, the main KCP restricted to its own namespace, and one KCP per shard:
   * only what is missing is written (teardown removes it all after `delete --all`, and the
   * engine calls this before every batch). Nothing missing: 3 reads.
   */
  async ensure(): Promise<void> {
    const main = await this.client.get<DeploymentShape>('apps/v1', 'Deployment', KCP_DEPLOYMENT, KCP_NAMESPACE);
    if (!main)
      throw new UserError(
        `KCP Deployment ${KCP_NAMESPACE}/${KCP_DEPLOYMENT} not found`,
        'Run `scale-tui setup` first: the sharded topology clones the installed KCP controller.',
      );
    const containers = main.spec?.template?.spec?.containers ?? [];
    const idx = containers.findIndex((c) => c.name === 'manager');
    if (idx < 0)
      throw new UserError(
        'the KCP Deployment has no "manager" container',
        'Reinstall the providers with `scale-tui setup`.',
      );
    const original = main.metadata.annotations?.[ORIGINAL_ARGS_ANNOTATION];
    const baseArgs: string[] = original ? (JSON.parse(original) as string[]) : (containers[idx]!.args ?? []);
    const labels = ownershipLabels({ runId: 'shards' });
    // What is there already, in two lists: before each batch nothing is missing, and then
    // set-up costs these reads and the Deployment get above, no write.
    const shardSelector = `${MANAGED_SELECTOR},${SHARD_LABEL}`;
    const haveNs = new Set(
      (await this.client.list('v1', 'Namespace', { labelSelector: shardSelector })).map((n) => n.metadata.name),
    );
    const haveDeploy = new Set(
      (await this.client.list('apps/v1', 'Deployment', { namespace: KCP_NAMESPACE, labelSelector: shardSelector })).map(
        (d) => d.metadata.name,
      ),
    );
    for (const ns of [this.mainNamespace(), ...this.namespaces()]) {
      if (haveNs.has(ns)) continue;
      await this.client.createOrSkip({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { ...labels, [SHARD_LABEL]: ns } },
      });
    }
    // The main controller: only --namespace changes.
    const mainArgs = setFlag(baseArgs, 'namespace', this.mainNamespace());
    if (JSON.stringify(mainArgs) !== JSON.stringify(containers[idx]!.args ?? [])) {
      await this.patchMain(containers, mainArgs, JSON.stringify(baseArgs));
    }
    for (const ns of this.namespaces()) {
      const name = `${KCP_DEPLOYMENT}-${ns}`;
      if (haveDeploy.has(name)) continue;
      const podLabels = { ...(main.spec?.template?.metadata?.labels ?? {}), [SHARD_LABEL]: ns };
      const selector = { ...(main.spec?.selector?.matchLabels ?? {}), [SHARD_LABEL]: ns };
      const { status: _s, ...spec0 } = { ...(main.spec ?? {}) } as Record<string, unknown>;
      await this.client.createOrSkip({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name,
          namespace: KCP_NAMESPACE,
          labels: { ...(main.metadata.labels ?? {}), ...labels, [SHARD_LABEL]: ns },
        },
        spec: {
          ...spec0,
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            ...(main.spec?.template ?? {}),
            metadata: { ...(main.spec?.template?.metadata ?? {}), labels: podLabels },
            spec: {
              ...(main.spec?.template?.spec ?? {}),
              containers: containers.map((c, i) =>
                i === idx ? { ...c, args: setFlag(baseArgs, 'namespace', ns) } : c,
              ),
            },
          },
        },
      });
    }
  }

  /**
   * The main KCP Deployment with `args` on its manager container (a merge patch replaces the
   * whole list, so every container goes as read) and the original-args annotation set to
   * `original` (null removes it: the args are back to what they were).
   */
  private async patchMain(
    containers: Array<{ name: string; args?: string[] }>,
    args: string[],
    original: string | null,
  ): Promise<void> {
    await this.client.mergePatch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: KCP_DEPLOYMENT,
        namespace: KCP_NAMESPACE,
        annotations: { [ORIGINAL_ARGS_ANNOTATION]: original as string },
      },
      spec: { template: { spec: { containers: containers.map((c) => (c.name === 'manager' ? { ...c, args } : c)) } } },
    });
  }

  async remove(): Promise<void> {
    for (const d of await this.client.list('apps/v1', 'Deployment', {
      namespace: KCP_NAMESPACE,
      labelSelector: `${MANAGED_SELECTOR},${SHARD_LABEL}`,
    })) {
      await this.client.delete('apps/v1', 'Deployment', d.metadata.name, KCP_NAMESPACE);
    }
    const main = await this.client.get<DeploymentShape>('apps/v1', 'Deployment', KCP_DEPLOYMENT, KCP_NAMESPACE);
    const original = main?.metadata.annotations?.[ORIGINAL_ARGS_ANNOTATION];
    if (main && original) {
      await this.patchMain(main.spec?.template?.spec?.containers ?? [], JSON.parse(original) as string[], null);
    }
    const deleting: string[] = [];
    for (const ns of [this.mainNamespace(), ...this.namespaces()]) {
      const live = await this.client.get('v1', 'Namespace', ns);
      if (live?.metadata.labels?.[SHARD_LABEL]) {
        await this.client.delete('v1', 'Namespace', ns);
        deleting.push(ns);
      }
    }
    // A namespace delete only starts the namespace's finalization; `delete --all` promises
    // nothing left, so wait (bounded) until the shard namespaces are really gone.
    const deadline = Date.now() + SHARD_NAMESPACE_GONE_MS;
    for (const ns of deleting) {
      while ((await this.client.get('v1', 'Namespace', ns)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
    }
  }
}
