// Validation ratcheting's correlation of a new value with the old one (KEP-4008,
// CRDValidationRatcheting, on by default in kube-apiserver v1.30-v1.32; k8s.io/apiserver
// pkg/cel/common CorrelatedObject): on an update, a node of the new object has an old value when
// its parent has one and the old parent holds the same property or map key, or, for an item of a
// list-type=map list, an old item with the same keys. Items of other lists have none. An unchanged
// node (deep-equal to its old value) keeps the schema and CEL errors it had before the schema
// changed: ./validate.ts skips it, ./cel.ts turns its rules' failures into warnings.
import { isPlainObject } from './value-checks.js';

/** A node that has no old value to ratchet against (a create, or an uncorrelatable node). */
export const NO_OLD: unique symbol = Symbol('no old value');
export type Old = unknown;

/** Deep equality of two JSON values (key order ignored), as the ratcheting CachedDeepEqual. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (!(k in bo) || !sameJson(ao[k], bo[k])) return false;
    n++;
  }
  for (const _ in bo) n--;
  return n === 0;
}

/** The old value of property k, if the old object has that property. */
export function oldOf(old: Old, k: string): Old {
  if (old === NO_OLD || !isPlainObject(old)) return NO_OLD;
  const v = old[k];
  return v === undefined ? NO_OLD : v;
}

export const itemKey = (item: Record<string, unknown>, keys: string[]): string =>
  JSON.stringify(keys.map((k) => item[k]));

/** A list-type=map list's items by their keys (the first of duplicates wins). */
export function itemsByKey(list: unknown[], keys: string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) {
    if (!isPlainObject(item)) continue;
    const k = itemKey(item, keys);
    if (!m.has(k)) m.set(k, item);
  }
  return m;
}
