// Regular expressions as kube-apiserver runs them: Go's regexp package, RE2 syntax and
// semantics (no lookaround, no backreferences, no possessive quantifiers, `\Z` unknown; linear
// time). OpenAPI `pattern` and CEL `matches`/`find`/`findAll` all come through here, so the
// embedded server refuses the same patterns at CRD creation and gives the same verdicts on
// values. The engine is re2js (a maintained pure-JS port of RE2; no native build): a JS RegExp
// would accept `(?=...)` and `\1` and decide differently.
//
// Compiled patterns are cached by source (rules and schemas repeat a handful of patterns);
// the cache is bounded because CEL `matches` may take its pattern from the object.
import { RE2JS } from 're2js';

export type Re2 = RE2JS;

const cache = new Map<string, Re2 | Error>();
const CACHE_MAX = 1024;

/** The compiled pattern, or the parse error in Go's words ("error parsing regexp: ..."). */
export function compileRe2(pattern: string): Re2 | Error {
  let hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  try {
    hit = RE2JS.compile(pattern);
  } catch (err) {
    hit = new Error((err as Error).message);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(pattern, hit);
  return hit;
}

function mustCompile(pattern: string): Re2 {
  const re = compileRe2(pattern);
  if (re instanceof Error) throw re;
  return re;
}

/** Go's regexp.MatchString: an unanchored search. Throws the parse error for a bad pattern. */
export function re2Matches(s: string, pattern: string): boolean {
  return mustCompile(pattern).matcher(s).find();
}

/** The first match (kube's regex library `find`): '' when none. */
export function re2Find(s: string, pattern: string): string {
  const m = mustCompile(pattern).matcher(s);
  return m.find() ? (m.group() ?? '') : '';
}

/** All matches, at most `limit` of them when limit >= 0 (kube's `findAll`). */
export function re2FindAll(s: string, pattern: string, limit = -1): string[] {
  const out: string[] = [];
  if (limit === 0) return out;
  const m = mustCompile(pattern).matcher(s);
  while (m.find()) {
    out.push(m.group() ?? '');
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}
