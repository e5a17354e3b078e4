// CEL runtime cost, metered as kube-apiserver meters it, so that a rule that would be cancelled
// there is cancelled here. Upstream (cel-go v0.22 interpreter/runtimecost.go, the version
// kube-apiserver v1.32 builds with, and Kubernetes' library/cost.go for its libraries) charges
// while the program runs and stops it with "operation cancelled: actual cost limit exceeded" past
// the per-call limit (1,000,000, k8s.io/apiserver/pkg/apis/cel/config.go PerCallLimit); one
// object's rules share a budget of 10,000,000 (RuntimeCELCostBudget), after which "validation
// failed due to running out of cost budget, no further validation rules will be run".
//
// The meter wraps each node of a compiled cel-js expression (instrument) and charges:
//   identifiers, field selections and index operations 1; literals 0; function and operator calls
//   1; list literals 10 and map literals 30 (ListCreateBaseCost, MapCreateBaseCost); `&&`, `||`,
//   `?:`, has() and the comprehension frame 0; a comprehension's body is charged on each step,
//   as upstream's. Operators whose cost cel-go takes from their operands' sizes (sizeOf: a
//   string's code points, a list's items, a map's entries, 1 for anything else) are charged
//   after their operands are known (operatorCost): `==`, `!=` and string `<`/`<=`/`>`/`>=`
//   ceil(0.1 x the smaller size); string `+` ceil(0.1 x both sizes); `x in list` the list's
//   size; list `+`, `in` a map and scalar operators 1. String scans (./cel-env.ts: matches,
//   contains, startsWith, endsWith, lowerAscii, upperAscii and the extension libraries) follow
//   the same functions.
// Where it differs from upstream: the accumulator reads inside a comprehension cost nothing, so
// a comprehension reads a little lower than cel-go's.
// The static estimate checked at CRD creation is ./cel-estimate.ts.

/** k8s.io/apiserver/pkg/apis/cel PerCallLimit. */
export const PER_CALL_LIMIT = 1_000_000;
/** k8s.io/apiserver/pkg/apis/cel RuntimeCELCostBudget (all rules of one object). */
export const RUNTIME_BUDGET = 10_000_000;
export const COST_EXCEEDED = 'operation cancelled: actual cost limit exceeded';

export class CostLimitExceeded extends Error {
  constructor() {
    super(COST_EXCEEDED);
  }
}

/** The running meter: one evaluation at a time (evaluation is synchronous). */
const meter = { cost: 0, limit: Number.POSITIVE_INFINITY };

export function chargeCost(n: number): void {
  meter.cost += n;
  if (meter.cost > meter.limit) throw new CostLimitExceeded();
}

/**
 * cel-go's cost of a regular expression over a string (matches, and Kubernetes' find/findAll):
 * ceil(0.1 x (1 + the string's length)) x ceil(0.25 x the pattern's length).
 */
export const regexCost = (s: string, pattern: string): number =>
  Math.ceil((1 + runeCount(s)) * 0.1) * Math.ceil(runeCount(pattern) * 0.25);

/** cel-go's StringTraversalCostFactor (0.1 per character), rounded up. */
export const traversalCost = (s: string): number => Math.ceil(runeCount(s) * 0.1);

/** Go's utf8.RuneCountInString: a surrogate pair is one code point (cel-go's String.Size). */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}

