// Request validation: object names, and CRD objects against their openAPIV3Schema (through
// ./schema/validate.ts), reported as kube-apiserver does (422 Invalid with causes; unknown
// fields under fieldValidation=Strict as 400 BadRequest "strict decoding error").
import { validate, applyDefaults, prune, type JSONSchemaProps } from './schema/validate.js';
import type { ResourceType } from './resource.js';
import { ApiStatusError, invalid, type StatusCause } from './status.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function checkName(t: ResourceType, name: string): void {
  const label = t.kind === 'Namespace' || t.kind === 'Service';
  const re = label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  const max = label ? 63 : 253;
  if (!re.test(name) || name.length > max) {
    const what = label
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    throw invalid(t.kind, t.group, name, [
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": ${what}` },
    ]);
  }
}

/**
 * Defaults, validates and prunes a custom resource in place. Returns warnings (unknown fields
 * under fieldValidation=Warn).
 */
export function checkSchema(
  t: ResourceType,
  obj: Record<string, unknown>,
  name: string,
  mode: FieldValidation,
): string[] {
  const schema = t.schema as JSONSchemaProps | undefined;
  if (!schema) return [];
  applyDefaults(schema, obj);
  const violations = validate(schema, obj, { unknownFields: mode === 'Strict' ? 'reject' : 'prune' });
  const unknown = violations.filter((v) => v.reason === 'FieldValueUnknown');
  const rest = violations.filter((v) => v.reason !== 'FieldValueUnknown');
  if (rest.length > 0) {
    const causes: StatusCause[] = rest.map((v) => ({ reason: v.reason, field: v.field, message: v.message }));
    throw invalid(t.kind, t.group, name, causes);
  }
  if (unknown.length > 0) {
    const msg = unknown.map((u) => `unknown field "${u.field}"`).join(', ');
    throw new ApiStatusError(400, 'BadRequest', `strict decoding error: ${msg}`);
  }
  const pruned = prune(schema, obj);
  return mode === 'Warn' ? pruned.map((p) => `unknown field "${p}"`) : [];
}
