// The semantics of stored objects: create/get/list/update/patch/delete with uid, timestamps,
// a global resourceVersion, generation, optimistic concurrency and CRD registration. No HTTP in
// here. The layers under the verbs live beside it: ./object-index.ts (buckets, resourceVersion,
// uid/owner/namespace indexes), ./object-deletion.ts (finalizers, propagation, namespace
// cascade, owner-reference garbage collection), ./list-page.ts (LIST paging and selectors),
// ./builtin-defaults.ts (what built-in kinds get filled in) and ./stored-object.ts (encoding).
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { jsonAs, objectKey, type Stored } from './store.js';
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
import { checkLegacyEvent, checkName, checkSchema, type FieldValidation } from './validation.js';
import { fieldsMatch } from './selectors.js';
import { checkFieldSelector } from './fields.js';
import { ObjectDeletion } from './object-deletion.js';
import { listJson, type ListOptions } from './list-page.js';
import { applyBuiltinDefaults } from './builtin-defaults.js';
import { canonical, fieldView, meta, now, specOf } from './stored-object.js';

export type { ListOptions } from './list-page.js';

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

/** kube-apiserver's NamespaceLifecycle admission refuses to delete these. */
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class ObjectStore extends ObjectDeletion {
  private nextServiceIp = 10;

  /** Hands out the next Service ClusterIP (10.96.0.10 upwards), as the service IP allocator does. */
  private readonly nextClusterIp = (): string => {
    const n = this.nextServiceIp++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  };

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
    return listJson(this.slot(t).bucket, t, ns, opts, this.rv);
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
    checkLegacyEvent(t, body, ns);
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
    applyBuiltinDefaults(t, body, undefined, this.nextClusterIp);
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
      applyBuiltinDefaults(t, next, old, this.nextClusterIp);
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

  private afterCrdWrite(t: ResourceType, key: string): void {
    const item = this.slot(t).bucket.items.get(key);
    if (!item) return;
    const obj = JSON.parse(item.json) as JsonObject;
    if (item.deleting) return;
    this.registry.registerCrd(obj);
  }
}
