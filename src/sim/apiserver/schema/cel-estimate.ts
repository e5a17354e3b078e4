// A static cost estimate for CRD rules, so that the embedded server refuses at CRD creation what
// kube-apiserver refuses there: a rule whose estimated cost, times the number of times it can
// run (the product of maxItems/maxProperties above it), exceeds StaticEstimatedCostLimit
// (10,000,000; apiextensions validation.go), reported as "estimated rule cost exceeds budget by
// factor of ...".
//
// This is an upper bound built like cel-go's estimator (v0.22 checker/cost.go) but not a port of
// it: node costs are the runtime meter's (./cel-cost.ts), a comprehension costs its iterations
// times its step, and the operators cel-go sizes are estimated from their operands' largest sizes
// (operatorEstimate: `==`/`!=`/ordering ceil(0.1 x the smaller), string `+` ceil(0.1 x both),
// `in` the list; contains, matches, find by their string and pattern). Sizes come from literals,
// maxItems/maxProperties/maxLength or, when absent, from the 3 MiB request limit divided by the
// smallest encoding of an element (as apiextensions bounds them). Near the limit the two can
// disagree; a rule iterating an unbounded list inside another is far over both.
import type { CelAstNode } from './cel-cost.js';
import type { JSONSchemaProps } from './types.js';

export const STATIC_COST_LIMIT = 10_000_000;
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** The smallest JSON encoding of a value of this schema, with its separator. */
function minSize(s: JSONSchemaProps | undefined): number {
  switch (s?.type) {
    case 'string':
      return 3; // "",
    case 'boolean':
      return 5; // true,
    case 'integer':
    case 'number':
      return 2; // 0,
    default:
      return 3; // {}, or [],
  }
}

/** How many elements (or characters) a value of this schema can hold at most. */
export function maxCardinality(s: JSONSchemaProps | undefined): number {
  if (!s) return Math.floor(MAX_REQUEST_BYTES / 2);
  if (s.type === 'array') return s.maxItems ?? Math.floor(MAX_REQUEST_BYTES / minSize(s.items));
  if (s.type === 'string') return s.maxLength ?? MAX_REQUEST_BYTES;
  const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (s.type === 'object') return s.maxProperties ?? Math.floor(MAX_REQUEST_BYTES / (minSize(ap) + 4));
  return Math.floor(MAX_REQUEST_BYTES / 2);
}

interface Est {
  cost: number;
  schema?: JSONSchemaProps;
  /** Element count of a list literal (its schema is unknown). */
  literal?: number;
  /** Length of a string literal. */
  text?: number;
  /** Known to be a scalar that is not a string (a number or bool literal, a scalar schema). */
  scalar?: boolean;
}

const SCALAR_TYPES = new Set(['integer', 'number', 'boolean']);

/**
 * The largest size (cel-go's SizeEstimate.Max) a value can have, as apiextensions' size
 * estimator gives it from the schema's CEL declaration: a string literal's length; a string field
 * 4 x maxLength (maxLength counts code points, the estimate bytes) or the 3 MiB request bound; a
 * list or map its maxItems/maxProperties or what fits in a request; a field of fixed properties
 * or a scalar field 0 (their declarations carry no size); a scalar literal or a value of no known
 * schema, 1 or the request bound.
 */
function maxSize(e: Est): number {
  if (e.text !== undefined) return e.text;
  if (e.literal !== undefined) return e.literal;
  if (e.scalar) return 1;
  const s = e.schema;
  if (!s) return MAX_REQUEST_BYTES;
  if (s['x-kubernetes-int-or-string']) return MAX_REQUEST_BYTES - 2;
  if (SCALAR_TYPES.has(s.type ?? '')) return 0;
  if (s.type === 'string') return s.maxLength !== undefined ? s.maxLength * 4 : MAX_REQUEST_BYTES - 2;
  if (s.type === 'array') return maxCardinality(s);
  if (s.type === 'object') return typeof s.additionalProperties === 'object' ? maxCardinality(s) : 0;
  return MAX_REQUEST_BYTES;
}

/** Whether an operand cannot be a string (so a `+` or ordering on it is not a string operation). */
const notText = (e: Est): boolean =>
  e.scalar === true ||
  e.literal !== undefined ||
  SCALAR_TYPES.has(e.schema?.type ?? '') ||
  e.schema?.type === 'array' ||
  e.schema?.type === 'object';

/**
 * cel-go v0.22 checker/cost.go functionCost for the operators it sizes: equality and ordering
 * ceil(0.1 x the smaller maximum), string `+` ceil(0.1 x both), `x in list` the list's maximum;
 * list `+` and the rest 1. Returns the operator's own cost and the schema of its result.
 */
function operatorEstimate(op: string, l: Est, r: Est): { cost: number; schema?: JSONSchemaProps } {
  switch (op) {
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return { cost: Math.ceil(0.1 * Math.min(maxSize(l), maxSize(r))) };
    case '+': {
      if (l.schema?.type === 'array' || l.literal !== undefined) {
        const items = l.schema?.items ?? r.schema?.items;
        return { cost: 1, schema: { type: 'array', maxItems: maxSize(l) + maxSize(r), ...(items ? { items } : {}) } };
      }
      if (notText(l) || notText(r)) return { cost: 1, schema: l.schema };
      const total = maxSize(l) + maxSize(r);
      return { cost: Math.ceil(0.1 * total), schema: { type: 'string', maxLength: total } };
    }
    case 'in':
      return { cost: r.schema?.type === 'object' ? 1 : maxSize(r) };
    default:
      return { cost: 1 };
  }
}

