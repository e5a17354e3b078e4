// A tiny in-memory stand-in for the KubeClient subset backing setup uses, with a
// "kubelet" that marks StatefulSets ready after they are created. Used until tests can
// run against the embedded API server for every case.
import type { KubeObject } from '../../../src/manifests/types.js';
import type { BackingKube } from '../../../src/engine/backing/setup.js';

export class MemoryKube implements BackingKube {
  readonly objects = new Map<string, KubeObject>();
  creates = 0;
  patches: KubeObject[] = [];
  constructor(private readonly readyStatefulSets = true) {}
  private key(apiVersion: string, kind: string, name: string, ns?: string) {
    return `${apiVersion}/${kind}/${ns ?? ''}/${name}`;
  }
  async get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    const o = this.objects.get(this.key(apiVersion, kind, name, namespace));
    return o ? (structuredClone(o) as T) : undefined;
  }
  async createOrSkip(obj: KubeObject): Promise<boolean> {
    const k = this.key(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
    if (this.objects.has(k)) return false;
    this.creates++;
    const stored = structuredClone(obj);
    if (obj.kind === 'StatefulSet' && this.readyStatefulSets)
      stored.status = { readyReplicas: 1, availableReplicas: 1 };
    this.objects.set(k, stored);
    return true;
  }
  async mergePatch(obj: KubeObject): Promise<KubeObject> {
    const k = this.key(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
    const cur = this.objects.get(k);
    if (!cur) throw Object.assign(new Error(`${obj.kind} ${obj.metadata.name} not found`), { statusCode: 404 });
    this.patches.push(structuredClone(obj));
    const next = mergePatch(cur, obj) as KubeObject;
    this.objects.set(k, next);
    return structuredClone(next);
  }
  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: { labelSelector?: string } = {},
  ): Promise<T[]> {
    // Equality selectors only (k=v,k2=v2), which is all the callers use.
    const want = (opts.labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('='));
    return [...this.objects.values()].filter(
      (o) => o.apiVersion === apiVersion && o.kind === kind && want.every(([k, v]) => o.metadata.labels?.[k!] === v),
    ) as T[];
  }
}

/** RFC 7386: objects merge key by key, null deletes, anything else (lists too) replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const isObject = target !== null && typeof target === 'object' && !Array.isArray(target);
  const out: Record<string, unknown> = isObject ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
