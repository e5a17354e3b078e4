// Kubernetes' CEL extension libraries that work on plain CEL values, as kube-apiserver v1.32
// registers them for CRD rules (k8s.io/apiserver/pkg/cel/environment/base.go; new rules are
// compiled at the v1.31 compatibility version, old ones at v1.32):
//   - lists (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max, indexOf,
//     lastIndexOf;
//   - regex (library/regex.go): find, findAll, on RE2 (./re2.ts);
//   - strings ext at version 2 (cel-go ext/strings.go): charAt, replace, format, strings.quote,
//     and `matches` on RE2; indexOf, lastIndexOf, split, substring, trim, join, lowerAscii and
//     upperAscii come with cel-js already;
//   - sets (cel-go ext/sets.go): sets.contains, sets.equivalent, sets.intersects.
// Each function reports a cost through ./cel-cost.ts where upstream's estimator charges by size.
import type { Environment } from '@marcbachmann/cel-js';
import { chargeCost, regexCost, traversalCost } from './cel-cost.js';

/** cel-go's regex cost, less the 1 the meter already charged the call node (it replaces that 1). */
const regexCallCost = (s: string, p: string): number => Math.max(0, regexCost(s, p) - 1);
import { re2Find, re2FindAll, re2Matches } from './re2.js';

type Scalar = bigint | number | string | boolean;

/** A CEL evaluation error in cel-go's words (surfaces as "<msg> evaluating rule: ..."). */
export class CelCallError extends Error {}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    // cross-type numeric comparison is on since v1.28
    const x = typeof a === 'bigint' && typeof b === 'number' ? Number(a) : a;
    const y = typeof b === 'bigint' && typeof a === 'number' ? Number(b) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  throw new CelCallError('no such overload');
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'bigint') return a === Number(b);
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const ob = b as Record<string, unknown>;
    return (
      ka.length === Object.keys(b).length && ka.every((k) => k in ob && equal((a as Record<string, unknown>)[k], ob[k]))
    );
  }
  return false;
}

function listsLib(env: Environment): void {
  env.registerFunction('list<A>.isSorted(): bool', (l: unknown[]) => {
    chargeCost(l.length);
    for (let i = 1; i < l.length; i++) if (compare(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list<int>.sum(): int', (l: bigint[]) => {
    chargeCost(l.length);
    return l.reduce((a, b) => a + b, 0n);
  });
  env.registerFunction('list<double>.sum(): double', (l: number[]) => {
    chargeCost(l.length);
    return l.reduce((a, b) => a + b, 0);
  });
  const extreme = (l: Scalar[], sign: number): Scalar => {
    chargeCost(l.length);
    if (l.length === 0) throw new CelCallError(sign < 0 ? 'min called on empty list' : 'max called on empty list');
    let best = l[0] as Scalar;
    for (const x of l) if (compare(x, best) * sign > 0) best = x;
    return best;
  };
  env.registerFunction('list<A>.min(): A', (l: Scalar[]) => extreme(l, -1));
  env.registerFunction('list<A>.max(): A', (l: Scalar[]) => extreme(l, 1));
  env.registerFunction('list<A>.indexOf(A): int', (l: unknown[], v: unknown) => {
    chargeCost(l.length);
    return BigInt(l.findIndex((x) => equal(x, v)));
  });
  env.registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], v: unknown) => {
    chargeCost(l.length);
    for (let i = l.length - 1; i >= 0; i--) if (equal(l[i], v)) return BigInt(i);
    return -1n;
  });
}

function regexLib(env: Environment): void {
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    chargeCost(regexCallCost(s, p));
    return re2Find(s, p);
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => {
    chargeCost(regexCallCost(s, p));
    return re2FindAll(s, p);
  });
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => {
    chargeCost(regexCallCost(s, p));
    return re2FindAll(s, p, Number(n));
  });
  // the global form of matches (cel-js has only the receiver form, which ./cel-env.ts reroutes)
  env.registerFunction('matches(string, string): bool', (s: string, p: string) => {
    chargeCost(regexCallCost(s, p));
    return re2Matches(s, p);
  });
}

