// What kube-apiserver checks in a CRD's schemas before it accepts the CRD, as far as patterns
// and CEL go (apiextensions validation, ValidateCustomResourceDefinition): every `pattern` must
// compile as a Go regexp ("must be a valid regular expression, but isn't: error parsing regexp:
// ..."), and every x-kubernetes-validations rule and messageExpression must compile in the CEL
// environment ("compilation failed: ..."), and no rule's estimated cost times the number of
// times it can run may exceed the static limit (./cel-estimate.ts); a rule may read oldSelf only
// where old values correlate, and set optionalOldSelf only if it reads oldSelf. A CRD failing any is
// refused with 422, so the embedded server never serves a resource whose rules it would skip.
import { compileCel, estimateCelCost } from './cel-env.js';
import { costErrorMessage, maxCardinality, STATIC_COST_LIMIT } from './cel-estimate.js';
import { compileRe2 } from './re2.js';
import type { JSONSchemaProps } from './types.js';
import type { StatusCause } from '../status.js';

interface RuleSpec {
  rule: string;
  message?: string;
  messageExpression?: string;
  optionalOldSelf?: boolean;
}

/** How field.Invalid renders a ValidationRule value (Go's %#v of the struct). */
const ruleValue = (r: RuleSpec): string =>
  `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule)}, Message:${JSON.stringify(r.message ?? '')}, MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;

/**
 * Once a rule compiles: a rule reading oldSelf below a list that is not list-type=map has no old
 * value to read (its items are not correlatable; `uncorrelated` is that list's path), and
 * optionalOldSelf on a rule that does not read oldSelf means nothing; upstream refuses both.
 */
function oldSelfCauses(r: RuleSpec, at: string, uncorrelated: string | undefined, out: StatusCause[]): void {
  try {
    compileCel(r.rule);
  } catch {
    return;
  }
  const usesOldSelf = /\boldSelf\b/.test(r.rule);
  if (usesOldSelf && uncorrelated !== undefined) {
    out.push({
      reason: 'FieldValueInvalid',
      field: `${at}.rule`,
      message: `Invalid value: ${JSON.stringify(r.rule)}: oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelated}`,
    });
  } else if (!usesOldSelf && r.optionalOldSelf !== undefined) {
    out.push({
      reason: 'FieldValueInvalid',
      field: `${at}.optionalOldSelf`,
      message: `Invalid value: ${String(r.optionalOldSelf)}: may not be set if oldSelf is not used in rule`,
    });
  }
}

function walk(
  s: JSONSchemaProps,
  path: string,
  out: StatusCause[],
  seen: Set<JSONSchemaProps>,
  times: number,
  uncorrelated?: string,
): void {
  if (seen.has(s)) return;
  seen.add(s);
  if (typeof s.pattern === 'string') {
    const re = compileRe2(s.pattern);
    if (re instanceof Error) {
      out.push({
        reason: 'FieldValueInvalid',
        field: `${path}.pattern`,
        message: `Invalid value: ${JSON.stringify(s.pattern)}: must be a valid regular expression, but isn't: ${re.message}`,
      });
    }
  }
  const rules = (s['x-kubernetes-validations'] ?? []) as RuleSpec[];
  rules.forEach((r, i) => {
    for (const [key, src] of [
      ['rule', r.rule],
      ['messageExpression', r.messageExpression],
    ] as const) {
      if (typeof src !== 'string' || src === '') continue;
      try {
        compileCel(src);
        if (key === 'rule') {
          const cost = estimateCelCost(src, s) * times;
          if (cost > STATIC_COST_LIMIT) {
            out.push({
              reason: 'FieldValueForbidden',
              field: `${path}.x-kubernetes-validations[${i}].rule`,
              message: `Forbidden: ${costErrorMessage(cost)}`,
            });
          }
        }
      } catch (err) {
        out.push({
          reason: 'FieldValueInvalid',
          field: `${path}.x-kubernetes-validations[${i}].${key}`,
          message: `Invalid value: ${ruleValue(r)}: ${(err as Error).message}`,
        });
      }
    }
    if (typeof r.rule === 'string' && r.rule !== '')
      oldSelfCauses(r, `${path}.x-kubernetes-validations[${i}]`, uncorrelated, out);
  });
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    walk(sub, `${path}.properties[${k}]`, out, seen, times, uncorrelated);
  }
  if (typeof s.additionalProperties === 'object') {
    walk(s.additionalProperties, `${path}.additionalProperties`, out, seen, times * maxCardinality(s), uncorrelated);
  }
  // only list-type=map items correlate with old ones; the highest such list is the one named
  const itemsUncorrelated = s['x-kubernetes-list-type'] === 'map' ? uncorrelated : (uncorrelated ?? path);
  if (s.items) walk(s.items, `${path}.items`, out, seen, times * maxCardinality(s), itemsUncorrelated);
}

/** The causes for which kube-apiserver would refuse this CRD object's patterns or rules. */
export function crdDefinitionCauses(crd: Record<string, unknown>): StatusCause[] {
  const spec = crd.spec as { versions?: Array<{ schema?: { openAPIV3Schema?: JSONSchemaProps } }> } | undefined;
  const out: StatusCause[] = [];
  (spec?.versions ?? []).forEach((v, i) => {
    const root = v?.schema?.openAPIV3Schema;
    if (root && typeof root === 'object') walk(root, `spec.versions[${i}].schema.openAPIV3Schema`, out, new Set(), 1);
  });
  return out;
}
