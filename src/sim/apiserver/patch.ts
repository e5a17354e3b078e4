// The four patch types kube-apiserver accepts: JSON patch (RFC 6902), JSON merge patch
// (RFC 7386), strategic merge patch (Kubernetes merge keys) and apply patch (server-side
// apply, here without managed-field conflict tracking: see README.md).
import { badRequest, ApiStatusError } from './status.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };
type JsonObject = { [k: string]: Json | undefined };

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---- JSON merge patch ----
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

// ---- JSON patch ----
function unescapeToken(tok: string): string {
  return tok.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: unknown): string[] {
  if (typeof path !== 'string') throw badRequest('json patch: "path" must be a string');
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: invalid path "${path}"`);
  return path.slice(1).split('/').map(unescapeToken);
}

function getAt(doc: Json, ptr: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of ptr) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function failed(op: string, path: string, why: string): ApiStatusError {
  // kube-apiserver answers a JSON patch that cannot be applied with 422 (Invalid) for test
  // failures and 500 for missing paths; both are client errors, so use its messages loosely.
  return new ApiStatusError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${op} operation does not apply: ${why} (path ${path})`,
  );
}

function setAt(doc: Json, ptr: string[], value: Json, mode: 'add' | 'replace', rawPath: string): Json {
  if (ptr.length === 0) return value;
  const parent = getAt(doc, ptr.slice(0, -1));
  const last = ptr[ptr.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (mode === 'replace' && idx >= parent.length)) {
      throw failed(mode, rawPath, 'index out of range');
    }
    if (mode === 'add') parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObject(parent)) {
    if (mode === 'replace' && !(last in parent)) throw failed(mode, rawPath, `doc is missing key: ${rawPath}`);
    parent[last] = value;
  } else {
    throw failed(mode, rawPath, `doc is missing path: ${rawPath}`);
  }
  return doc;
}

function removeAt(doc: Json, ptr: string[], rawPath: string): Json {
  const parent = getAt(doc, ptr.slice(0, -1));
  const last = ptr[ptr.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length)
      throw failed('remove', rawPath, 'index out of range');
    parent.splice(idx, 1);
  } else if (isObject(parent) && last in parent) {
    delete parent[last];
  } else {
    throw failed('remove', rawPath, `Unable to remove nonexistent key: ${last}: missing value`);
  }
  return doc;
}

export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let cur: Json = structuredClone(doc);
  for (const raw of ops) {
    if (!isObject(raw)) throw badRequest('json patch: each operation must be an object');
    const op = raw.op;
    const path = parsePointer(raw.path);
    const rawPath = String(raw.path);
    switch (op) {
      case 'add':
        cur = setAt(cur, path, structuredClone(raw.value ?? null), 'add', rawPath);
        break;
      case 'replace':
        cur = setAt(cur, path, structuredClone(raw.value ?? null), 'replace', rawPath);
        break;
      case 'remove':
        cur = removeAt(cur, path, rawPath);
        break;
      case 'test': {
        const got = getAt(cur, path);
        if (JSON.stringify(got) !== JSON.stringify(raw.value)) throw failed('test', rawPath, 'testing value failed');
        break;
      }
      case 'move':
      case 'copy': {
        const from = parsePointer(raw.from);
        const v = getAt(cur, from);
        if (v === undefined) throw failed(op, String(raw.from), 'from path does not exist');
        if (op === 'move') cur = removeAt(cur, from, String(raw.from));
        cur = setAt(cur, path, structuredClone(v), 'add', rawPath);
        break;
      }
      default:
        throw badRequest(`json patch: unexpected operation "${String(op)}"`);
    }
  }
  return cur;
}

// ---- strategic merge patch: strategic-merge.ts ----
export { strategicMerge } from './strategic-merge.js';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

export function patchKindOf(contentType: string | undefined): PatchKind | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      return undefined;
  }
}

export type { Json, JsonObject };
export { isObject };
