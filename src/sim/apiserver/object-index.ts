// The store's bookkeeping under the API semantics: one bucket (items + bounded event history)
// per resource, the global resourceVersion, and the indexes garbage collection needs (uid ->
// where the object lives, owner uid -> dependents, namespace -> object count). `commit` is the
// one way an object enters a bucket with an event; `restore` puts back a saved one without.
// The deletion rules (./object-deletion.ts) and the verbs (./objects.ts) build on this class.
import { Bucket, objectKey, type Stored, type EventType } from './store.js';
import type { Registry } from './registry.js';
import type { ResourceType } from './resource.js';
import type { JsonObject } from './patch.js';
import { meta, toStored } from './stored-object.js';

export interface Slot {
  bucket: Bucket;
  /** The type the bucket was created for (any served version; plural/group/kind are shared). */
  type: ResourceType;
}

export class ObjectIndex {
  protected rv = 1;
  protected readonly slots = new Map<string, Slot>();
  protected readonly byUid = new Map<string, { storageKey: string; key: string }>();
  /** owner uid -> dependent uids */
  protected readonly dependents = new Map<string, Set<string>>();
  /** namespace -> number of namespaced objects in it */
  protected readonly nsCounts = new Map<string, number>();

  constructor(
    protected readonly registry: Registry,
    private readonly historyCap: number,
  ) {}

  get resourceVersion(): number {
    return this.rv;
  }

  slot(t: ResourceType): Slot {
    let s = this.slots.get(t.storageKey);
    if (!s) {
      s = { bucket: new Bucket(this.historyCap, this.rv), type: t };
      this.slots.set(t.storageKey, s);
    }
    return s;
  }

  protected type(kind: string, group: string): ResourceType {
    for (const t of this.registry.allTypes()) if (t.kind === kind && t.group === group) return t;
    throw new Error(`no type for ${kind}.${group}`);
  }

  protected get nsType(): ResourceType {
    return this.type('Namespace', '');
  }

  /** Stores obj under key, bumping the global resourceVersion, and notifies watchers. */
  protected commit(t: ResourceType, key: string, obj: JsonObject, type: EventType, prev: Stored | undefined): Stored {
    const slot = this.slot(t);
    const md = meta(obj);
    const rv = ++this.rv;
    md.resourceVersion = String(rv);
    const stored = toStored(obj, rv);
    slot.bucket.items.set(key, stored);
    if (prev) this.unindex(prev);
    else if (stored.namespace) this.nsCounts.set(stored.namespace, (this.nsCounts.get(stored.namespace) ?? 0) + 1);
    this.index(stored, slot.type.storageKey, key);
    slot.bucket.record(prev ? { type, item: stored, prev } : { type, item: stored });
    return stored;
  }

  protected index(s: Stored, storageKey: string, key: string): void {
    this.byUid.set(s.uid, { storageKey, key });
    if (s.ownerUids) {
      for (const o of s.ownerUids) {
        let set = this.dependents.get(o);
        if (!set) {
          set = new Set();
          this.dependents.set(o, set);
        }
        set.add(s.uid);
      }
    }
  }

  protected unindex(s: Stored): void {
    if (s.ownerUids) {
      for (const o of s.ownerUids) {
        const set = this.dependents.get(o);
        if (set) {
          set.delete(s.uid);
          if (set.size === 0) this.dependents.delete(o);
        }
      }
    }
  }

  /**
   * Puts back an object saved from a store of this kind (the farm's restart): uid, timestamps
   * and resourceVersion stay as saved, no event is recorded (no watcher can exist yet).
   */
  restore(t: ResourceType, obj: JsonObject): void {
    const rv = Number(meta(obj).resourceVersion) || this.rv + 1;
    if (rv > this.rv) this.rv = rv;
    const stored = toStored(obj, rv);
    const key = objectKey(t.namespaced ? stored.namespace : '', stored.name);
    const slot = this.slot(t);
    if (slot.bucket.items.has(key)) return;
    slot.bucket.items.set(key, stored);
    if (stored.namespace) this.nsCounts.set(stored.namespace, (this.nsCounts.get(stored.namespace) ?? 0) + 1);
    this.index(stored, t.storageKey, key);
  }

  /** Every stored object's JSON, by resource (the farm's snapshot). */
  *allStored(): Generator<{ type: ResourceType; item: Stored }> {
    for (const s of this.slots.values()) for (const item of s.bucket.items.values()) yield { type: s.type, item };
  }

  /** Number of stored objects (for benchmarks and tests). */
  count(): number {
    let n = 0;
    for (const s of this.slots.values()) n += s.bucket.items.size;
    return n;
  }

  slotByKey(storageKey: string): Slot | undefined {
    return this.slots.get(storageKey);
  }
}
