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
// costs one WeakMap lookup per write. The environment (Kubernetes' extension libraries, RE2,
// the cost meter) is ./cel-env.ts. Each rule runs under the per-call cost limit and all rules of
// one object share the runtime budget, as upstream (./cel-cost.ts). A rule that does not compile
// is refused with its CRD (./crd-rules.ts); one that reaches here anyway (the compact registry)
// is skipped and listed by celUnsupportedRules().
//
// On updates, as kube-apiserver v1.32 with CRDValidationRatcheting (apiextensions
// schema/cel/validation.go): rules still run, but a rule that does not read oldSelf and is false
// on a value unchanged from the old object (or, for a value with no old counterpart, whose
// nearest correlated ancestor is unchanged; ./ratchet.ts) gives a warning instead of an error.
// Evaluation errors and cost cancellations are never ratcheted. A transition rule (one that reads
// oldSelf) runs only where there is an old value, unless it sets `optionalOldSelf: true`: then it
// also runs on creates and new values, with oldSelf an optional (optional.none() without an old
// value, optional.of(old) with one); its messageExpression still sees oldSelf as a plain value.
import { Optional } from '@marcbachmann/cel-js';
import { compileCel, type CelProgram } from './cel-env.js';
import { COST_EXCEEDED, CostLimitExceeded, metered, PER_CALL_LIMIT, RUNTIME_BUDGET } from './cel-cost.js';
import { sameJson } from './ratchet.js';
import type { JSONSchemaProps, SchemaViolation, SchemaViolationReason } from './types.js';

type Evaluator = CelProgram;

interface CompiledRule {
  rule: string;
  evaluate: Evaluator;
  /** A transition rule: evaluated only on updates where the old value is known. */
  usesOldSelf: boolean;
  /** optionalOldSelf: evaluated without an old value too, oldSelf bound as an optional. */
  optionalOldSelf: boolean;
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
  memo: Map<string, Verdict>;
  properties?: Map<string, CelNode>;
  additional?: CelNode;
  items?: CelNode;
}

/** A rule's failure at a node, without the node's path (the same value fails alike anywhere). */
interface Finding {
  reason: SchemaViolationReason;
  message: string;
  fieldPath?: string;
  /** A failed rule that does not read oldSelf: a warning where the value is unchanged. */
  ratchetable?: boolean;
}

/** A node's findings for one value, the cost they took, and whether validation must stop there. */
interface Verdict {
  found: Finding[];
  cost: number;
  stop: boolean;
}

const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

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
      const evaluate = compileCel(r.rule);
      let messageExpression: Evaluator | undefined;
      if (r.messageExpression) messageExpression = compileCel(r.messageExpression);
      out.push({
        rule: r.rule,
        evaluate,
        usesOldSelf: /\boldSelf\b/.test(r.rule),
        optionalOldSelf: (r as { optionalOldSelf?: boolean }).optionalOldSelf === true,
        message: r.message,
        messageExpression,
        reason: (r.reason && REASONS.has(r.reason) ? r.reason : 'FieldValueInvalid') as SchemaViolationReason,
        fieldPath: normalizeFieldPath((r as { fieldPath?: string }).fieldPath),
      });
    } catch (err) {
      unsupported.push({ rule: r.rule, error: (err as Error).message.split('\n')[0] ?? '' });
    }
  }
  return out;
}

/**
 * A rule's fieldPath (".spec.x", ".m['a.b']") as a relative field path ("spec.x", "m[a.b]"), as
 * upstream's NormalizedRuleFieldPath makes it.
 */
function normalizeFieldPath(fp: string | undefined): string | undefined {
  const t = fp?.trim().replace(/^\./, '');
  if (!t) return undefined;
  return t.replace(/\['((?:[^'\\]|\\.)*)'\]/g, (_m, k: string) => `[${k.replace(/\\(.)/g, '$1')}]`);
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
    ratchetable: !rule.usesOldSelf,
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

/** upstream's ruleErrorString: the message if set, else the rule. */
const ruleText = (rule: CompiledRule): string => (rule.message ?? '').trim() || rule.rule.trim();

function messageOf(rule: CompiledRule, ctx: Record<string, unknown>, budget: number): { text: string; cost: number } {
  if (rule.messageExpression) {
    const run = metered(() => rule.messageExpression?.(ctx), Math.min(PER_CALL_LIMIT, budget));
    const m = run.value;
    if (run.error === undefined && typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) {
      return { text: m.trim(), cost: run.cost };
    }
    // upstream falls back to message (or the default) when messageExpression fails
    return { text: rule.message?.trim() || `failed rule: ${ruleText(rule)}`, cost: run.cost };
  }
  return { text: rule.message?.trim() || `failed rule: ${ruleText(rule)}`, cost: 0 };
}

