// What kube-apiserver checks in a CRD's schemas before it accepts the CRD, as far as patterns
// and CEL go (apiextensions validation, ValidateCustomResourceDefinition): every `pattern` must
// compile as a Go regexp ("must be a valid regular expression, but isn't: error parsing regexp:
// ..."), and every x-kubernetes-validations rule and messageExpression must compile in the CEL
// environment ("compilation failed: ..."), and no rule's estimated cost times the number of
// times it can run may exceed the static limit (./cel-estimate.ts). A CRD failing any is
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

function walk(s: JSONSchemaProps, path: string, out: StatusCause[], seen: Set<JSONSchemaProps>, times: number): void {
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
    // optionalOldSelf only means something on a rule that reads oldSelf (checked once it compiles)
    if (r.optionalOldSelf !== undefined && typeof r.rule === 'string' && !/\boldSelf\b/.test(r.rule)) {
      let compiles = true;
      try {
        compileCel(r.rule);
      } catch {
        compiles = false;
      }
      if (compiles) {
        out.push({
          reason: 'FieldValueInvalid',
          field: `${path}.x-kubernetes-validations[${i}].optionalOldSelf`,
          message: `Invalid value: ${String(r.optionalOldSelf)}: may not be set if oldSelf is not used in rule`,
        });
      }
    }
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
  });
  for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, `${path}.properties[${k}]`, out, seen, times);
  if (typeof s.additionalProperties === 'object') {
    walk(s.additionalProperties, `${path}.additionalProperties`, out, seen, times * maxCardinality(s));
  }
  if (s.items) walk(s.items, `${path}.items`, out, seen, times * maxCardinality(s));
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
