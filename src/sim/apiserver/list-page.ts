// One page of a LIST, as kube-apiserver answers it: label and field selectors applied, `limit`
// honoured over the bucket's sorted keys, and an opaque base64 `continue` token that carries
// where the next page starts (plus remainingItemCount when no selector makes it a guess).
// A pure function of one bucket, so paging rules can change without touching the writes.
import { type Bucket, jsonAs, type Stored } from './store.js';
import { apiVersionOf, type ResourceType } from './resource.js';
import { badRequest } from './status.js';
import { fieldsMatch, type FieldRequirement, type LabelPredicate } from './selectors.js';
import { fieldView } from './stored-object.js';

export interface ListOptions {
  label?: LabelPredicate;
  fields?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

/** Returns the List JSON of `bucket` at resourceVersion `rv`; the field selector is checked by the caller. */
export function listJson(
  bucket: Bucket,
  t: ResourceType,
  ns: string | undefined,
  opts: ListOptions,
  rv: number,
): string {
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
        cont = Buffer.from(JSON.stringify({ rv, start: keys[i] })).toString('base64');
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
  const md: Record<string, unknown> = { resourceVersion: String(rv) };
  if (cont) {
    md.continue = cont;
    if (!opts.label && !opts.fields) md.remainingItemCount = remaining;
  }
  return `{"kind":${JSON.stringify(t.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(md)},"items":[${parts.join(',')}]}`;
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
