// The semantics of stored objects: create/get/list/update/patch/delete with uid, timestamps,
// a global resourceVersion, generation, optimistic concurrency, finalizers, namespace
// cascade, owner-reference garbage collection and CRD registration. No HTTP in here.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { Bucket, jsonAs, objectKey, type Stored, type EventType } from './store.js';
import type { Registry } from './registry.js';
import { apiVersionOf, type ResourceType } from './resource.js';
import { ApiStatusError, alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';
import {
  isObject,
  jsonPatch,
  mergePatch,
  strategicMerge,
  type Json,
  type JsonObject,
  type PatchKind,
} from './patch.js';
import { checkName, checkSchema, type FieldValidation } from './validation.js';
import { fieldsMatch, onlyMetadataFields, type FieldRequirement, type LabelPredicate } from './selectors.js';
import { checkFieldSelector } from './fields.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  fieldManager?: string;
  force?: boolean;
}

export interface WriteResult {
  json: string;
  code: number;
  warnings: string[];
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  label?: LabelPredicate;
  fields?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

interface Slot {
  bucket: Bucket;
  /** The type the bucket was created for (any served version; plural/group/kind are shared). */
  type: ResourceType;
}

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Serialises with apiVersion and kind first, so other versions are a prefix rewrite. */
function canonical(obj: JsonObject): string {
  const { apiVersion, kind, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, ...rest });
}

