// What DELETE means for a stored object, as kube-apiserver and its controllers do it together:
// finalizers hold an object (deletionTimestamp set) until they are removed; propagation
// Background/Foreground/Orphan decides what happens to dependents (owner-reference garbage
// collection, the foregroundDeletion finalizer, ownerReferences stripped); a namespace is
// emptied by the namespace controller before it goes; deleting a CRD drops its objects.
// Follow-up work runs on setImmediate, as the real collectors run after the request returns.
import { isObject, type JsonObject } from './patch.js';
import { ObjectIndex, type Slot } from './object-index.js';
import { meta, now, toStored } from './stored-object.js';

export class ObjectDeletion extends ObjectIndex {
  private gcQueue: Array<() => void> = [];
  private gcScheduled = false;

  /**
   * Deletes, honouring finalizers (sets deletionTimestamp and waits) and propagation.
   * Returns the JSON of the object as last seen.
   */
  protected deleteStored(
    slot: Slot,
    key: string,
    propagation: 'Background' | 'Foreground' | 'Orphan',
  ): string | undefined {
    const item = slot.bucket.items.get(key);
    if (!item) return undefined;
    const t = slot.type;
    const obj = JSON.parse(item.json) as JsonObject;
    const md = meta(obj);
    const fins = Array.isArray(md.finalizers) ? [...(md.finalizers as string[])] : [];
    const deps = this.dependents.get(item.uid);
    if (propagation === 'Orphan' && deps) this.orphan(item.uid, deps);
    if (propagation === 'Foreground' && deps && deps.size > 0 && !fins.includes('foregroundDeletion'))
      fins.push('foregroundDeletion');
    const isNamespace = t.kind === 'Namespace' && t.group === '';
    if (isNamespace && (this.nsCounts.get(item.name) ?? 0) > 0) {
      // The namespace controller empties it first; spec.finalizers keeps it until then.
      if (!item.deleting) {
        md.deletionTimestamp = now();
        md.deletionGracePeriodSeconds = 0;
        obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
        this.commit(t, key, obj, 'MODIFIED', item);
      }
      this.defer(() => this.emptyNamespace(item.name));
      return slot.bucket.items.get(key)?.json;
    }
    if (fins.length > 0) {
      if (!item.deleting || fins.length !== (md.finalizers as unknown[] | undefined)?.length) {
        md.finalizers = fins;
        md.deletionTimestamp ??= now();
        md.deletionGracePeriodSeconds ??= 0;
        if (isNamespace) obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
        this.commit(t, key, obj, 'MODIFIED', item);
      }
      if (propagation === 'Foreground' && deps)
        for (const d of [...deps]) this.defer(() => this.deleteByUid(d, 'Foreground'));
      return slot.bucket.items.get(key)?.json;
    }
    return this.remove(slot, key, obj);
  }

  /** Removes an object for good, then collects what depended on it. */
  protected remove(slot: Slot, key: string, obj: JsonObject): string {
    const prev = slot.bucket.items.get(key)!;
    const rv = ++this.rv;
    meta(obj).resourceVersion = String(rv);
    const last = toStored(obj, rv);
    slot.bucket.items.delete(key);
    this.unindex(prev);
    this.byUid.delete(prev.uid);
    slot.bucket.record({ type: 'DELETED', item: last });
    if (prev.namespace) {
      const n = (this.nsCounts.get(prev.namespace) ?? 1) - 1;
      if (n <= 0) this.nsCounts.delete(prev.namespace);
      else this.nsCounts.set(prev.namespace, n);
      const nsItem = this.slot(this.nsType).bucket.items.get(prev.namespace);
      if (nsItem?.deleting && n <= 0) this.defer(() => this.finishNamespace(prev.namespace));
    }
    const t = slot.type;
    if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') this.dropCrd(obj);
    const deps = this.dependents.get(prev.uid);
    if (deps) for (const d of [...deps]) this.defer(() => this.collect(d));
    // Foreground owners waiting on this dependent.
    for (const o of prev.ownerUids ?? []) this.defer(() => this.releaseForeground(o));
    return last.json;
  }

