// Request validation: object names, and CRD objects against their openAPIV3Schema (through
// ./schema/validate.ts) and its CEL rules (./schema/cel.ts), reported as kube-apiserver does
// (422 Invalid with causes; unknown fields under fieldValidation=Strict as 400 BadRequest
// "strict decoding error"). As upstream, CEL rules are not evaluated when the object already
// breaks a type, required, enum or size rule: a cause says some rules were not checked.
// Updates are ratcheted as kube-apiserver v1.32 ratchets them (CRDValidationRatcheting): schema
// errors in values unchanged from the stored object are dropped, CEL failures there become
// warnings (./schema/ratchet.ts), and list-type set/map duplicates are reported only when the
// stored object had none.
import { validate, applyDefaults, prune, type JSONSchemaProps, type SchemaViolation } from './schema/validate.js';
import { prepareCel, validateCel } from './schema/cel.js';
import { crdDefinitionCauses } from './schema/crd-rules.js';
import type { ResourceType } from './resource.js';
import { ApiStatusError, invalid, type StatusCause } from './status.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function checkName(t: ResourceType, name: string): void {
  // core/v1 Events take the legacy path of ValidateEventCreate, which never checks the name:
  // BMO names its events after their reason ("Registered-x7k2p"). checkLegacyEvent applies.
  if (isCoreEvent(t)) return;
  // kube-apiserver validates RBAC names as path segments only (ValidatePathSegmentName):
  // kubeadm's `kubeadm:get-nodes` and `system:coredns` are legal there.
  if (t.group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      throw invalid(t.kind, t.group, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${name}": may not contain '/' or '%'`,
        },
      ]);
    return;
  }
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

/** Schema violations after which upstream skips CEL (apiextensions strategy hasBlockingErr). */
const BLOCKING = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

const NOT_CHECKED: StatusCause = {
  reason: 'FieldValueInvalid',
  field: '<nil>',
  message:
    'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

const causesOf = (vs: SchemaViolation[]): StatusCause[] =>
  vs.map((v) => ({ reason: v.reason, field: v.field, message: v.message }));

/**
 * Defaults, validates and prunes a custom resource in place, then checks its CEL rules (with
 * `old`, the stored object, for transition rules on updates). Returns warnings (unknown fields
 * under fieldValidation=Warn).
 */
const isCoreEvent = (t: ResourceType): boolean => t.group === '' && t.kind === 'Event';

/**
 * ValidateEventCreate's legacy checks for a core/v1 Event without eventTime: its namespace
 * must be the involved object's ("default" or none for a cluster-scoped object), and a
 * DNS-1123 subdomain. Events with eventTime (the new API's shape) are accepted as sent.
 */
export function checkLegacyEvent(t: ResourceType, body: Record<string, unknown>, namespace: string): void {
  if (!isCoreEvent(t) || body.eventTime) return;
  const involved = (body.involvedObject ?? {}) as { namespace?: string };
  const objectNs = involved.namespace ?? '';
  const ok = objectNs === '' ? namespace === '' || namespace === 'default' : namespace === objectNs;
  if (!ok) {
    const name = String((body.metadata as { name?: unknown } | undefined)?.name ?? '');
    throw invalid(t.kind, t.group, name, [
      {
        reason: 'FieldValueInvalid',
        field: 'involvedObject.namespace',
        message: `Invalid value: "${objectNs}": does not match event.namespace`,
      },
    ]);
  }
}

export function checkSchema(
  t: ResourceType,
  obj: Record<string, unknown>,
  name: string,
  mode: FieldValidation,
  old?: Record<string, unknown>,
): string[] {
  if (t.kind === 'CustomResourceDefinition' && t.group === 'apiextensions.k8s.io') {
    // patterns must be RE2 and rules must compile, or the CRD is refused (as kube-apiserver)
    const causes = crdDefinitionCauses(obj);
    if (causes.length > 0) throw invalid(t.kind, t.group, name, causes);
  }
  const schema = t.schema as JSONSchemaProps | undefined;
  if (!schema) return [];
  applyDefaults(schema, obj);
  const violations = validate(schema, obj, { unknownFields: mode === 'Strict' ? 'reject' : 'prune', old });
  const unknown = violations.filter((v) => v.reason === 'FieldValueUnknown');
  let rest = violations.filter((v) => v.reason !== 'FieldValueUnknown');
  if (old && rest.some((v) => v.reason === 'FieldValueDuplicate') && hadDuplicates(schema, old)) {
    rest = rest.filter((v) => v.reason !== 'FieldValueDuplicate');
  }
  if (rest.some((v) => BLOCKING.has(v.reason))) {
    const causes = causesOf(rest);
    if (prepareCel(schema)) causes.push(NOT_CHECKED);
    throw invalid(t.kind, t.group, name, causes);
  }
  if (rest.length === 0 && unknown.length > 0) {
    const msg = unknown.map((u) => `unknown field "${u.field}"`).join(', ');
    throw new ApiStatusError(400, 'BadRequest', `strict decoding error: ${msg}`);
  }
  const pruned = prune(schema, obj);
  const ratcheted: string[] = [];
  const cel = validateCel(schema, obj, old, ratcheted);
  if (rest.length > 0 || cel.length > 0) throw invalid(t.kind, t.group, name, causesOf([...rest, ...cel]));
  return [...(mode === 'Warn' ? pruned.map((p) => `unknown field "${p}"`) : []), ...ratcheted];
}

/** Whether the stored object already broke a list-type set/map uniqueness (ValidateListSetsAndMaps). */
const hadDuplicates = (schema: JSONSchemaProps, old: Record<string, unknown>): boolean =>
  validate(schema, old).some((v) => v.reason === 'FieldValueDuplicate');
