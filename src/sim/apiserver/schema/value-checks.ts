// The value-level predicates of structural-schema validation, independent of where a value
// sits in the object: JSON type names and matches (integer vs number, plain objects), the
// formats kube-apiserver checks (int32, date-time, byte), pattern compilation (RE2, ./re2.ts), and how field.Error renders a bad value. The schema compiler (./validate.ts) turns
// these into per-node checkers.
import { compileRe2 } from './re2.js';

/** How field.Error renders a bad value: strings quoted, scalars bare, composites by type name. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? '"array"' : '"object"';
}

export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

/** A compiled OpenAPI `pattern`: Go regexp semantics (an unanchored RE2 search). */
export interface PatternTest {
  test(s: string): boolean;
}

/**
 * Compiles a schema `pattern` as kube-apiserver does (Go's regexp, RE2 syntax). A pattern RE2
 * refuses is undefined here: the CRD carrying it is refused at creation (see crdDefinitionCauses).
 */
export function compilePattern(p: string): PatternTest | undefined {
  const re = compileRe2(p);
  if (re instanceof Error) return undefined;
  return { test: (s) => re.matcher(s).find() };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The check for a `format` kube-apiserver enforces on CRDs; undefined for the formats it does not. */
export function formatChecker(format: string | undefined): ((v: unknown) => string | undefined) | undefined {
  switch (format) {
    case 'int32':
      return (v) => (typeof v === 'number' && (v < INT32_MIN || v > INT32_MAX) ? 'must be of type int32' : undefined);
    case 'date-time':
      return (v) => (typeof v === 'string' && !DATE_TIME.test(v) ? 'must be of type date-time' : undefined);
    case 'byte':
      return (v) => (typeof v === 'string' && !BASE64.test(v) ? 'must be of type byte' : undefined);
    default:
      return undefined;
  }
}
