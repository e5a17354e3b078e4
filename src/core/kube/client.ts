// The engine's one door to a Kubernetes API (management, backing or workload).
// Everything above it deals in plain objects and UserErrors, never in client-node types.
import { existsSync, readFileSync } from 'node:fs';
import {
  CoreV1Api,
  createConfiguration,
  HttpMethod,
  KubeConfig,
  RequestContext,
  ServerConfiguration,
  setHeaderOptions,
  KubernetesObjectApi,
  PatchStrategy,
  type Configuration,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { statusCode } from './client-errors.js';
import { noteCall, notServed, type ClientIdentity } from './explain.js';
import { keepAliveAgent } from './agent-pool.js';
import { DEFAULT_DEADLINES, deadlineHttpLibrary, requestStream, type Deadlines, type StreamResponse } from './http.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import type { KubeObject } from '../../manifests/types.js';

export interface KubeTarget {
  /** Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config. */
  kubeconfigPath?: string;
  /** Inline kubeconfig YAML (embedded servers, workload kubeconfig Secrets). */
  kubeconfigYaml?: string;
  context?: string;
  /** What this cluster is to the user, for error messages; default "cluster". */
  role?: string;
}

export interface KubeClientOptions {
  /** Per-request deadlines; default DEFAULT_DEADLINES (src/engine/kube/http.ts). */
  deadlines?: Partial<Deadlines>;
  /** Where the config came from and what the cluster is, for error messages. */
  target?: KubeTarget;
}

export function loadKubeConfig(target: KubeTarget = {}): KubeConfig {
  const kc = new KubeConfig();
  if (target.kubeconfigYaml) {
    kc.loadFromString(target.kubeconfigYaml);
  } else if (target.kubeconfigPath) {
    if (!existsSync(target.kubeconfigPath)) {
      throw new UserError(
        `kubeconfig ${target.kubeconfigPath} does not exist`,
        'Pass the path of an existing kubeconfig (e.g. from `kind get kubeconfig`).',
      );
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
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || '(none)';
      throw new UserError(`context "${target.context}" is not in the kubeconfig`, `Use one of: ${known}.`);
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError(
      'the kubeconfig has no current cluster',
      'Pass --kubeconfig and --context naming a reachable cluster.',
    );
  }
  return kc;
}

export { statusCode } from './client-errors.js';

/** KubernetesObjectApi.makeApiClient without makeApiClient's transport (setDefaultNamespace is protected). */
class ObjectApi extends KubernetesObjectApi {
  constructor(apiConfig: Configuration, kc: KubeConfig) {
    super(apiConfig);
    this.setDefaultNamespace(kc);
  }
}

export class KubeClient {
  readonly objects: KubernetesObjectApi;
  readonly deadlines: Deadlines;
  /** client-node configuration with the deadline transport: build other typed APIs on it. */
  readonly apiConfig: Configuration;
  readonly identity: ClientIdentity;

  constructor(
    readonly config: KubeConfig,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
    opts: KubeClientOptions = {},
  ) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...opts.deadlines };
    // As KubeConfig.makeApiClient does, but with our transport: client-node's own has no deadline.
    this.apiConfig = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: config },
      httpApi: deadlineHttpLibrary(this.deadlines),
    });
    this.objects = new ObjectApi(this.apiConfig, config);
    const t = opts.target ?? {};
    this.identity = {
      server: this.server,
      role: t.role ?? 'cluster',
      user: config.getCurrentUser()?.name,
      context: config.getCurrentContext() || undefined,
      kubeconfig:
        t.kubeconfigPath ?? (t.kubeconfigYaml ? 'an inline kubeconfig' : process.env.KUBECONFIG || '~/.kube/config'),
    };
  }

  static from(target: KubeTarget, opts: Omit<KubeClientOptions, 'target'> = {}): KubeClient {
    return new KubeClient(loadKubeConfig(target), DEFAULT_RETRY, { ...opts, target });
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** A typed client-node API (CoreV1Api, ...) on this client's transport and deadlines. */
  makeApiClient<T>(api: new (config: Configuration) => T): T {
    return new api(this.apiConfig);
  }

  /** Runs one call; a failure is recorded with its verb and resource for explainKubeError. */
  async call<T>(verb: string, apiVersion: string, kind: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      noteCall(err, { verb, apiVersion, kind, identity: this.identity });
      throw err;
    }
  }

  /**
   * A streamed GET (watches) with this client's credentials: the connect and request deadlines
   * hold until the response headers; the body's liveness is the caller's to judge.
   */
  async stream(path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<StreamResponse> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), HttpMethod.GET);
    ctx.setHeaderParam('Accept', 'application/json');
    // The same credentials and TLS agent client-node gives its own requests.
    await this.config.applySecurityAuthentication(ctx);
    const headers = ctx.getHeaders();
    const agent = keepAliveAgent(ctx.getAgent());
    return requestStream({ method: 'GET', url: ctx.getUrl(), headers, agent, deadlines: this.deadlines, signal });
  }

  async get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    try {
      const read = () => this.objects.read({ apiVersion, kind, metadata: { name, namespace } });
      return (await this.call('get', apiVersion, kind, () => withRetry(read, this.retry))) as unknown as T;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates the object, or leaves an existing one alone. Returns true if it was created. */
  async createOrSkip(obj: KubeObject): Promise<boolean> {
    try {
      const create = () => this.objects.create(obj as KubernetesObject);
      await this.call('create', obj.apiVersion, obj.kind, () => withRetry(create, this.retry));
      return true;
    } catch (err) {
      if (statusCode(err) === 409) return false;
      throw err;
    }
  }

  async mergePatch(obj: KubeObject): Promise<KubeObject> {
    const o = obj as KubernetesObject;
    const patch = () => this.objects.patch(o, undefined, undefined, 'scale-tui', undefined, PatchStrategy.MergePatch);
    const patched = await this.call('patch', obj.apiVersion, obj.kind, () => withRetry(patch, this.retry));
    return patched as unknown as KubeObject;
  }

  /** Deletes; a missing object counts as deleted. */
  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void> {
    try {
      const del = () => this.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
      await this.call('delete', apiVersion, kind, () => withRetry(del, this.retry));
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string; labelSelector?: string } = {},
  ): Promise<T[]> {
    return (await listWithVersion<T>(this, apiVersion, kind, opts)).items;
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
  // re-implementing API discovery. A group the server does not know answers 404.
  let r: { name: string; namespaced: boolean } | undefined;
  try {
    const discovery = client.objects as unknown as DiscoveryAccess;
    r = await client.call('discover', apiVersion, kind, () => discovery.resource(apiVersion, kind));
  } catch (err) {
    if (statusCode(err) === 404) throw notServed(client.identity, apiVersion, kind);
    throw err;
  }
  if (!r) throw notServed(client.identity, apiVersion, kind);
  return { plural: r.name, namespaced: r.namespaced };
}

/** List returning the collection resourceVersion too (informers start their watch from it). */
export async function listWithVersion<T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  opts: { namespace?: string; labelSelector?: string } = {},
): Promise<{ items: T[]; resourceVersion: string }> {
  // Discovery first (cached): a kind the server does not serve is a UserError naming it, not
  // client-node's bare "Unrecognized API version and kind".
  await resourceInfo(client, apiVersion, kind);
  const { namespace, labelSelector } = opts;
  const none = undefined;
  const list = () => client.objects.list(apiVersion, kind, namespace, none, none, none, none, labelSelector);
  const res = await client.call('list', apiVersion, kind, () => withRetry(list, client.retry));
  return { items: res.items as unknown as T[], resourceVersion: res.metadata?.resourceVersion ?? '' };
}

/**
 * Merge-patches the status subresource of a Pod (mirror pods' Running/Ready, SEED §7.3) or
 * a Node (Ready=True: a real server keeps status given on create, others drop it).
 */
export async function patchStatus(
  client: KubeClient,
  kind: 'Pod' | 'Node',
  name: string,
  namespace: string | undefined,
  status: unknown,
): Promise<void> {
  const core = client.makeApiClient(CoreV1Api);
  const opt = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  if (kind === 'Pod')
    await core.patchNamespacedPodStatus({ name, namespace: namespace ?? 'default', body: { status } }, opt);
  else await core.patchNodeStatus({ name, body: { status } }, opt);
}