function meta(obj: JsonObject): JsonObject {
  let m = obj.metadata;
  if (!isObject(m)) obj.metadata = m = {};
  return m;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specOf(obj: JsonObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** kube-apiserver's NamespaceLifecycle admission refuses to delete these. */
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class ObjectStore {
  private rv = 1;
  private readonly slots = new Map<string, Slot>();
  private readonly byUid = new Map<string, { storageKey: string; key: string }>();
  /** owner uid -> dependent uids */
  private readonly dependents = new Map<string, Set<string>>();
  /** namespace -> number of namespaced objects in it */
  private readonly nsCounts = new Map<string, number>();
  private gcQueue: Array<() => void> = [];
  private gcScheduled = false;
  private nextServiceIp = 10;

  constructor(
    private readonly registry: Registry,
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

  private type(kind: string, group: string): ResourceType {
    for (const t of this.registry.allTypes()) if (t.kind === kind && t.group === group) return t;
    throw new Error(`no type for ${kind}.${group}`);
  }

  private get nsType(): ResourceType {
    return this.type('Namespace', '');
  }

  // ---------------------------------------------------------------- reads

  get(t: ResourceType, ns: string, name: string): Stored {
    const item = this.slot(t).bucket.items.get(objectKey(ns, name));
    if (!item) throw notFound(t.plural, t.group, name);
    return item;
  }

  getObject(t: ResourceType, ns: string, name: string): JsonObject {
    return JSON.parse(this.get(t, ns, name).json) as JsonObject;
  }

  /** Returns the List JSON. */
  list(t: ResourceType, ns: string | undefined, opts: ListOptions): string {
    if (opts.fields) checkFieldSelector(t, opts.fields);
    const bucket = this.slot(t).bucket;
    const apiVersion = apiVersionOf(t);
    let start = '';
    if (opts.continueToken) {
      try {
        const c = JSON.parse(Buffer.from(opts.continueToken, 'base64').toString('utf8')) as { start?: string };
        start = String(c.start ?? '');
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
    }
    const keys = opts.limit || start ? bucket.sortedKeys(ns) : undefined;
    const parts: string[] = [];
    let cont: string | undefined;
    let remaining = 0;
    const consider = (item: Stored): boolean => {
      if (opts.label && !opts.label(item.labels)) return false;
      if (opts.fields && !fieldsMatch(opts.fields, fieldView(item, opts.fields))) return false;
      return true;
    };
    if (keys) {
      let i = start ? lowerBound(keys, start) : 0;
      for (; i < keys.length; i++) {
        const item = bucket.items.get(keys[i]!);
        if (!item || !consider(item)) continue;
        if (opts.limit && parts.length >= opts.limit) {
          cont = Buffer.from(JSON.stringify({ rv: this.rv, start: keys[i] })).toString('base64');
          remaining = keys.length - i;
          break;
        }
        parts.push(jsonAs(item, apiVersion));
      }
    } else {
      for (const item of bucket.items.values()) {
        if (ns !== undefined && item.namespace !== ns) continue;
        if (consider(item)) parts.push(jsonAs(item, apiVersion));
      }
    }
    const md: Record<string, unknown> = { resourceVersion: String(this.rv) };
    if (cont) {
      md.continue = cont;
      if (!opts.label && !opts.fields) md.remainingItemCount = remaining;
    }
    return `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(md)},"items":[${parts.join(',')}]}`;
  }

  // ---------------------------------------------------------------- writes

  create(t: ResourceType, ns: string, body: JsonObject, opts: WriteOptions = {}): WriteResult {
    const md = meta(body);
    if (body.kind !== undefined && body.kind !== t.kind) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`,
      );
    }
    body.apiVersion = apiVersionOf(t);
    body.kind = t.kind;
    if (t.namespaced) {
      if (md.namespace !== undefined && md.namespace !== '' && md.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      md.namespace = ns;
    } else {
      delete md.namespace;
    }
    if (!md.name && typeof md.generateName === 'string' && md.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
      md.name = md.generateName + suffix;
    }
    const name = typeof md.name === 'string' ? md.name : '';
    if (!name) {
      throw invalid(t.kind, t.group, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    checkName(t, name);
    if (t.namespaced) this.checkNamespaceWritable(ns);
    const warnings = checkSchema(t, body, name, opts.fieldValidation ?? 'Warn');
    const { bucket } = this.slot(t);
    const key = objectKey(t.namespaced ? ns : '', name);
    if (bucket.items.has(key)) throw alreadyExists(t.plural, t.group, name);

    md.uid = randomUUID();
    md.creationTimestamp = now();
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.managedFields;
    if (t.custom || 'spec' in body) md.generation = 1;
    else delete md.generation;
    if (t.status) delete body.status;
    this.prepareBuiltin(t, body, undefined);
    if (opts.dryRun) return { json: canonical(body), code: 201, warnings };
    const stored = this.commit(t, key, body, 'ADDED', undefined);
    if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') this.afterCrdWrite(t, key);
    return { json: this.slot(t).bucket.items.get(key)?.json ?? stored.json, code: 201, warnings };
  }

  update(
    t: ResourceType,
    ns: string,
    name: string,
    body: JsonObject,
    sub: string | undefined,
    opts: WriteOptions = {},
  ): WriteResult {
    const md = meta(body);
    if (md.name !== undefined && md.name !== name) {
      throw badRequest(`the name of the object (${String(md.name)}) does not match the name on the URL (${name})`);
    }
    if (t.namespaced && md.namespace !== undefined && md.namespace !== '' && md.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (body.kind !== undefined && body.kind !== t.kind)
      throw badRequest(`the kind of the object (${String(body.kind)}) does not match ${t.kind}`);
    const cur = this.get(t, ns, name);
    const rv = md.resourceVersion;
    if (rv === undefined || rv === '') {
      if (t.custom) {
        throw invalid(t.kind, t.group, name, [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0x0: must be specified for an update',
          },
        ]);
      }
    } else if (String(rv) !== String(cur.rv)) {
      throw conflict(t.plural, t.group, name);
    }
    return this.replace(t, cur, body, sub, opts);
  }

  patch(
    t: ResourceType,
    ns: string,
    name: string,
    kind: PatchKind,
    raw: string,
    sub: string | undefined,
    opts: WriteOptions = {},
  ): WriteResult {
    if (kind === 'strategic' && t.custom) {
      throw new ApiStatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    let patch: Json;
    try {
      patch = (kind === 'apply' ? parseYaml(raw) : JSON.parse(raw)) as Json;
    } catch (err) {
      throw badRequest(`error decoding patch: ${(err as Error).message.split('\n')[0]}`);
    }
    if (kind === 'apply') {
      if (!opts.fieldManager)
        throw badRequest(
          'PATCH /apply requires fieldManager to be set (the fieldManager query parameter is required for apply requests)',
        );
      if (!isObject(patch)) throw badRequest('apply patch must be an object');
    } else if (kind !== 'json' && !isObject(patch)) {
      throw badRequest('error decoding patch: the patch must be a JSON object');
    }
    const item = this.slot(t).bucket.items.get(objectKey(t.namespaced ? ns : '', name));
    if (!item) {
      if (kind === 'apply' && isObject(patch) && sub === undefined) {
        const body = structuredClone(patch) as JsonObject;
        meta(body).name ??= name;
        const r = this.create(t, ns, body, opts);
        return { ...r, code: 201 };
      }
      throw notFound(t.plural, t.group, name);
    }
    const current = JSON.parse(item.json) as JsonObject;
    let next: Json;
    switch (kind) {
      case 'json':
        next = jsonPatch(current, patch);
        break;
      case 'merge':
        next = mergePatch(current, patch);
        break;
      case 'strategic':
        next = strategicMerge(current, patch);
        break;
      case 'apply':
        next = strategicMerge(current, patch);
        break;
    }
    if (!isObject(next)) throw badRequest('the patch produced a value that is not an object');
    const md = meta(next);
    if (md.name !== name)
      throw badRequest(`the name of the object (${String(md.name)}) does not match the name on the URL (${name})`);
    const rv = md.resourceVersion;
    if (rv !== undefined && String(rv) !== String(item.rv)) throw conflict(t.plural, t.group, name);
    return this.replace(t, item, next, sub, opts);
  }

  /** The shared tail of update and patch: merges with the stored object and commits. */
  private replace(
    t: ResourceType,
    cur: Stored,
    body: JsonObject,
    sub: string | undefined,
    opts: WriteOptions,
  ): WriteResult {
    const old = JSON.parse(cur.json) as JsonObject;
    const oldMd = meta(old);
    let next: JsonObject;
    let warnings: string[] = [];
    if (sub === 'status') {
      next = { ...old, status: body.status as Json };
      if (body.status === undefined) delete next.status;
      warnings = checkSchema(t, next, cur.name, opts.fieldValidation ?? 'Warn', old);
    } else {
      next = body;
      next.apiVersion = apiVersionOf(t);
      next.kind = t.kind;
      if (t.status) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      const md = meta(next);
      md.name = oldMd.name;
      if (t.namespaced) md.namespace = oldMd.namespace;
      else delete md.namespace;
      md.uid = oldMd.uid;
      md.creationTimestamp = oldMd.creationTimestamp;
      if (oldMd.deletionTimestamp !== undefined) {
        md.deletionTimestamp = oldMd.deletionTimestamp;
        md.deletionGracePeriodSeconds = oldMd.deletionGracePeriodSeconds ?? 0;
      } else {
        delete md.deletionTimestamp;
        delete md.deletionGracePeriodSeconds;
      }
      delete md.managedFields;
      if (oldMd.generation !== undefined) md.generation = oldMd.generation;
      warnings = checkSchema(t, next, cur.name, opts.fieldValidation ?? 'Warn', old);
      if (oldMd.generation !== undefined && specOf(old) !== specOf(next)) md.generation = Number(oldMd.generation) + 1;
      this.prepareBuiltin(t, next, old);
    }
    meta(next).resourceVersion = String(cur.rv);
    // A write that changes nothing is a no-op, as in kube-apiserver: same resourceVersion, no event.
    const candidate = canonical(next);
    if (candidate === jsonAs(cur, apiVersionOf(t)) || opts.dryRun) return { json: candidate, code: 200, warnings };
    const storageKey = t.storageKey;
    const key = objectKey(cur.namespace, cur.name);
    const md = meta(next);
    const fins = Array.isArray(md.finalizers) ? md.finalizers : [];
    if (md.deletionTimestamp !== undefined && fins.length === 0) {
      const json = this.remove(this.slots.get(storageKey)!, key, next);
      return { json, code: 200, warnings };
    }
    const stored = this.commit(t, key, next, 'MODIFIED', cur);
    if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') this.afterCrdWrite(t, key);
    return { json: this.slot(t).bucket.items.get(key)?.json ?? stored.json, code: 200, warnings };
  }

  delete(t: ResourceType, ns: string, name: string, opts: DeleteOptions = {}): WriteResult {
    const item = this.get(t, ns, name);
    if (t.kind === 'Namespace' && t.group === '' && PROTECTED_NAMESPACES.has(name)) {
      throw new ApiStatusError(
        403,
        'Forbidden',
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        { name, kind: 'namespaces' },
      );
    }
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== item.uid) {
      throw new ApiStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${t.plural} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${item.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(item.rv)) {
      throw new ApiStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${t.plural} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${item.rv}`,
      );
    }
    if (opts.dryRun) return { json: jsonAs(item, apiVersionOf(t)), code: 200, warnings: [] };
    const json = this.deleteStored(
      this.slot(t),
      objectKey(item.namespace, item.name),
      opts.propagationPolicy ?? 'Background',
    );
    return { json: json ?? jsonAs(item, apiVersionOf(t)), code: 200, warnings: [] };
  }

  deleteCollection(t: ResourceType, ns: string | undefined, opts: ListOptions & DeleteOptions): string {
    const slot = this.slot(t);
    const parts: string[] = [];
    for (const [key, item] of [...slot.bucket.items]) {
      if (ns !== undefined && item.namespace !== ns) continue;
      if (opts.label && !opts.label(item.labels)) continue;
      if (opts.fields && !fieldsMatch(opts.fields, fieldView(item, opts.fields))) continue;
      if (opts.dryRun) {
        parts.push(item.json);
        continue;
      }
      const json = this.deleteStored(slot, key, opts.propagationPolicy ?? 'Background');
      if (json) parts.push(json);
    }
    return `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(t))},"metadata":{"resourceVersion":"${this.rv}"},"items":[${parts.join(',')}]}`;
  }

  // ---------------------------------------------------------------- internals

  private checkNamespaceWritable(ns: string): void {
    const nsItem = this.slot(this.nsType).bucket.items.get(ns);
    if (!nsItem)
      throw new ApiStatusError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (nsItem.deleting) {
      throw new ApiStatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${ns} because it is being terminated`,
        {
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${ns} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  /** Defaults the built-in kinds need for kubectl and controllers to be happy. */
  private prepareBuiltin(t: ResourceType, obj: JsonObject, old: JsonObject | undefined): void {
    if (t.custom) return;
    if (t.kind === 'Namespace' && !old) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    } else if (t.kind === 'Namespace' && old) {
      obj.spec = old.spec ?? null;
    } else if (t.kind === 'Pod' && !old) {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    } else if (t.kind === 'Service') {
      if (!isObject(obj.spec)) obj.spec = {};
      const spec = obj.spec as JsonObject;
      const oldSpec = old && isObject(old.spec) ? old.spec : undefined;
      if (spec.type === undefined) spec.type = 'ClusterIP';
      if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
        if (oldSpec?.clusterIP) spec.clusterIP = oldSpec.clusterIP;
        else {
          const n = this.nextServiceIp++;
          spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
        }
        spec.clusterIPs = [spec.clusterIP];
      }
    } else if (t.kind === 'Secret' && obj.type === undefined) {
      obj.type = 'Opaque';
    } else if (t.kind === 'CustomResourceDefinition') {
      const names = isObject(obj.spec) && isObject(obj.spec.names) ? obj.spec.names : {};
      obj.status = {
        acceptedNames: names,
        conditions: [
          {
            type: 'NamesAccepted',
            status: 'True',
            reason: 'NoConflicts',
            message: 'no conflicts found',
            lastTransitionTime: now(),
          },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
            lastTransitionTime: now(),
          },
        ],
        storedVersions: Array.isArray(isObject(obj.spec) ? obj.spec.versions : undefined)
          ? ((obj.spec as JsonObject).versions as JsonObject[]).filter((v) => v.storage).map((v) => v.name as string)
          : [],
      };
    }
  }

  private afterCrdWrite(t: ResourceType, key: string): void {
    const item = this.slot(t).bucket.items.get(key);
    if (!item) return;
    const obj = JSON.parse(item.json) as JsonObject;
    if (item.deleting) return;
    this.registry.registerCrd(obj);
  }

  /** Stores obj under key, bumping the global resourceVersion, and notifies watchers. */
  private commit(t: ResourceType, key: string, obj: JsonObject, type: EventType, prev: Stored | undefined): Stored {
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

  private index(s: Stored, storageKey: string, key: string): void {
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

  private unindex(s: Stored): void {
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
   * Deletes, honouring finalizers (sets deletionTimestamp and waits) and propagation.
   * Returns the JSON of the object as last seen.
   */
  private deleteStored(
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
  private remove(slot: Slot, key: string, obj: JsonObject): string {
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

function lowerBound(keys: string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function toStored(obj: JsonObject, rv: number): Stored {
  const md = meta(obj);
  const refs = Array.isArray(md.ownerReferences) ? (md.ownerReferences as JsonObject[]) : undefined;
  const fins = Array.isArray(md.finalizers) && md.finalizers.length > 0 ? (md.finalizers as string[]) : undefined;
  return {
    name: String(md.name ?? ''),
    namespace: typeof md.namespace === 'string' ? md.namespace : '',
    uid: String(md.uid ?? ''),
    rv,
    json: canonical(obj),
    apiVersion: String(obj.apiVersion),
    labels: isObject(md.labels) ? (md.labels as Record<string, string>) : undefined,
    ownerUids: refs?.map((r) => String(r.uid)),
    finalizers: fins,
    deleting: md.deletionTimestamp !== undefined,
  };
}

/** Parsed view for field selectors; metadata-only selectors skip the parse. */
export function fieldView(item: Stored, reqs?: FieldRequirement[]): unknown {
  if (reqs && onlyMetadataFields(reqs)) return { metadata: { name: item.name, namespace: item.namespace } };
  return JSON.parse(item.json);
}
