// CRD validation rules (`x-kubernetes-validations`) evaluated as kube-apiserver does: each rule
// runs with `self` bound to the value at its schema node (and `oldSelf` to the previous value on
// an update, where the node can be correlated), and a rule that is not true becomes a cause of the
// 422 with the rule's reason, fieldPath and message (or messageExpression).
//
// The CEL language itself comes from @marcbachmann/cel-js (maintained, zero dependencies, parses
// once into a closure): no interpreter is hand-written here. This module only binds values the
// way the apiserver's CEL type provider does (schema integers as CEL int, numbers as double) and
// walks the object alongside the schema.
//
// Rules are compiled once per schema object (one per CRD version: the registry keeps it) and
// cached with the walk plan; subtrees without rules are never visited, so a CRD without rules
// costs one WeakMap lookup per write. Not covered: the Kubernetes CEL extension libraries
// (quantity, url, ip, isSorted, ...), cost budgets, and validation ratcheting. A rule the
// library cannot compile is skipped and listed by celUnsupportedRules(), not enforced wrongly.
import { parse } from '@marcbachmann/cel-js';
import type { JSONSchemaProps, SchemaViolation, SchemaViolationReason } from './types.js';

type Evaluator = (ctx: Record<string, unknown>) => unknown;

interface CompiledRule {
  rule: string;
  evaluate: Evaluator;
  /** A transition rule: evaluated only on updates where the old value is known. */
  usesOldSelf: boolean;
  message?: string;
  messageExpression?: Evaluator;
  reason: SchemaViolationReason;
  fieldPath?: string;
}

/** A schema node with rules at or below it; nodes without any are left out of the plan. */
interface CelNode {
  schema: JSONSchemaProps;
  rules: CompiledRule[];
  /** Whether any rule here reads oldSelf (then the old value is part of the memo key). */
  transition: boolean;
  /** Verdicts by value (rules are pure functions of self and oldSelf): bounded, see MEMO_MAX. */
  memo: Map<string, Finding[]>;
  properties?: Map<string, CelNode>;
  additional?: CelNode;
  items?: CelNode;
}

/** A rule's failure at a node, without the node's path (the same value fails alike anywhere). */
interface Finding {
  reason: SchemaViolationReason;
  message: string;
  fieldPath?: string;
}

/**
 * Verdicts kept per rule node. Objects written many times with the same value under a rule (a
 * controller's status updates re-validate an unchanged spec; clusters made from one template
 * share their extraArgs) are evaluated once: an 8-item uniqueness rule costs ~50 us to
 * evaluate and ~2 us to key.
 */
const MEMO_MAX = 512;

const plans = new WeakMap<JSONSchemaProps, CelNode | null>();
const unsupported: Array<{ rule: string; error: string }> = [];

/** Rules seen so far that the CEL library could not compile (skipped, not enforced). */
export function celUnsupportedRules(): ReadonlyArray<{ rule: string; error: string }> {
  return unsupported;
}

const REASONS = new Set<string>([
  'FieldValueInvalid',
  'FieldValueForbidden',
  'FieldValueRequired',
  'FieldValueDuplicate',
]);

function compileRules(s: JSONSchemaProps): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const r of s['x-kubernetes-validations'] ?? []) {
    try {
      const evaluate = parse(r.rule) as Evaluator;
      let messageExpression: Evaluator | undefined;
      if (r.messageExpression) messageExpression = parse(r.messageExpression) as Evaluator;
      out.push({
        rule: r.rule,
        evaluate,
        usesOldSelf: /\boldSelf\b/.test(r.rule),
        message: r.message,
        messageExpression,
        reason: (r.reason && REASONS.has(r.reason) ? r.reason : 'FieldValueInvalid') as SchemaViolationReason,
        fieldPath: (r as { fieldPath?: string }).fieldPath,
      });
    } catch (err) {
      unsupported.push({ rule: r.rule, error: (err as Error).message.split('\n')[0] ?? '' });
    }
  }
  return out;
}

function plan(s: JSONSchemaProps, seen: Set<JSONSchemaProps> = new Set()): CelNode | null {
  const cached = plans.get(s);
  if (cached !== undefined) return cached;
  if (seen.has(s)) return null;
  seen.add(s);
  const rules = compileRules(s);
  const node: CelNode = { schema: s, rules, transition: rules.some((r) => r.usesOldSelf), memo: new Map() };
  let any = node.rules.length > 0;
  if (s.properties) {
    for (const [k, sub] of Object.entries(s.properties)) {
      const p = plan(sub, seen);
      if (p) {
        node.properties ??= new Map();
        node.properties.set(k, p);
        any = true;
      }
    }
  }
  if (typeof s.additionalProperties === 'object') {
    const p = plan(s.additionalProperties, seen);
    if (p) {
      node.additional = p;
      any = true;
    }
  }
  if (s.items) {
    const p = plan(s.items, seen);
    if (p) {
      node.items = p;
      any = true;
    }
  }
  const result = any ? node : null;
  plans.set(s, result);
  return result;
}

