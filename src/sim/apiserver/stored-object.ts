// How one stored object is written and read back: canonical JSON (apiVersion and kind first),
// the metadata accessor every write path uses, the spec fingerprint that decides a generation
// bump, the Stored record with the few parsed fields kept beside the JSON, and the parsed view a
// field selector reads. Pure functions, shared by the store's index, its writes and its deletes.
import { isObject, type JsonObject } from './patch.js';
import { onlyMetadataFields, type FieldRequirement } from './selectors.js';
import type { Stored } from './store.js';

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Serialises with apiVersion and kind first, so other versions are a prefix rewrite. */
export function canonical(obj: JsonObject): string {
  const { apiVersion, kind, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, ...rest });
}

export function meta(obj: JsonObject): JsonObject {
  let m = obj.metadata;
  if (!isObject(m)) obj.metadata = m = {};
  return m;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
export function specOf(obj: JsonObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export function toStored(obj: JsonObject, rv: number): Stored {
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
