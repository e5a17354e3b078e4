// Small object helpers shared by the emulated controllers.
import type { KubeObject } from '../../manifests/types.js';
import type { RestClient } from './rest.js';
import { objectPath, type Resource } from './resources.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type Obj = KubeObject & {
  metadata: KubeObject['metadata'] & {
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    creationTimestamp?: string;
    generation?: number;
  };
};

export const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What a controller's cache answers; the reconcilers and watch maps read it. */
interface CachedKind {
  get(namespace: string, name: string): KubeObject | undefined;
  list(namespace?: string): KubeObject[];
}

/** A reconcile's primary object from the cache, with its key split (undefined once gone). */
export function cachedPrimary(
  ctx: { cache(res: Resource): CachedKind },
  res: Resource,
  key: string,
): { namespace: string; name: string; obj: Obj | undefined } {
  const { namespace, name } = splitKey(key);
  return { namespace, name, obj: ctx.cache(res).get(namespace, name) as Obj | undefined };
}

/** The queue keys of the cached objects in a namespace that match: a watch fanning one event out. */
export function keysWhere(cached: CachedKind, namespace: string | undefined, match: (o: Obj) => boolean): string[] {
  return cached
    .list(namespace)
    .filter((o) => match(o as Obj))
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
}

/**
 * How CAPI's controllers take hold of the objects they reference (the Cluster controller's
 * ensureOwnerRefAndLabel, the Machine controller's ensureExternalOwnershipAndWatch): for each
 * object, the ownerRefs `owners` returns (undefined: already right, nothing to write) and the
 * cluster-name label. `lockVersion` sends the resourceVersion, so a concurrent change conflicts.
 */
export async function ensureOwnership(
  client: RestClient,
  refs: ReadonlyArray<readonly [Obj | undefined, Resource | undefined]>,
  clusterName: string,
  owners: (obj: Obj) => unknown[] | undefined,
  lockVersion = false,
): Promise<void> {
  for (const [obj, res] of refs) {
    const ownerReferences = obj && res ? owners(obj) : undefined;
    if (!obj || !res || !ownerReferences) continue;
    await client.mergePatch(objectPath(res, obj.metadata.name, obj.metadata.namespace), {
      metadata: {
        ...(lockVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        labels: { 'cluster.x-k8s.io/cluster-name': clusterName },
        ownerReferences,
      },
    });
  }
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function field<T>(obj: unknown, ...path: string[]): T | undefined {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur as T | undefined;
}

/** Replaces the condition of the same type, keeping lastTransitionTime when the status is unchanged. */
export function setCondition(list: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const out = (list ?? []).filter((x) => x.type !== c.type);
  const old = (list ?? []).find((x) => x.type === c.type);
  // metav1.Condition requires message (empty is fine): the real CRDs reject a condition without it.
  out.push({
    message: '',
    ...c,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : nowIso(),
  });
  return out;
}

/**
 * The same for CAPI's v1beta1 conditions (kept under status.deprecated.v1beta1): there
 * reason and message are optional but, when present, at least one character long.
 */
export function setV1beta1Condition(
  list: Condition[] | undefined,
  c: Omit<Condition, 'lastTransitionTime'>,
): Condition[] {
  return setCondition(list, c).map((x) => {
    if (x.type !== c.type) return x;
    const { reason, message, ...rest } = x;
    return { ...rest, ...(reason ? { reason } : {}), ...(message ? { message } : {}) } as Condition;
  });
}

export function condition(obj: unknown, type: string, ...path: string[]): Condition | undefined {
  const list = field<Condition[]>(obj, ...(path.length ? path : ['status', 'conditions']));
  return list?.find((c) => c.type === type);
}

export function isDeleting(obj: Obj): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

/** Deletes `obj` unless its deletion has begun (a second DELETE would only be noise). */
export async function deleteOnce(client: RestClient, res: Resource, obj: Obj): Promise<void> {
  if (!obj.metadata.deletionTimestamp) await client.delete(objectPath(res, obj.metadata.name, obj.metadata.namespace));
}

export async function addFinalizer(client: RestClient, res: Resource, obj: Obj, finalizer: string): Promise<boolean> {
  const list = obj.metadata.finalizers ?? [];
  if (list.includes(finalizer)) return false;
  await client.mergePatch(objectPath(res, obj.metadata.name, obj.metadata.namespace), {
    metadata: { finalizers: [...list, finalizer], resourceVersion: obj.metadata.resourceVersion },
  });
  return true;
}

export async function removeFinalizer(client: RestClient, res: Resource, obj: Obj, finalizer: string): Promise<void> {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) return;
  await client.mergePatch(objectPath(res, obj.metadata.name, obj.metadata.namespace), {
    metadata: { finalizers: list.filter((f) => f !== finalizer), resourceVersion: obj.metadata.resourceVersion },
  });
}

export function patchStatus(
  client: RestClient,
  res: Resource,
  obj: Obj,
  status: Record<string, unknown>,
): Promise<KubeObject> {
  return client.mergePatch(objectPath(res, obj.metadata.name, obj.metadata.namespace, 'status'), { status });
}

export function ownerRef(
  obj: Obj,
  controller = true,
): { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean } {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    uid: obj.metadata.uid ?? '',
    controller,
    blockOwnerDeletion: true,
  };
}

export function ownedBy(obj: Obj, kind: string): string | undefined {
  return (obj.metadata.ownerReferences ?? []).find((o) => o.kind === kind)?.name;
}

export function elapsedSince(iso: string | undefined): number {
  if (!iso) return Infinity;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? Infinity : Date.now() - t;
}

const ALPHANUM = 'bcdfghjklmnpqrstvwxz2456789';
/** Kubernetes' rand.String alphabet (no vowels, no confusable digits). */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUM[Math.floor(Math.random() * ALPHANUM.length)];
  return s;
}
