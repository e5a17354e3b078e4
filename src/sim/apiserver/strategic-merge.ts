// Strategic merge patch as kube-apiserver applies it (apimachinery strategicpatch, server side:
// parallel lists merged, unmatched nulls ignored). Written from a reading of upstream, not a copy.
//
// What matters most and is easy to get wrong is the ORDER of a merged list. Upstream does not
// append new items after the live ones: it splits the merged list into the items named in the
// patch and the server-only ones, orders the first by the patch (or by `$setElementOrder`) and
// the second by the live object, then interleaves them, putting a server-only item first only
// when the live list had it before the patch item it is compared with. So patching ports [80]
// with [443] gives [443, 80], and env [E1, E2] with [E2, E3] gives [E1, E2, E3].
//
// Directives: `$patch: replace|delete` on maps and list items, `$retainKeys`,
// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`. Merge keys come from the
// Kubernetes types' patchMergeKey tags, looked up by field name (the built-in kinds served here
// use each name with one meaning); lists without a merge strategy are replaced.
import { badRequest } from './status.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };
type JsonObject = { [k: string]: Json | undefined };

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** patchStrategy:"merge" lists of objects and their patchMergeKey, by JSON field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  addresses: 'type',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
};
/** patchStrategy:"merge" lists of scalars (merged as sets). */
const MERGE_SCALARS = new Set(['finalizers']);

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const ORDER_PREFIX = '$setElementOrder/';
const DELETE_PREFIX = '$deleteFromPrimitiveList/';

/** How a list field merges: by a key (objects), as a set (scalars), or not at all (replaced). */
type ListStrategy = { key: string } | { scalars: true } | undefined;

function strategyOf(field: string, sample: Json[]): ListStrategy {
  if (MERGE_SCALARS.has(field)) return { scalars: true };
  let key = MERGE_KEYS[field];
  if (!key) return undefined;
  // A Service's ports merge on `port`, a container's on `containerPort`.
  if (field === 'ports' && sample.some((e) => isObject(e) && 'port' in e && !('containerPort' in e))) key = 'port';
  return { key };
}

/** Drops `$` directives from a value taken whole from the patch (the typed decode upstream drops them). */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && DIRECTIVE in e)).map(strip);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$') && x !== undefined) out[k] = strip(x);
  return out;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  return mergeMap(isObject(target) ? target : undefined, patch);
}

