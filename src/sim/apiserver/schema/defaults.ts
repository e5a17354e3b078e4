// Structural defaulting and pruning, as kube-apiserver applies them to custom resources
// (defaulting on read from the request, pruning before storage). Both walk the value
// alongside the schema, so their cost is proportional to the object, not the schema.
import { child, index, mapKey, pathString, type FieldPath } from './path.js';
import type { JSONSchemaProps } from './types.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fills in `default` values for absent fields (and for null in non-nullable fields),
 * recursing into the defaulted values. Mutates `value` in place and returns it.
 */
export function applyDefaults<T>(schema: JSONSchemaProps, value: T): T {
  defaultNode(schema, value);
  return value;
}

// Per schema node: does anything below carry a default, and which properties have one.
// Cached so that defaulting skips default-free subtrees (most of a CRD) without walking them.
const hasDefaultBelow = new WeakMap<JSONSchemaProps, boolean>();
const defaultedProps = new WeakMap<JSONSchemaProps, Array<[string, JSONSchemaProps]>>();

function subtreeHasDefault(s: JSONSchemaProps): boolean {
  const cached = hasDefaultBelow.get(s);
  if (cached !== undefined) return cached;
  hasDefaultBelow.set(s, false); // cycle guard
  let found = false;
  const own: Array<[string, JSONSchemaProps]> = [];
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    if (sub.default !== undefined) own.push([k, sub]);
    if (sub.default !== undefined || subtreeHasDefault(sub)) found = true;
  }
  if (s.items && subtreeHasDefault(s.items)) found = true;
  if (typeof s.additionalProperties === 'object' && subtreeHasDefault(s.additionalProperties)) found = true;
  defaultedProps.set(s, own);
  hasDefaultBelow.set(s, found);
  return found;
}

function defaultNode(s: JSONSchemaProps, v: unknown): void {
  if (!subtreeHasDefault(s)) return;
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) defaultNode(s.items, item);
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, sub] of defaultedProps.get(s) ?? []) {
    const cur = v[k];
    if (cur === undefined || (cur === null && sub.nullable !== true)) v[k] = structuredClone(sub.default);
  }
  const props = s.properties;
  const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const sub = props?.[k] ?? ap;
    if (sub && v[k] !== undefined) defaultNode(sub, v[k]);
  }
}

/**
 * Removes fields the schema does not declare, except under x-kubernetes-preserve-unknown-fields
 * and, for the resource root and embedded resources, apiVersion/kind/metadata. Mutates
 * `value` in place and returns the pruned field paths (for `fieldValidation=Warn` warnings).
 */
export function prune(schema: JSONSchemaProps, value: unknown): string[] {
  const pruned: string[] = [];
  pruneNode(schema, value, undefined, true, pruned);
  return pruned;
}

const RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function pruneNode(
  s: JSONSchemaProps,
  v: unknown,
  p: FieldPath | undefined,
  resourceRoot: boolean,
  out: string[],
): void {
  if (Array.isArray(v)) {
    if (s.items) for (const [i, item] of v.entries()) pruneNode(s.items, item, index(p, i), false, out);
    return;
  }
  if (!isPlainObject(v)) return;
  const embedded = resourceRoot || s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const props = s.properties;
  const ap = s.additionalProperties;
  for (const k of Object.keys(v)) {
    const sub = props?.[k];
    const valueSchema = sub ?? (typeof ap === 'object' ? ap : undefined);
    // Nulls of non-nullable fields are dropped, as kube-apiserver does before defaulting.
    if (v[k] === null && valueSchema && valueSchema.nullable !== true) {
      delete v[k];
      continue;
    }
    if (sub) {
      // ObjectMeta is pruned by the metadata codec, not by the CRD schema.
      if (embedded && k === 'metadata') continue;
      pruneNode(sub, v[k], child(p, k), false, out);
    } else if (typeof ap === 'object') {
      pruneNode(ap, v[k], mapKey(p, k), false, out);
    } else if (ap === true || preserve || (embedded && RESOURCE_FIELDS.has(k))) {
    } else {
      out.push(pathString(child(p, k)));
      delete v[k];
    }
  }
}
