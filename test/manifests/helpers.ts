// Shared checks for the manifest tests: validate an object against its real CRD
// (strict unknown-field mode, as kubectl uses) or a core shape.
import { expect } from 'vitest';
import type { KubeObject } from '../../src/manifests/types.js';
import { LABEL_MANAGED_BY, LABEL_RUN, MANAGED_BY_VALUE } from '../../src/manifests/labels.js';
import { validate, type SchemaViolation } from '../../src/sim/apiserver/schema/validate.js';
import { coreShapeFor, LABEL_KEY_PATTERN, objectMetaShape } from '../support/core-shapes.js';
import { crdFor } from '../support/crds.js';

export const RUN = 'run-test';

export function violations(obj: KubeObject): SchemaViolation[] {
  const core = coreShapeFor(obj.apiVersion, obj.kind);
  const schema = core ?? crdFor(obj.apiVersion, obj.kind).schema;
  const out = validate(schema, obj, { unknownFields: 'reject' });
  // Schemas skip root metadata (the API server validates ObjectMeta itself): check it here.
  for (const v of validate(objectMetaShape, obj.metadata, { unknownFields: 'reject' }))
    out.push({ ...v, field: `metadata.${v.field}` });
  for (const k of Object.keys(obj.metadata.labels ?? {})) {
    if (!LABEL_KEY_PATTERN.test(k))
      out.push({ field: `metadata.labels[${k}]`, reason: 'FieldValueInvalid', message: 'invalid label key' });
  }
  return out;
}

export function expectValid(objs: KubeObject[]): void {
  for (const o of objs) {
    expect({ kind: o.kind, name: o.metadata.name, violations: violations(o) }).toEqual({
      kind: o.kind,
      name: o.metadata.name,
      violations: [],
    });
    expect(o.metadata.labels?.[LABEL_MANAGED_BY]).toBe(MANAGED_BY_VALUE);
    expect(o.metadata.labels?.[LABEL_RUN]).toBe(RUN);
  }
}
