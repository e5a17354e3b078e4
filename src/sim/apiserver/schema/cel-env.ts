// The CEL environment CRD rules compile in, shaped like kube-apiserver v1.32's base environment
// (k8s.io/apiserver/pkg/cel/environment/base.go): cel-js with optional types (v1.28),
// homogeneous aggregate literals, Kubernetes' lists, regex, url, quantity, ip and cidr libraries,
// cel-go's strings (version 2) and sets extensions, the format library (v1.31), regex literals checked at compile time
// (ValidateRegexLiterals, v1.29), every regular expression on RE2, and a runtime cost meter.
// `self` and `oldSelf` are dynamic: the schema's types are bound at evaluation (./cel.ts).
//
// Not here: the authz library (not offered to CRD rules), two-variable comprehensions (v1.32:
// a v1.32 server compiles new rules at the v1.31 compatibility version, so it refuses them in a
// new CRD too). The static cost estimate is ./cel-estimate.ts.
import { Environment } from '@marcbachmann/cel-js';
import { type CelAstNode, chargeCost, instrument, regexCost, selfCharged, traversalCost } from './cel-cost.js';
import { estimateRuleCost } from './cel-estimate.js';
import { CelCallError, registerCoreLibraries } from './cel-lib-core.js';
import { registerFormatLibrary } from './cel-lib-format.js';
import { isRequestUri, registerNetLibraries } from './cel-lib-net.js';
import { registerQuantityLibrary } from './cel-lib-quantity.js';
import { compileRe2, re2Matches } from './re2.js';
import type { JSONSchemaProps } from './types.js';

export type CelProgram = (ctx: Record<string, unknown>) => unknown;

let env: Environment | undefined;
let isNode: ((v: unknown) => v is CelAstNode) | undefined;

function environment(): { env: Environment; isNode: (v: unknown) => v is CelAstNode } {
  if (!env || !isNode) {
    const e = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true });
    registerCoreLibraries(e);
    registerQuantityLibrary(e);
    registerNetLibraries(e);
    registerFormatLibrary(e, isRequestUri);
    const NodeClass = (Object.getPrototypeOf((e.parse('1') as unknown as { ast: object }).ast) as object).constructor;
    isNode = (v: unknown): v is CelAstNode => v instanceof (NodeClass as new () => object);
    env = e;
  }
  return { env, isNode };
}

type EvalFn = (ev: unknown, ast: unknown, ctx: unknown) => unknown;
interface Runner {
  run(ast: unknown, ctx: unknown): unknown;
}

/** lowerAscii/upperAscii change ASCII letters only in cel-go; cel-js's use toLowerCase(). */
const asciiCase = (s: string, upper: boolean): string =>
  s.replace(upper ? /[a-z]+/g : /[A-Z]+/g, (m) => (upper ? m.toUpperCase() : m.toLowerCase()));

function receiverCall(name: string, argc: number, node: CelAstNode): unknown[] | undefined {
  if (node.op !== 'rcall' || !Array.isArray(node.args)) return undefined;
  const [method, receiver, args] = node.args as [string, unknown, unknown[]];
  return method === name && args.length === argc ? [receiver, ...args] : undefined;
}

/** Evaluations cel-js gets wrong for Kubernetes, supplied in place of the library's. */
function override(node: CelAstNode): EvalFn | undefined {
  const m = receiverCall('matches', 1, node);
  if (m) {
    return selfCharged((ev, _ast, ctx) => {
      const s = (ev as Runner).run(m[0], ctx);
      const p = (ev as Runner).run(m[1], ctx);
      if (typeof s !== 'string' || typeof p !== 'string') throw new CelCallError('no such overload');
      chargeCost(regexCost(s, p));
      return re2Matches(s, p);
    });
  }
  for (const upper of [false, true]) {
    const c = receiverCall(upper ? 'upperAscii' : 'lowerAscii', 0, node);
    if (c) {
      return selfCharged((ev, _ast, ctx) => {
        const s = (ev as Runner).run(c[0], ctx);
        if (typeof s !== 'string') throw new CelCallError('no such overload');
        chargeCost(traversalCost(s));
        return asciiCase(s, upper);
      });
    }
  }
  // string scans cel-go v0.22 charges by the receiver's length (startsWith, endsWith) or by the
  // receiver's times the argument's (contains): cel-js's own handlers, plus that charge
  const scans: Record<string, (s: string, x: string) => boolean> = {
    contains: (s, x) => s.includes(x),
    startsWith: (s, x) => s.startsWith(x),
    endsWith: (s, x) => s.endsWith(x),
  };
  const scanCost: Record<string, (s: string, x: string) => number> = {
    contains: (s, x) => traversalCost(s) * traversalCost(x),
    startsWith: (s) => traversalCost(s),
    endsWith: (s) => traversalCost(s),
  };
  for (const [name, scan] of Object.entries(scans)) {
    const c = receiverCall(name, 1, node);
    if (c) {
      return selfCharged((ev, _ast, ctx) => {
        const s = (ev as Runner).run(c[0], ctx);
        const x = (ev as Runner).run(c[1], ctx);
        if (typeof s !== 'string' || typeof x !== 'string') throw new CelCallError('no such overload');
        chargeCost(scanCost[name]!(s, x));
        return scan(s, x);
      });
    }
  }
  return undefined;
}