const LIST_FUNCTIONS = new Set(['isSorted', 'sum', 'min', 'max', 'indexOf', 'lastIndexOf', 'join']);
const STRING_FUNCTIONS = new Set([
  'matches',
  'find',
  'findAll',
  'contains',
  'startsWith',
  'endsWith',
  'replace',
  'split',
  'lowerAscii',
  'upperAscii',
  'trim',
  'format',
]);

const SIZED = new Set(['==', '!=', '<', '<=', '>', '>=', '+', 'in']);

type IsNode = (v: unknown) => v is CelAstNode;

function estimate(n: unknown, vars: Map<string, JSONSchemaProps | undefined>, node: IsNode): Est {
  if (!node(n)) return { cost: 0 };
  const meta = n.meta;
  if (meta.alternate) return estimate(meta.alternate, vars, node);
  const args = n.args;
  const sum = (xs: unknown[]) => xs.reduce<number>((t, x) => t + estimate(x, vars, node).cost, 0);
  switch (n.op) {
    case 'value':
      if (typeof args === 'string') return { cost: 0, text: [...args].length };
      return { cost: 0, scalar: typeof args === 'number' || typeof args === 'bigint' || typeof args === 'boolean' };
    case 'id': {
      const name = String(args);
      return { cost: 1, schema: vars.get(name) };
    }
    case '.':
    case '.?': {
      const [recv, field] = args as [unknown, string];
      const r = estimate(recv, vars, node);
      const ap = typeof r.schema?.additionalProperties === 'object' ? r.schema.additionalProperties : undefined;
      return { cost: r.cost + 1, schema: r.schema?.properties?.[field] ?? ap };
    }
    case '[]':
    case '[?]': {
      const [recv, index] = args as [unknown, unknown];
      const r = estimate(recv, vars, node);
      const ap = typeof r.schema?.additionalProperties === 'object' ? r.schema.additionalProperties : undefined;
      return { cost: r.cost + estimate(index, vars, node).cost + 1, schema: r.schema?.items ?? ap };
    }
    case 'list':
      return { cost: 10 + sum(args as unknown[]), literal: (args as unknown[]).length };
    case 'map':
      return { cost: 30 + sum((args as unknown[][]).flat()) };
    case 'comprehension': {
      const c = args as { iterable: unknown; iterVarName: string; init: unknown; step: unknown };
      const it = estimate(c.iterable, vars, node);
      const steps = it.literal ?? maxCardinality(it.schema);
      // a map's keys are declared as CEL's plain string type, which carries no size (0)
      const elem =
        it.schema?.type === 'array' ? it.schema.items : it.schema ? { type: 'string', maxLength: 0 } : undefined;
      const inner = new Map(vars).set(c.iterVarName, elem as JSONSchemaProps | undefined);
      const step = estimate(c.step, inner, node).cost + 1;
      return { cost: it.cost + estimate(c.init, vars, node).cost + steps * step };
    }
    case 'rcall': {
      const [name, recv, callArgs] = args as [string, unknown, unknown[]];
      const r = estimate(recv, vars, node);
      const argEsts = callArgs.map((a) => estimate(a, vars, node));
      let cost = r.cost + argEsts.reduce((t, a) => t + a.cost, 0) + 1;
      const first = argEsts[0];
      if (LIST_FUNCTIONS.has(name) && r.schema?.type === 'array') cost += maxCardinality(r.schema);
      else if ((name === 'matches' || name === 'find' || name === 'findAll') && first) {
        // cel-go: ceil(0.1 x (1 + string)) x ceil(0.25 x pattern), in place of the call's 1
        cost += Math.ceil(0.1 * (1 + maxSize(r))) * Math.ceil(0.25 * maxSize(first)) - 1;
      } else if (name === 'contains' && first) {
        cost += Math.ceil(0.1 * maxSize(r)) * Math.ceil(0.1 * maxSize(first)) - 1;
      } else if (STRING_FUNCTIONS.has(name)) cost += Math.ceil(0.1 * maxSize(r));
      const keepsSize = name === 'lowerAscii' || name === 'upperAscii' || name === 'trim' || name === 'substring';
      return { cost, schema: keepsSize ? r.schema : undefined };
    }
    case 'call': {
      const [, callArgs] = args as [string, unknown[]];
      return { cost: sum(callArgs) + 1 };
    }
    default: {
      if (SIZED.has(n.op) && Array.isArray(args) && args.length === 2) {
        const l = estimate(args[0], vars, node);
        const r = estimate(args[1], vars, node);
        const op = operatorEstimate(n.op, l, r);
        return { cost: l.cost + r.cost + op.cost, schema: op.schema };
      }
      const kids = Array.isArray(args) ? args : [args];
      const zero = n.op === '&&' || n.op === '||' || n.op === '?:' || meta.macro !== undefined;
      return { cost: sum(kids) + (zero ? 0 : 1) };
    }
  }
}

/** The estimated worst-case cost of one evaluation of a rule at this schema node. */
export function estimateRuleCost(root: CelAstNode, self: JSONSchemaProps, node: IsNode): number {
  const vars = new Map<string, JSONSchemaProps | undefined>([
    ['self', self],
    ['oldSelf', self],
  ]);
  return estimate(root, vars, node).cost;
}

/** upstream's getCostErrorMessage */
export function costErrorMessage(cost: number, limit = STATIC_COST_LIMIT): string {
  const factor = cost / limit;
  const text = factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `estimated rule cost exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