/** Compiles the schema's rules now (CRD registration), so the first write pays nothing extra. */
export function prepareCel(schema: JSONSchemaProps): boolean {
  return plan(schema) !== null;
}

/** Binds a JSON value as the apiserver's CEL type provider does for this schema node. */
function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((e) => toCel(e, s?.items));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const ap = typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x, s?.properties?.[k] ?? ap);
    return out;
  }
  return v;
}

const typeName = (s: JSONSchemaProps, v: unknown): string =>
  s.type ?? (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);

function finding(rule: CompiledRule, s: JSONSchemaProps, v: unknown, detail: string): Finding {
  const f = (reason: SchemaViolationReason, message: string): Finding => ({
    reason,
    message,
    fieldPath: rule.fieldPath,
  });
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return f(rule.reason, `Forbidden: ${detail}`);
    case 'FieldValueRequired':
      return f(rule.reason, `Required value: ${detail}`);
    case 'FieldValueDuplicate':
      return f(rule.reason, `Duplicate value: ${JSON.stringify(typeName(s, v))}`);
    default:
      return f('FieldValueInvalid', `Invalid value: ${JSON.stringify(typeName(s, v))}: ${detail}`);
  }
}

function messageOf(rule: CompiledRule, ctx: Record<string, unknown>): string {
  if (rule.messageExpression) {
    try {
      const m = rule.messageExpression(ctx);
      if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) return m;
    } catch {
      // upstream falls back to message (or the default) when messageExpression fails
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

function evaluateRules(node: CelNode, v: unknown, old: unknown): Finding[] {
  const found: Finding[] = [];
  let self: unknown;
  let oldSelf: unknown;
  for (const rule of node.rules) {
    if (rule.usesOldSelf && old === undefined) continue;
    self ??= toCel(v, node.schema);
    const ctx: Record<string, unknown> = { self };
    if (rule.usesOldSelf) {
      oldSelf ??= toCel(old, node.schema);
      ctx.oldSelf = oldSelf;
    }
    let ok: unknown;
    try {
      ok = rule.evaluate(ctx);
    } catch (err) {
      const why = (err as Error).message.split('\n')[0];
      found.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(typeName(node.schema, v))}: rule evaluation error: ${why}`,
      });
      continue;
    }
    if (ok !== true) found.push(finding(rule, node.schema, v, messageOf(rule, ctx)));
  }
  return found;
}

function check(node: CelNode, v: unknown, old: unknown, path: string, out: SchemaViolation[]): void {
  if (v === undefined || v === null) return;
  if (node.rules.length > 0) {
    const key =
      node.transition && old !== undefined ? `${JSON.stringify(v)}\u0000${JSON.stringify(old)}` : JSON.stringify(v);
    let found = node.memo.get(key);
    if (!found) {
      found = evaluateRules(node, v, old);
      if (node.memo.size >= MEMO_MAX) node.memo.clear();
      node.memo.set(key, found);
    }
    for (const f of found) {
      out.push({ field: f.fieldPath ? `${path}${f.fieldPath}` : path, reason: f.reason, message: f.message });
    }
  }
  const join = (k: string) => (path ? `${path}.${k}` : k);
  if (node.properties && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const oo =
      old !== null && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined;
    for (const [k, sub] of node.properties) check(sub, o[k], oo?.[k], join(k), out);
  }
  if (node.additional && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const oo =
      old !== null && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined;
    for (const k of Object.keys(o)) {
      if (node.properties?.has(k)) continue;
      check(node.additional, o[k], oo?.[k], `${path}[${k}]`, out);
    }
  }
  if (node.items && Array.isArray(v)) {
    // Only list-type=map items correlate with old ones (by their keys), as upstream.
    const keys =
      node.schema['x-kubernetes-list-type'] === 'map' ? node.schema['x-kubernetes-list-map-keys'] : undefined;
    const olds = Array.isArray(old) && keys?.length ? old : undefined;
    v.forEach((item, i) => {
      let prev: unknown;
      if (olds && keys && item !== null && typeof item === 'object') {
        const it = item as Record<string, unknown>;
        prev = olds.find(
          (o) => o !== null && typeof o === 'object' && keys.every((k) => (o as Record<string, unknown>)[k] === it[k]),
        );
      }
      check(node.items!, item, prev, `${path}[${i}]`, out);
    });
  }
}

/**
 * Evaluates every rule in the schema against the object (the CRD root: rules on it see the
 * whole object, apiVersion, kind and metadata included). `old` is the stored object on updates.
 */
export function validateCel(schema: JSONSchemaProps, obj: unknown, old?: unknown): SchemaViolation[] {
  const root = plan(schema);
  if (!root) return [];
  const out: SchemaViolation[] = [];
  check(root, obj, old, '', out);
  return out;
}
