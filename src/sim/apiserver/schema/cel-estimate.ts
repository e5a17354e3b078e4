// A static cost estimate for CRD rules, so that the embedded server refuses at CRD creation what
// kube-apiserver refuses there: a rule whose estimated cost, times the number of times it can
// run (the product of maxItems/maxProperties above it), exceeds StaticEstimatedCostLimit
// (10,000,000; apiextensions validation.go), reported as "estimated rule cost exceeds budget by
// factor of ...".
//
// This is an upper bound built like cel-go's estimator but not a port of it: node costs are the
// runtime meter's (./cel-cost.ts), a comprehension costs its iterations times its step, list and
// string sizes come from maxItems/maxProperties/maxLength or, when absent, from the 3 MiB request
// limit divided by the smallest encoding of an element (as upstream bounds them). Near the limit
// the two can disagree; a rule iterating an unbounded list inside another is far over both.
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

type IsNode = (v: unknown) => v is CelAstNode;

function estimate(n: unknown, vars: Map<string, JSONSchemaProps | undefined>, node: IsNode): Est {
  if (!node(n)) return { cost: 0 };
  const meta = n.meta;
  if (meta.alternate) return estimate(meta.alternate, vars, node);
  const args = n.args;
  const sum = (xs: unknown[]) => xs.reduce<number>((t, x) => t + estimate(x, vars, node).cost, 0);
  switch (n.op) {
    case 'value':
      return { cost: 0 };
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
      const elem = it.schema?.type === 'array' ? it.schema.items : it.schema ? { type: 'string' } : undefined;
      const inner = new Map(vars).set(c.iterVarName, elem as JSONSchemaProps | undefined);
      const step = estimate(c.step, inner, node).cost + 1;
      return { cost: it.cost + estimate(c.init, vars, node).cost + steps * step };
    }
    case 'rcall': {
      const [name, recv, callArgs] = args as [string, unknown, unknown[]];
      const r = estimate(recv, vars, node);
      let cost = r.cost + sum(callArgs) + 1;
      if (LIST_FUNCTIONS.has(name) && r.schema?.type === 'array') cost += maxCardinality(r.schema);
      else if (STRING_FUNCTIONS.has(name))
        cost += Math.ceil(0.1 * maxCardinality(r.schema?.type === 'string' ? r.schema : undefined));
      return { cost };
    }
    case 'call': {
      const [, callArgs] = args as [string, unknown[]];
      return { cost: sum(callArgs) + 1 };
    }
    default: {
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
