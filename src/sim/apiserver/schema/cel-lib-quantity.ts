// Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go, in the base
// environment since v1.28): quantity(), isQuantity(), and on a Quantity isInteger, asInteger,
// asApproximateFloat, sign, add, sub, isGreaterThan, isLessThan, compareTo; `==` compares values.
//
// A quantity is held exactly as n * 10^-scale (bigint n), so "1Gi" == "1073741824" and
// "1.5" < "1500m" == false as resource.Quantity decides; the grammar is resource.ParseQuantity's
// (sign, digits with one optional point, then a binary suffix Ki..Ei, a decimal SI suffix n..E,
// or an e/E exponent).
import type { Environment } from '@marcbachmann/cel-js';
import { CelCallError } from './cel-lib-core.js';

export class Quantity {
  constructor(
    readonly n: bigint,
    readonly scale: number,
  ) {}
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const GRAMMAR = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

export function parseQuantity(s: string): Quantity | undefined {
  const m = GRAMMAR.exec(s);
  if (!m) return undefined;
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  let n = BigInt(`${whole || '0'}${frac}`) * (sign === '-' ? -1n : 1n);
  let scale = frac.length;
  if (suffix in BINARY) n *= 2n ** BigInt(BINARY[suffix] ?? 0);
  else {
    const exp = suffix in DECIMAL ? (DECIMAL[suffix] ?? 0) : Number(suffix.slice(1));
    if (!Number.isFinite(exp) || Math.abs(exp) > 1000) return undefined;
    scale -= exp;
  }
  if (scale < 0) {
    n *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return new Quantity(n, scale);
}

function align(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.n * 10n ** BigInt(scale - a.scale), b.n * 10n ** BigInt(scale - b.scale), scale];
}

const cmp = (a: Quantity, b: Quantity): bigint => {
  const [x, y] = align(a, b);
  return x < y ? -1n : x > y ? 1n : 0n;
};

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function integerValue(q: Quantity): bigint | undefined {
  const d = 10n ** BigInt(q.scale);
  if (q.n % d !== 0n) return undefined;
  const v = q.n / d;
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

const fromInt = (i: bigint): Quantity => new Quantity(i, 0);

function mustParse(s: string): Quantity {
  const q = parseQuantity(s);
  if (!q)
    throw new CelCallError(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  return q;
}

export function registerQuantityLibrary(env: Environment): void {
  const Q = 'kubernetes.Quantity';
  env.registerType(Q, Quantity);
  env.registerFunction(`quantity(string): ${Q}`, mustParse);
  env.registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined);
  env.registerFunction(`${Q}.isInteger(): bool`, (q: Quantity) => integerValue(q) !== undefined);
  env.registerFunction(`${Q}.asInteger(): int`, (q: Quantity) => {
    const v = integerValue(q);
    if (v === undefined) throw new CelCallError('cannot convert value to integer');
    return v;
  });
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: Quantity) => Number(q.n) / 10 ** q.scale);
  env.registerFunction(`${Q}.sign(): int`, (q: Quantity) => (q.n > 0n ? 1n : q.n < 0n ? -1n : 0n));
  const add = (a: Quantity, b: Quantity, k: bigint) => {
    const [x, y, scale] = align(a, b);
    return new Quantity(x + k * y, scale);
  };
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => add(a, b, 1n));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: Quantity, b: bigint) => add(a, fromInt(b), 1n));
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => add(a, b, -1n));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: Quantity, b: bigint) => add(a, fromInt(b), -1n));
  env.registerFunction(`${Q}.isGreaterThan(${Q}): bool`, (a: Quantity, b: Quantity) => cmp(a, b) > 0n);
  env.registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: Quantity, b: Quantity) => cmp(a, b) < 0n);
  env.registerFunction(`${Q}.compareTo(${Q}): int`, cmp);
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => cmp(a, b) === 0n);
}