/** cel-go's actualSize: the size of a sized value (traits.Sizer), 1 for any other. */
export function sizeOf(v: unknown): number {
  if (typeof v === 'string') return runeCount(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.keys(v).length;
  return 1;
}

const isText = (v: unknown): boolean => typeof v === 'string' || v instanceof Uint8Array;

/**
 * What cel-go's costCall charges for a binary operator, given its operands (v0.22
 * runtimecost.go): equality and string ordering by the smaller operand, string concatenation by
 * both, list membership by the list; everything else (numbers, list concatenation, map
 * membership) is one.
 */
export function operatorCost(op: string, left: unknown, right: unknown): number {
  switch (op) {
    case '==':
    case '!=':
      return Math.ceil(Math.min(sizeOf(left), sizeOf(right)) * 0.1);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return isText(left) && isText(right) ? Math.ceil(Math.min(sizeOf(left), sizeOf(right)) * 0.1) : 1;
    case '+':
      return isText(left) && isText(right) ? Math.ceil((sizeOf(left) + sizeOf(right)) * 0.1) : 1;
    case 'in':
      return Array.isArray(right) ? right.length : 1;
    default:
      return 1;
  }
}

/** Binary operators charged by operatorCost instead of a flat node cost. */
export const SIZED_OPERATORS = new Set(['==', '!=', '<', '<=', '>', '>=', '+', 'in']);

/** Runs fn under a fresh meter with the given limit; returns its cost beside its outcome. */
export function metered<T>(fn: () => T, limit: number): { cost: number; value?: T; error?: unknown } {
  const saved = { cost: meter.cost, limit: meter.limit };
  meter.cost = 0;
  meter.limit = limit;
  try {
    const value = fn();
    return { cost: meter.cost, value };
  } catch (error) {
    return { cost: meter.cost, error };
  } finally {
    meter.cost = saved.cost;
    meter.limit = saved.limit;
  }
}

// ------------------------------------------------------------------ AST instrumentation

type EvalFn = (ev: unknown, ast: unknown, ctx: unknown) => unknown;

/** The part of cel-js's ASTNode this module relies on (its public surface). */
export interface CelAstNode {
  op: string;
  args: unknown;
  readonly meta: { evaluate?: EvalFn; alternate?: CelAstNode; macro?: Record<string, unknown> };
  setMeta(key: string, value: unknown): CelAstNode;
}

const NODE_COST: Record<string, number> = {
  value: 0,
  id: 1,
  '.': 1,
  '.?': 1,
  '[]': 1,
  '[?]': 1,
  list: 10,
  map: 30,
  '&&': 0,
  '||': 0,
  '?:': 0,
  comprehension: 0,
  accuValue: 0,
  accuInc: 0,
  accuPush: 0,
};
for (const op of SIZED_OPERATORS) NODE_COST[op] = 0;

const wrapped = new WeakSet<object>();

function wrap(fn: EvalFn, cost: number): EvalFn {
  if (cost === 0) return fn;
  const out: EvalFn = function (this: unknown, ev, ast, ctx) {
    meter.cost += cost;
    if (meter.cost > meter.limit) throw new CostLimitExceeded();
    return fn.call(this, ev, ast, ctx);
  };
  wrapped.add(out);
  return out;
}

interface Runner {
  run(ast: unknown, ctx: unknown): unknown;
}

/**
 * Marks an evaluation that charges its whole cost itself (as cel-go's costCall, whose size-based
 * charge replaces the call's flat 1): instrument() then adds nothing to it.
 */
export function selfCharged(fn: EvalFn): EvalFn {
  wrapped.add(fn);
  return fn;
}

/**
 * A binary operator node evaluated as cel-js does (operands, then the node's resolved handler),
 * charged by operatorCost once its operands are known.
 */
function sizedOperator(node: CelAstNode): EvalFn | undefined {
  const args = node.args;
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [left, right] = args as [unknown, unknown];
  const op = node.op;
  const out: EvalFn = (ev, _ast, ctx) => {
    const l = (ev as Runner).run(left, ctx);
    const r = (ev as Runner).run(right, ctx);
    chargeCost(operatorCost(op, l, r));
    return (node as unknown as { handle: (a: unknown, b: unknown, n: unknown, e: unknown) => unknown }).handle(
      l,
      r,
      node,
      ev,
    );
  };
  wrapped.add(out);
  return out;
}

/**
 * Walks a type-checked cel-js expression and puts the meter on every node that evaluates
 * (alternates and macro expansions included). `override` may supply a node's evaluation instead
 * of the library's (./cel-env.ts reroutes matches() to RE2 this way).
 */
export function instrument(
  root: CelAstNode,
  isNode: (v: unknown) => v is CelAstNode,
  override: (node: CelAstNode) => EvalFn | undefined,
): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (isNode(v)) {
      const meta = v.meta;
      visit(v.args);
      if (meta.alternate) {
        visit(meta.alternate);
        return;
      }
      if (meta.macro) {
        for (const x of Object.values(meta.macro)) visit(x);
        return;
      }
      const own = override(v) ?? (SIZED_OPERATORS.has(v.op) ? sizedOperator(v) : undefined) ?? meta.evaluate;
      if (!own || (wrapped.has(own) && own === meta.evaluate)) return;
      const next = wrapped.has(own) ? own : wrap(own, NODE_COST[v.op] ?? 1);
      if (next !== meta.evaluate) v.setMeta('evaluate', next);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) visit(x);
  };
  visit(root);
}