function evaluateRules(node: CelNode, v: unknown, old: unknown, budget: number): Verdict {
  const found: Finding[] = [];
  let cost = 0;
  let self: unknown;
  let oldSelf: unknown;
  const invalidValue = (detail: string): Finding => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(typeName(node.schema, v))}: ${detail}`,
  });
  for (const rule of node.rules) {
    if (rule.usesOldSelf && old === undefined && !rule.optionalOldSelf) continue;
    self ??= toCel(v, node.schema);
    const ctx: Record<string, unknown> = { self };
    if (rule.usesOldSelf && old !== undefined) {
      oldSelf ??= toCel(old, node.schema);
      ctx.oldSelf = oldSelf;
    }
    // optionalOldSelf: the rule sees oldSelf as an optional, its messageExpression as the value
    const ruleCtx = rule.optionalOldSelf
      ? { self, oldSelf: old === undefined ? Optional.none() : Optional.of(oldSelf) }
      : ctx;
    const run = metered(() => rule.evaluate(ruleCtx), PER_CALL_LIMIT);
    cost += run.cost;
    if (run.error instanceof CostLimitExceeded) {
      found.push(
        invalidValue(
          `'${COST_EXCEEDED}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleText(rule)}`,
        ),
      );
      return { found, cost, stop: true };
    }
    if (cost > budget) {
      found.push(invalidValue(OUT_OF_BUDGET));
      return { found, cost, stop: true };
    }
    if (run.error !== undefined) {
      const why = (run.error as Error).message.split('\n')[0];
      found.push(invalidValue(`${why} evaluating rule: ${ruleText(rule)}`));
      continue;
    }
    if (run.value !== true) {
      const msg = messageOf(rule, ctx, budget - cost);
      cost += msg.cost;
      found.push(finding(rule, node.schema, v, msg.text));
    }
  }
  return { found, cost, stop: false };
}

/** The rest of one object's runtime budget while its rules are checked, and where warnings go. */
interface Walk {
  budget: number;
  stopped: boolean;
  warnings: string[];
}

/** Whether a node's failed rules are ratcheted (./ratchet.ts), computed when first asked. */
type Unchanged = () => boolean;
const NEVER: Unchanged = () => false;

function unchangedFrom(v: unknown, old: unknown): Unchanged {
  let same: boolean | undefined;
  return () => {
    same ??= sameJson(v, old);
    return same;
  };
}

const asMap = (x: unknown): Record<string, unknown> | undefined =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;

function check(
  node: CelNode,
  v: unknown,
  old: unknown,
  path: string,
  out: SchemaViolation[],
  walk: Walk,
  unchanged: Unchanged,
): void {
  if (v === undefined || v === null || walk.stopped) return;
  if (node.rules.length > 0) {
    if (walk.budget <= 0) {
      out.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(typeName(node.schema, v))}: ${OUT_OF_BUDGET}`,
      });
      walk.stopped = true;
      return;
    }
    const key =
      node.transition && old !== undefined ? `${JSON.stringify(v)}\u0000${JSON.stringify(old)}` : JSON.stringify(v);
    let verdict = node.memo.get(key);
    // a memoised verdict is reused only if it fit in what is left of this object's budget
    if (!verdict || verdict.cost > walk.budget) {
      verdict = evaluateRules(node, v, old, walk.budget);
      if (!verdict.stop) {
        if (node.memo.size >= MEMO_MAX) node.memo.clear();
        node.memo.set(key, verdict);
      }
    }
    walk.budget -= verdict.cost;
    for (const f of verdict.found) {
      // a rule at the root reports on the nil path, as field.Invalid(nil, ...) prints it
      const field = (f.fieldPath ? (path ? `${path}.${f.fieldPath}` : f.fieldPath) : path) || '<nil>';
      if (f.ratchetable && unchanged()) walk.warnings.push(`${field}: ${f.message}`);
      else out.push({ field, reason: f.reason, message: f.message });
    }
    if (verdict.stop) {
      walk.stopped = true;
      return;
    }
  }
  const join = (k: string) => (path ? `${path}.${k}` : k);
  const o = asMap(v);
  const oo = asMap(old);
  // a child with an old counterpart is ratcheted by its own equality, any other by this node's;
  // apiVersion and kind at the root never are (old and new are read at the same version)
  const childUnchanged = (k: string): Unchanged => {
    if (path === '' && (k === 'apiVersion' || k === 'kind')) return NEVER;
    return oo?.[k] !== undefined && o?.[k] !== undefined ? unchangedFrom(o[k], oo[k]) : unchanged;
  };
  if (node.properties && o) {
    for (const [k, sub] of node.properties) check(sub, o[k], oo?.[k], join(k), out, walk, childUnchanged(k));
  }
  if (node.additional && o) {
    for (const k of Object.keys(o)) {
      if (node.properties?.has(k)) continue;
      check(node.additional, o[k], oo?.[k], `${path}[${k}]`, out, walk, childUnchanged(k));
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
      check(
        node.items!,
        item,
        prev,
        `${path}[${i}]`,
        out,
        walk,
        prev !== undefined ? unchangedFrom(item, prev) : unchanged,
      );
    });
  }
}

/**
 * Evaluates every rule in the schema against the object (the CRD root: rules on it see the
 * whole object, apiVersion, kind and metadata included). `old` is the stored object on updates;
 * failures ratcheted on unchanged values are pushed to `warnings` as kube-apiserver words them.
 */
export function validateCel(
  schema: JSONSchemaProps,
  obj: unknown,
  old?: unknown,
  warnings: string[] = [],
): SchemaViolation[] {
  const root = plan(schema);
  if (!root) return [];
  const out: SchemaViolation[] = [];
  const unchanged = old === undefined ? NEVER : unchangedFrom(obj, old);
  check(root, obj, old, '', out, { budget: RUNTIME_BUDGET, stopped: false, warnings }, unchanged);
  return out;
}