  private dropCrd(crd: JsonObject): void {
    const types = this.registry.unregisterCrd(String(meta(crd).name ?? ''));
    const first = types[0];
    if (!first) return;
    const slot = this.slots.get(first.storageKey);
    if (!slot) return;
    for (const key of [...slot.bucket.items.keys()]) {
      const item = slot.bucket.items.get(key)!;
      this.remove(slot, key, JSON.parse(item.json) as JsonObject);
    }
  }

  private defer(fn: () => void): void {
    this.gcQueue.push(fn);
    if (this.gcScheduled) return;
    this.gcScheduled = true;
    setImmediate(() => {
      this.gcScheduled = false;
      const q = this.gcQueue;
      this.gcQueue = [];
      for (const f of q) f();
    });
  }

  private deleteByUid(uid: string, propagation: 'Background' | 'Foreground'): void {
    const where = this.byUid.get(uid);
    if (!where) return;
    const slot = this.slots.get(where.storageKey);
    if (slot) this.deleteStored(slot, where.key, propagation);
  }

  /** Background GC: a dependent whose owners are all gone is deleted. */
  private collect(uid: string): void {
    const where = this.byUid.get(uid);
    if (!where) return;
    const item = this.slots.get(where.storageKey)?.bucket.items.get(where.key);
    if (!item?.ownerUids) return;
    if (item.ownerUids.some((o) => this.byUid.has(o))) return;
    this.deleteByUid(uid, 'Background');
  }

  private releaseForeground(ownerUid: string): void {
    const where = this.byUid.get(ownerUid);
    if (!where) return;
    const slot = this.slots.get(where.storageKey)!;
    const item = slot.bucket.items.get(where.key);
    if (!item?.deleting || !item.finalizers?.includes('foregroundDeletion')) return;
    if ((this.dependents.get(ownerUid)?.size ?? 0) > 0) return;
    const obj = JSON.parse(item.json) as JsonObject;
    const md = meta(obj);
    md.finalizers = item.finalizers.filter((f) => f !== 'foregroundDeletion');
    if ((md.finalizers as string[]).length === 0) {
      delete md.finalizers;
      this.remove(slot, where.key, obj);
    } else {
      this.commit(slot.type, where.key, obj, 'MODIFIED', item);
    }
  }

  private orphan(ownerUid: string, deps: Set<string>): void {
    for (const d of [...deps]) {
      const where = this.byUid.get(d);
      if (!where) continue;
      const slot = this.slots.get(where.storageKey)!;
      const item = slot.bucket.items.get(where.key)!;
      const obj = JSON.parse(item.json) as JsonObject;
      const md = meta(obj);
      const refs = (md.ownerReferences as JsonObject[]).filter((r) => r.uid !== ownerUid);
      if (refs.length) md.ownerReferences = refs;
      else delete md.ownerReferences;
      this.commit(slot.type, where.key, obj, 'MODIFIED', item);
    }
  }

  /** The namespace controller: delete everything in a terminating namespace. */
  private emptyNamespace(ns: string): void {
    for (const slot of this.slots.values()) {
      if (!slot.type.namespaced) continue;
      for (const [key, item] of [...slot.bucket.items]) {
        if (item.namespace === ns && !item.deleting) this.deleteStored(slot, key, 'Background');
      }
    }
    if ((this.nsCounts.get(ns) ?? 0) === 0) this.finishNamespace(ns);
  }

  private finishNamespace(ns: string): void {
    const slot = this.slot(this.nsType);
    const item = slot.bucket.items.get(ns);
    if (!item?.deleting || (this.nsCounts.get(ns) ?? 0) > 0) return;
    const obj = JSON.parse(item.json) as JsonObject;
    obj.spec = { finalizers: [] };
    if (item.finalizers && item.finalizers.length > 0) {
      this.commit(slot.type, ns, obj, 'MODIFIED', item);
      return;
    }
    this.remove(slot, ns, obj);
  }
}
