// CEL runtime cost, metered as kube-apiserver meters it, so that a rule that would be cancelled
// there is cancelled here. Upstream (cel-go interpreter/runtimecost.go, with Kubernetes'
// library/cost.go for its libraries) charges while the program runs and stops it with
// "operation cancelled: actual cost limit exceeded" past the per-call limit (1,000,000,
// k8s.io/apiserver/pkg/apis/cel/config.go PerCallLimit); one object's rules share a budget of
// 10,000,000 (RuntimeCELCostBudget), after which "validation failed due to running out of cost
// budget, no further validation rules will be run".
//
// The meter wraps each node of a compiled cel-js expression (instrument) and charges:
//   identifiers, field selections and index operations 1; literals 0; function and operator calls
//   1; list literals 10 and map literals 30 (ListCreateBaseCost, MapCreateBaseCost); `&&`, `||`,
//   `?:`, has() and the comprehension frame 0; a comprehension's body is charged on each step,
//   as upstream's. String scans (the extension libraries, matches, contains, startsWith,
//   endsWith, lowerAscii, upperAscii) add ceil(0.1 * length) (StringTraversalCostFactor), list
//   functions add the list's length.
// Where it differs from upstream: operators on strings and lists (`==`, `+`, `in`) cost 1 here
// where cel-go charges by size, and the accumulator
// reads inside a comprehension cost nothing; so this meter reads somewhat lower than cel-go's
// on string-heavy rules, and the same on the iteration counts that dominate real overruns.
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

/** cel-go's StringTraversalCostFactor (0.1 per character), rounded up. */
export const traversalCost = (s: string): number => Math.ceil(s.length * 0.1);

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
      const own = override(v) ?? meta.evaluate;
      if (!own || wrapped.has(own)) return;
      const next = wrap(own, NODE_COST[v.op] ?? 1);
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
