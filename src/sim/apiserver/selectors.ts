// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, !=),
// parsed once per request into predicates.
import { badRequest } from './status.js';

export type Labels = Record<string, string> | undefined;
export type LabelPredicate = (labels: Labels) => boolean;

interface Requirement {
  key: string;
  op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'notexists';
  values: string[];
}

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${raw}"`);
  return key;
}

function parseRequirement(part: string, raw: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (m) {
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { key: checkKey(m[1]!, raw), op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), raw), op: 'notexists', values: [] };
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (m) return { key: checkKey(m[1]!, raw), op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
  if (/^[^=!\s()]+$/.test(part)) return { key: checkKey(part, raw), op: 'exists', values: [] };
  throw badRequest(
    `unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt in selector "${raw}"`,
  );
}

function matches(r: Requirement, labels: Labels): boolean {
  const v = labels?.[r.key];
  switch (r.op) {
    case 'eq':
      return v === r.values[0];
    case 'ne':
      return v !== r.values[0];
    case 'in':
      return v !== undefined && r.values.includes(v);
    case 'notin':
      return v === undefined || !r.values.includes(v);
    case 'exists':
      return v !== undefined;
    case 'notexists':
      return v === undefined;
  }
}

export function parseLabelSelector(raw: string | null | undefined): LabelPredicate | undefined {
  if (!raw?.trim()) return undefined;
  const reqs = splitTop(raw).map((p) => parseRequirement(p, raw));
  return (labels) => reqs.every((r) => matches(r, labels));
}

/** A labelSelector object (matchLabels/matchExpressions) rendered in query-string form. */
export function selectorObjectToString(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

export interface FieldRequirement {
  path: string[];
  field: string;
  value: string;
  negate: boolean;
}

export function parseFieldSelector(raw: string | null | undefined): FieldRequirement[] | undefined {
  if (!raw?.trim()) return undefined;
  return splitTop(raw).map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${raw}'; can't understand '${part}'`);
    return { field: m[1]!, path: m[1]!.split('.'), value: m[3]!.trim(), negate: m[2] === '!=' };
  });
}

function fieldValue(obj: unknown, path: string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function fieldsMatch(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.negate);
}

/** Field selectors that can be answered from metadata alone (no parse of the stored JSON). */
export function onlyMetadataFields(reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => r.field === 'metadata.name' || r.field === 'metadata.namespace');
}