function mergeMap(original: JsonObject | undefined, patchIn: JsonObject): JsonObject {
  const directive = patchIn[DIRECTIVE];
  if (directive !== undefined) {
    if (directive === 'replace') return strip(patchIn) as JsonObject;
    if (directive === 'delete') return {};
    throw badRequest(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patchIn)}`);
  }
  const out: JsonObject = original ? { ...original } : {};
  const patch: JsonObject = { ...patchIn };

  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
    const keep = new Set(retain.map((x) => String(x)));
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
      if (!keep.has(k)) throw badRequest('invalid patch format of retainKeys');
    }
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }

  // $setElementOrder lists first, with the list they order (which is then not merged again).
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(ORDER_PREFIX)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
    const field = k.slice(ORDER_PREFIX.length);
    const orig = out[field];
    const given = patch[field];
    if (orig !== undefined && !Array.isArray(orig)) throw badRequest(`${field}: expected a list`);
    if (given !== undefined && given !== null && !Array.isArray(given)) throw badRequest(`${field}: expected a list`);
    const origList = (orig ?? []) as Json[];
    const patchList = (given ?? []) as Json[];
    if (orig === undefined && given === undefined) continue;
    const strategy = strategyOf(field, [...origList, ...patchList]);
    const key = strategy && 'key' in strategy ? strategy.key : undefined;
    checkOrderCoversPatch(patchList, order, key);
    let merged: Json[];
    if (orig === undefined) merged = patchList.map(strip);
    else if (given === undefined) merged = origList;
    else merged = mergeList(field, origList, patchList, false);
    const [inOrder, serverOnly] = partition(merged, order, key);
    out[field] = normalizeOrder(inOrder, serverOnly, order, origList, key);
    delete patch[field];
  }

  for (const [k0, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    let k = k0;
    let deleteList = false;
    if (k.startsWith(DELETE_PREFIX)) {
      k = k.slice(DELETE_PREFIX.length);
      if (!Array.isArray(v)) throw badRequest('invalid patch format of primitive list');
      if (out[k] === undefined) continue;
      deleteList = true;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (cur === undefined || cur === null) {
      out[k] = strip(v);
      continue;
    }
    if (isObject(cur) && isObject(v)) out[k] = mergeMap(cur, v);
    else if (Array.isArray(cur) && Array.isArray(v)) out[k] = mergeList(k, cur, v, deleteList);
    else out[k] = strip(v);
  }
  return out;
}

function mergeList(field: string, original: Json[], patch: Json[], deleteList: boolean): Json[] {
  const strategy = strategyOf(field, [...patch, ...original]);
  if (!strategy) return strip(patch) as Json[];
  if (original.length === 0 && patch.length === 0) return original;
  if ('scalars' in strategy || !patch.concat(original).some(isObject)) {
    if (deleteList) return original.filter((o) => !patch.includes(o));
    const merged = [...original];
    for (const p of patch) if (!merged.includes(p)) merged.push(p);
    const [inPatch, serverOnly] = partition(merged, patch, undefined);
    return normalizeOrder(inPatch, serverOnly, patch, original, undefined);
  }
  const key = strategy.key;
  // Special elements: `$patch: delete` removes every live item with that key; `$patch: replace`
  // makes the list exactly the patch's other items.
  let live = [...original];
  const plain: JsonObject[] = [];
  let replace = false;
  for (const p of patch) {
    if (!isObject(p)) throw badRequest(`${field}: expected a list of objects`);
    const d = p[DIRECTIVE];
    if (d === undefined) {
      plain.push(p);
      continue;
    }
    if (d === 'delete') {
      if (!(key in p)) throw badRequest(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
      live = live.filter((o) => !(isObject(o) && o[key] === p[key]));
    } else if (d === 'replace') replace = true;
    else if (d === 'merge') throw badRequest('merging lists cannot yet be specified in the patch');
    else throw badRequest(`unknown patch type: ${JSON.stringify(d)} in map: ${JSON.stringify(p)}`);
  }
  if (replace) return plain.map(strip);
  const merged = [...live];
  for (const p of plain) {
    if (!(key in p)) throw badRequest(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const i = merged.findIndex((o) => isObject(o) && o[key] === p[key]);
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, p);
    else merged.push(strip(p));
  }
  const [inPatch, serverOnly] = partition(merged, plain, key);
  return normalizeOrder(inPatch, serverOnly, plain, live, key);
}

const idOf = (v: Json, key: string | undefined): Json | undefined => (key && isObject(v) ? v[key] : v);

function indexIn(list: Json[], v: Json, key: string | undefined): number {
  const id = idOf(v, key);
  return list.findIndex((e) => idOf(e, key) === id);
}

/** Items of `merged` named in `by`, and the rest (server-only), each in merged order. */
function partition(merged: Json[], by: Json[], key: string | undefined): [Json[], Json[]] {
  const named: Json[] = [];
  const rest: Json[] = [];
  for (const m of merged) (indexIn(by, m, key) >= 0 ? named : rest).push(m);
  return [named, rest];
}

function checkOrderCoversPatch(patch: Json[], order: Json[], key: string | undefined): void {
  for (const p of patch) {
    if (isObject(p) && p[DIRECTIVE] !== undefined) continue;
    if (indexIn(order, p, key) < 0) throw badRequest('invalid patch format of setElementOrder list');
  }
}

/**
 * Orders the patch's items by `patchOrder` and the server-only ones by the live list, then
 * interleaves them: walking both, a server-only item goes first only when both are in the live
 * list and it came earlier there; otherwise the patch item does.
 */
function normalizeOrder(
  patchItems: Json[],
  serverOnly: Json[],
  patchOrder: Json[],
  serverOrder: Json[],
  key: string | undefined,
): Json[] {
  const byOrder = (order: Json[]) => (a: Json, b: Json) => indexIn(order, a, key) - indexIn(order, b, key);
  const right = [...patchItems].sort(byOrder(patchOrder));
  const left = [...serverOnly].sort(byOrder(serverOrder));
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]!);
    else if (i >= left.length) out.push(right[j++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, key);
      const ri = indexIn(serverOrder, right[j]!, key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}