/** Code points, as cel-go indexes strings. */
const runes = (s: string): string[] => Array.from(s);

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\u0007') out += '\\a';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatArg(verb: string, precision: number | undefined, v: unknown): string {
  switch (verb) {
    case 's':
      if (typeof v === 'string') return v;
      if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
      if (v === null) return 'null';
      if (Array.isArray(v))
        return `[${v.map((x) => (typeof x === 'string' ? x : formatArg('s', undefined, x))).join(', ')}]`;
      throw new CelCallError(
        'error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps',
      );
    case 'd':
      if (typeof v === 'bigint') return String(v);
      throw new CelCallError('error during formatting: decimal clause can only be used on integers');
    case 'f':
    case 'e': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number')
        throw new CelCallError('error during formatting: fixed-point clause can only be used on doubles');
      if (Number.isNaN(n)) return 'NaN';
      if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
      if (verb === 'f') return n.toFixed(precision ?? 6);
      return n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
    }
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const base = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
      let out: string;
      if (typeof v === 'bigint') out = v.toString(base);
      else if (typeof v === 'string' && base === 16) out = Buffer.from(v, 'utf8').toString('hex');
      else
        throw new CelCallError(
          `error during formatting: only integers${base === 16 ? ', byte buffers, and strings' : ''} can be formatted`,
        );
      return verb === 'X' ? out.toUpperCase() : out;
    }
    default:
      throw new CelCallError(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

function format(fmt: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    i++;
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    let precision: number | undefined;
    if (fmt[i] === '.') {
      let digits = '';
      while (/[0-9]/.test(fmt[i + 1] ?? '')) digits += fmt[++i];
      precision = Number(digits);
      i++;
    }
    const verb = fmt[i];
    if (verb === undefined) throw new CelCallError('could not parse formatting clause: unexpected end of string');
    if (next >= args.length) throw new CelCallError(`index ${next} out of range`);
    out += formatArg(verb, precision, args[next++]);
  }
  return out;
}

function stringsLib(env: Environment): void {
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const r = runes(s);
    if (i < 0n || i > BigInt(r.length)) throw new CelCallError(`index out of range: ${i}`);
    return r[Number(i)] ?? '';
  });
  const replace = (s: string, from: string, to: string, n: number): string => {
    chargeCost(traversalCost(s));
    if (from === '') {
      // Go's strings.Replace with an empty old string inserts at every rune boundary, ends included
      const r = runes(s);
      const k = n < 0 ? r.length + 1 : Math.min(n, r.length + 1);
      let out = '';
      for (let i = 0; i <= r.length; i++) out += (i < k ? to : '') + (r[i] ?? '');
      return out;
    }
    if (n < 0) return s.split(from).join(to);
    let out = s;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const idx = out.indexOf(from, at);
      if (idx < 0) break;
      out = out.slice(0, idx) + to + out.slice(idx + from.length);
      at = idx + to.length;
    }
    return out;
  };
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
    replace(s, a, b, -1),
  );
  env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) =>
    replace(s, a, b, Number(n)),
  );
  env.registerFunction('string.format(list): string', (f: string, args: unknown[]) => {
    chargeCost(traversalCost(f) + args.length);
    return format(f, args);
  });
  class StringsNamespace {}
  env.registerType('k8s.StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'k8s.StringsNamespace', new StringsNamespace());
  env.registerFunction('k8s.StringsNamespace.quote(string): string', (_ns: unknown, s: string) => quote(s));
}

function setsLib(env: Environment): void {
  class SetsNamespace {}
  env.registerType('k8s.SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'k8s.SetsNamespace', new SetsNamespace());
  const contains = (a: unknown[], b: unknown[]) => {
    chargeCost(a.length * b.length);
    return b.every((x) => a.some((y) => equal(x, y)));
  };
  env.registerFunction(
    'k8s.SetsNamespace.contains(list<A>, list<A>): bool',
    (_n: unknown, a: unknown[], b: unknown[]) => contains(a, b),
  );
  env.registerFunction(
    'k8s.SetsNamespace.equivalent(list<A>, list<A>): bool',
    (_n: unknown, a: unknown[], b: unknown[]) => contains(a, b) && contains(b, a),
  );
  env.registerFunction(
    'k8s.SetsNamespace.intersects(list<A>, list<A>): bool',
    (_n: unknown, a: unknown[], b: unknown[]) => {
      chargeCost(a.length * b.length);
      return a.some((x) => b.some((y) => equal(x, y)));
    },
  );
}

/** Registers the value libraries on a fresh environment (once per process). */
export function registerCoreLibraries(env: Environment): void {
  listsLib(env);
  regexLib(env);
  stringsLib(env);
  setsLib(env);
}