/**
 * Receiver functions cel-js offers that kube-apiserver's environment does not declare (cel-js
 * extras on bytes, and cel.bind, which is not in Kubernetes' base environment): a rule using them
 * is refused as upstream refuses an undeclared overload.
 */
const NOT_IN_KUBERNETES = new Set(['hex', 'base64', 'json', 'at', 'bind']);

/**
 * Compile-time refusals beyond the type check: regex literals given to matches/find/findAll
 * must compile as RE2 (cel.ValidateRegexLiterals, v1.29), and no function outside the
 * Kubernetes environment may be called.
 */
function compileTimeErrors(root: CelAstNode, node: (v: unknown) => v is CelAstNode): string[] {
  const errors: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (node(v)) {
      const call = receiverCall('matches', 1, v) ?? receiverCall('find', 1, v) ?? receiverCall('findAll', 1, v);
      const lit = call?.[1];
      if (node(lit) && lit.op === 'value' && typeof lit.args === 'string') {
        const re = compileRe2(lit.args);
        if (re instanceof Error) errors.push(`invalid matches argument: ${re.message}`);
      }
      if (v.op === 'rcall' && Array.isArray(v.args) && NOT_IN_KUBERNETES.has(String(v.args[0]))) {
        errors.push(`found no matching overload for '${String(v.args[0])}'`);
      }
      visit(v.args);
      return;
    }
    if (Array.isArray(v)) for (const x of v) visit(x);
  };
  visit(root);
  return errors;
}

/**
 * cel-js records an operand's static type to pick an operator overload without looking at the
 * value; for the result of a generic call on a dyn (oldSelf.value() when optionalOldSelf makes
 * oldSelf an optional) that type is still a placeholder, which matches every overload ("Operator
 * overload 'int >= int' overlaps with 'int >= uint'"). Such operands are resolved by value.
 */
function dropPlaceholderTypes(root: CelAstNode, node: (v: unknown) => v is CelAstNode): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (node(v)) {
      const n = v as unknown as Record<string, { hasPlaceholderType?: boolean } | undefined>;
      for (const side of ['leftStaticType', 'rightStaticType']) {
        if (n[side]?.hasPlaceholderType) n[side] = undefined;
      }
      visit(v.args);
      if (v.meta.alternate) visit(v.meta.alternate);
      if (v.meta.macro) for (const x of Object.values(v.meta.macro)) visit(x);
      return;
    }
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) visit(x);
  };
  visit(root);
}

/** Programs by source: the CRD check and the registry compile the same rules (stateless). */
const compiled = new Map<string, CelProgram | Error>();

/** Compiles a rule or message expression: throws with upstream's "compilation failed" text. */
export function compileCel(source: string): CelProgram {
  let hit = compiled.get(source);
  if (hit === undefined) {
    try {
      hit = compileUncached(source);
    } catch (err) {
      hit = err as Error;
    }
    if (compiled.size >= 4096) compiled.clear();
    compiled.set(source, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

function compileUncached(source: string): CelProgram {
  const { env: e, isNode: node } = environment();
  let program: ReturnType<Environment['parse']>;
  try {
    program = e.parse(source);
  } catch (err) {
    throw new Error(`compilation failed: ERROR: <input>: ${(err as Error).message.split('\n')[0]}`);
  }
  const checked = program.check();
  if (!checked.valid) {
    throw new Error(`compilation failed: ERROR: <input>: ${checked.error?.message.split('\n')[0] ?? 'type error'}`);
  }
  const ast = (program as unknown as { ast: CelAstNode }).ast;
  const bad = compileTimeErrors(ast, node);
  if (bad.length > 0) throw new Error(`compilation failed: ERROR: <input>: ${bad[0]}`);
  dropPlaceholderTypes(ast, node);
  instrument(ast, node, override);
  return program as unknown as CelProgram;
}

/** The static cost estimate of a compiled rule at a schema node (./cel-estimate.ts). */
export function estimateCelCost(source: string, self: JSONSchemaProps): number {
  const program = compileCel(source);
  return estimateRuleCost((program as unknown as { ast: CelAstNode }).ast, self, environment().isNode);
}
