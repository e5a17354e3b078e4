// The engine's one door to a Kubernetes API (management, backing or workload).
// Everything above it deals in plain objects and UserErrors, never in client-node types.
import { existsSync, readFileSync } from 'node:fs';
import {
  CoreV1Api,
  KubeConfig,
  setHeaderOptions,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { statusCode } from './client-errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import type { KubeObject } from '../../manifests/types.js';

export interface KubeTarget {
  /** Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config. */
  kubeconfigPath?: string;
  /** Inline kubeconfig YAML (embedded servers, workload kubeconfig Secrets). */
  kubeconfigYaml?: string;
  context?: string;
}

export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  const kc = new KubeConfig();
  if (target.kubeconfigYaml) {
    kc.loadFromString(target.kubeconfigYaml);
  } else if (target.kubeconfigPath) {
    if (!existsSync(target.kubeconfigPath)) {
      throw new UserError(`kubeconfig ${target.kubeconfigPath} does not exist`, 'Pass the path of an existing kubeconfig (e.g. from `kind get kubeconfig`).');
    }
    try {
      kc.loadFromString(readFileSync(target.kubeconfigPath, 'utf8'));
    } catch (err) {
      throw new UserError(
        `kubeconfig ${target.kubeconfigPath} cannot be read: ${(err as Error).message.split('\n')[0]}`,
        'Check that the file is readable and is a kubeconfig (YAML with clusters, users and contexts).',
      );
    }
  } else {
    kc.loadFromDefault();
  }
  if (target.context) {
    if (!kc.getContexts().some((c) => c.name === target.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || '(none)';
      throw new UserError(`context "${target.context}" is not in the kubeconfig`, `Use one of: ${known}.`);
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError('the kubeconfig has no current cluster', 'Pass --kubeconfig and --context naming a reachable cluster.');
  }
  return kc;
}

export { statusCode } from './client-errors.js';

export class KubeClient {
  readonly objects: KubernetesObjectApi;

  constructor(
    readonly config: KubeConfig,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
  }

  static from(target: KubeTarget): KubeClient {
    return new KubeClient(loadKubeConfig(target));
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await withRetry(() => this.objects.read({ apiVersion, kind, metadata: { name, namespace } }), this.retry)) as unknown as T;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates the object, or leaves an existing one alone. Returns true if it was created. */
  async createOrSkip(obj: KubeObject): Promise<boolean> {
    try {
      await withRetry(() => this.objects.create(obj as KubernetesObject), this.retry);
      return true;
    } catch (err) {
      if (statusCode(err) === 409) return false;
      throw err;
    }
  }

  async mergePatch(obj: KubeObject): Promise<KubeObject> {
    return (await withRetry(() => this.objects.patch(obj as KubernetesObject, undefined, undefined, 'scale-tui', undefined, PatchStrategy.MergePatch), this.retry)) as unknown as KubeObject;
  }

  /** Deletes; a missing object counts as deleted. */
  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void> {
    try {
      await withRetry(() => this.objects.delete({ apiVersion, kind, metadata: { name, namespace } }), this.retry);
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<T[]> {
    const res = await withRetry(() => this.objects.list(apiVersion, kind, opts.namespace, undefined, undefined, undefined, undefined, opts.labelSelector), this.retry);
    return res.items as unknown as T[];
  }
}

// ---- additions for the engine (watch paths, status patches, raw list with resourceVersion) ----

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface DiscoveryAccess {
  resource(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined>;
}

/** Collection URL path for a kind, e.g. /apis/cluster.x-k8s.io/v1beta2/namespaces/x/machines. */
export function collectionPath(apiVersion: string, info: ResourceInfo, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return info.namespaced && namespace ? `${base}/namespaces/${namespace}/${info.plural}` : `${base}/${info.plural}`;
}

export async function resourceInfo(client: KubeClient, apiVersion: string, kind: string): Promise<ResourceInfo> {
  // client-node's discovery (cached per client) is protected; reuse it rather than
  // re-implementing API discovery.
  const r = await (client.objects as unknown as DiscoveryAccess).resource(apiVersion, kind);
  if (!r) throw new UserError(`the API server does not serve ${kind} (${apiVersion})`, 'Install the provider CRDs (scale-tui setup) or check the kubeconfig points at the management cluster.');
  return { plural: r.name, namespaced: r.namespaced };
}

/** List returning the collection resourceVersion too (informers start their watch from it). */
export async function listWithVersion<T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  opts: { namespace?: string; labelSelector?: string } = {},
): Promise<{ items: T[]; resourceVersion: string }> {
  const res = await withRetry(() => client.objects.list(apiVersion, kind, opts.namespace, undefined, undefined, undefined, undefined, opts.labelSelector), client.retry);
  return { items: res.items as unknown as T[], resourceVersion: res.metadata?.resourceVersion ?? '' };
}

/**
 * Merge-patches the status subresource of a Pod (mirror pods' Running/Ready, SEED §7.3) or
 * a Node (Ready=True: a real server keeps status given on create, others drop it).
 */
export async function patchStatus(client: KubeClient, kind: 'Pod' | 'Node', name: string, namespace: string | undefined, status: unknown): Promise<void> {
  const core = client.config.makeApiClient(CoreV1Api);
  const opt = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  if (kind === 'Pod') await core.patchNamespacedPodStatus({ name, namespace: namespace ?? 'default', body: { status } }, opt);
  else await core.patchNodeStatus({ name, body: { status } }, opt);
}
