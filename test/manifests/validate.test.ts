import { describe, expect, it } from 'vitest';
import { applyDefaults, prune, validate, type JSONSchemaProps } from '../../src/sim/apiserver/schema/validate.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CRD_DIR, crdFor, loadCrds } from '../support/crds.js';

const SEED_CLUSTER = resolve(CRD_DIR, '..', 'reference', 'seed-manifests', 'cluster.yaml');

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['replicas', 'mode'],
      properties: {
        replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 10 },
        mode: { type: 'string', enum: ['a', 'b'] },
        name: { type: 'string', maxLength: 5, minLength: 1, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, port: { type: 'integer' } },
            required: ['name'],
          },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        maybe: { type: 'string', nullable: true },
        withDefault: { type: 'string', default: 'dflt' },
        nested: { type: 'object', properties: { inner: { type: 'integer', default: 7 } }, default: {} },
        containers: {
          type: 'array',
          items: { type: 'object', properties: { image: { type: 'string', minLength: 1 } }, required: ['image'] },
        },
        embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

const ok = () => ({
  apiVersion: 'x/v1',
  kind: 'X',
  metadata: { name: 'n', anything: 1 },
  spec: { replicas: 1, mode: 'a' },
});

describe('validate', () => {
  it('accepts a valid object, also in reject mode', () => {
    expect(validate(schema, ok(), { unknownFields: 'reject' })).toEqual([]);
  });

  it('reports a missing required field with its path', () => {
    const v = ok() as { spec: Record<string, unknown> };
    delete v.spec.replicas;
    expect(validate(schema, v)).toEqual([
      { field: 'spec.replicas', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
  });

  it('reports a wrong type as FieldValueTypeInvalid', () => {
    const [e] = validate(schema, { ...ok(), spec: { replicas: 'three', mode: 'a' } });
    expect(e?.field).toBe('spec.replicas');
    expect(e?.reason).toBe('FieldValueTypeInvalid');
    expect(e?.message).toContain('must be of type integer');
    expect(validate(schema, { ...ok(), spec: { replicas: 1.5, mode: 'a' } })[0]?.reason).toBe('FieldValueTypeInvalid');
  });

  it('reports an enum violation with the supported values', () => {
    const [e] = validate(schema, { ...ok(), spec: { replicas: 1, mode: 'c' } });
    expect(e).toEqual({
      field: 'spec.mode',
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "c": supported values: "a", "b"',
    });
  });

  it('checks bounds, lengths, patterns and formats', () => {
    const bad = (spec: Record<string, unknown>) =>
      validate(schema, { ...ok(), spec: { replicas: 1, mode: 'a', ...spec } });
    expect(bad({ replicas: 11 })[0]?.reason).toBe('FieldValueInvalid');
    expect(bad({ replicas: -1 })[0]?.message).toContain('greater than or equal to 0');
    expect(bad({ name: 'toolong' })[0]?.reason).toBe('FieldValueTooLong');
    expect(bad({ name: '' })[0]?.reason).toBe('FieldValueInvalid');
    expect(bad({ name: 'AB' })[0]?.message).toContain("should match '^[a-z]+$'");
    expect(bad({ when: 'yesterday' })[0]?.field).toBe('spec.when');
    expect(bad({ when: '2024-01-02T03:04:05Z' })).toEqual([]);
    expect(bad({ tags: ['a', 'b', 'c'] })[0]?.reason).toBe('FieldValueTooMany');
    expect(bad({ labels: { a: '1', b: '2', c: '3' } })[0]?.reason).toBe('FieldValueTooMany');
    expect(bad({ labels: { a: 1 } })[0]?.field).toBe('spec.labels[a]');
  });

  it('checks int-or-string and nullable', () => {
    const bad = (spec: Record<string, unknown>) =>
      validate(schema, { ...ok(), spec: { replicas: 1, mode: 'a', ...spec } });
    expect(bad({ port: 80 })).toEqual([]);
    expect(bad({ port: 'http' })).toEqual([]);
    expect(bad({ port: true })[0]?.reason).toBe('FieldValueTypeInvalid');
    expect(bad({ maybe: null })).toEqual([]);
    // kube-apiserver drops nulls of non-nullable fields before validating: absent, not a type error...
    expect(bad({ name: null })).toEqual([]);
    // ...so a null required field is missing.
    expect(validate(schema, { ...ok(), spec: { replicas: null, mode: 'a' } })).toEqual([
      { field: 'spec.replicas', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
    // A null list item is still a type error.
    expect(bad({ tags: [null] })[0]).toMatchObject({ field: 'spec.tags[0]', reason: 'FieldValueTypeInvalid' });
  });

  it('reports duplicates in set and map lists', () => {
    const bad = (spec: Record<string, unknown>) =>
      validate(schema, { ...ok(), spec: { replicas: 1, mode: 'a', ...spec } });
    expect(bad({ tags: ['a', 'a'] })[0]).toMatchObject({ field: 'spec.tags[1]', reason: 'FieldValueDuplicate' });
    expect(
      bad({
        ports: [
          { name: 'x', port: 1 },
          { name: 'x', port: 2 },
        ],
      })[0],
    ).toMatchObject({ field: 'spec.ports[1]', reason: 'FieldValueDuplicate' });
  });

  it('renders list indexes like kube-apiserver', () => {
    const errs = validate(schema, {
      ...ok(),
      spec: { replicas: 1, mode: 'a', containers: [{ image: 'x' }, { image: '' }, {}] },
    });
    expect(errs.map((e) => e.field)).toEqual(['spec.containers[1].image', 'spec.containers[2].image']);
  });

  it('rejects unknown fields only when asked, and never inside preserve-unknown-fields or metadata', () => {
    const v = { ...ok(), spec: { replicas: 1, mode: 'a', bogus: 1, free: { anything: { goes: 1 } } }, extra: true };
    expect(validate(schema, v)).toEqual([]);
    const errs = validate(schema, v, { unknownFields: 'reject' });
    expect(errs).toEqual([
      { field: 'spec.bogus', reason: 'FieldValueUnknown', message: 'unknown field "spec.bogus"' },
      { field: 'extra', reason: 'FieldValueUnknown', message: 'unknown field "extra"' },
    ]);
  });

  it('allows apiVersion/kind/metadata in embedded resources', () => {
    const v = {
      ...ok(),
      spec: {
        replicas: 1,
        mode: 'a',
        embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, nope: 1 },
      },
    };
    expect(validate(schema, v, { unknownFields: 'reject' }).map((e) => e.field)).toEqual(['spec.embedded.nope']);
  });

  it('supports not/oneOf/allOf junctors', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        a: { type: 'integer', not: { enum: [3] } },
        b: {
          type: 'object',
          properties: { x: { type: 'string' }, y: { type: 'string' } },
          oneOf: [{ required: ['x'] }, { required: ['y'] }],
        },
        c: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 2 }] },
      },
    };
    expect(validate(s, { a: 2, b: { x: '1' }, c: 1 })).toEqual([]);
    expect(validate(s, { a: 3 })[0]?.reason).toBe('FieldValueForbidden');
    expect(validate(s, { b: { x: '1', y: '2' } })[0]?.message).toContain('oneOf');
    expect(validate(s, { c: 5 })[0]?.field).toBe('c');
  });

  it('caches the compiled checker per schema object (results stable across calls)', () => {
    const v = { ...ok(), spec: { replicas: 'x', mode: 'a' } };
    expect(validate(schema, v)).toEqual(validate(schema, v));
  });
});

describe('applyDefaults and prune', () => {
  it('fills defaults recursively', () => {
    const v = applyDefaults(schema, ok()) as { spec: Record<string, unknown> };
    expect(v.spec.withDefault).toBe('dflt');
    expect(v.spec.nested).toEqual({ inner: 7 });
  });

  it('fills defaults inside list items and map values, not over present values or nullable nulls', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        list: { type: 'array', items: { type: 'object', properties: { p: { type: 'string', default: 'TCP' } } } },
        map: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { n: { type: 'integer', default: 1 } } },
        },
        keep: { type: 'string', default: 'd' },
        nul: { type: 'string', nullable: true, default: 'd' },
        nonNul: { type: 'string', default: 'd' },
      },
    };
    expect(
      applyDefaults(s, { list: [{}, { p: 'UDP' }], map: { a: {}, b: { n: 5 } }, keep: 'x', nul: null, nonNul: null }),
    ).toEqual({
      list: [{ p: 'TCP' }, { p: 'UDP' }],
      map: { a: { n: 1 }, b: { n: 5 } },
      keep: 'x',
      nul: null,
      nonNul: 'd',
    });
  });

  it('prunes unknown fields but keeps metadata, preserved and additionalProperties', () => {
    const v = { ...ok(), extra: 1, spec: { replicas: 1, mode: 'a', bogus: 1, labels: { k: 'v' }, free: { x: 1 } } };
    const pruned = prune(schema, v);
    expect(pruned.sort()).toEqual(['extra', 'spec.bogus']);
    const withNulls: Record<string, unknown> = { ...ok(), spec: { replicas: 1, mode: 'a', name: null, maybe: null } };
    prune(schema, withNulls);
    expect(withNulls.spec).toEqual({ replicas: 1, mode: 'a', maybe: null });
    expect(v).toEqual({ ...ok(), spec: { replicas: 1, mode: 'a', labels: { k: 'v' }, free: { x: 1 } } });
  });
});

describe('validate against a real CRD', () => {
  it('reports a wrong enum in a real BareMetalHost', () => {
    const { schema: s } = crdFor('metal3.io/v1alpha1', 'BareMetalHost');
    const bmh = {
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'h' },
      spec: { online: true, bootMode: 'BIOS' },
    };
    const errs = validate(s, bmh, { unknownFields: 'reject' });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ field: 'spec.bootMode', reason: 'FieldValueNotSupported' });
  });
});

describe('validator on every real CRD', () => {
  it('compiles every schema in ../shared/crds and reports missing required top-level fields', () => {
    const crds = loadCrds();
    expect(crds.size).toBeGreaterThan(40);
    for (const c of crds.values()) {
      const errs = validate(
        c.schema,
        { apiVersion: `${c.group}/${c.version}`, kind: c.kind, metadata: { name: 'x' } },
        { unknownFields: 'reject' },
      );
      for (const e of errs) expect(e.reason).toBe('FieldValueRequired');
    }
  });

  it.skipIf(!existsSync(SEED_CLUSTER))(
    "accepts the seed's rendered v1beta1 cluster.yaml against v1beta1 (no false positives on upstream output)",
    () => {
      const docs = parseAllDocuments(readFileSync(SEED_CLUSTER, 'utf8'))
        .map((d) => d.toJSON() as { apiVersion: string; kind: string } | null)
        .filter((d) => d !== null);
      expect(docs).toHaveLength(9);
      for (const d of docs)
        expect([d.kind, validate(crdFor(d.apiVersion, d.kind).schema, d, { unknownFields: 'reject' })]).toEqual([
          d.kind,
          [],
        ]);
      // ...and the same KCP is rejected by the v1beta2 schema (kubeletExtraArgs became a list).
      const kcp = docs.find((d) => d.kind === 'KubeadmControlPlane')!;
      const errs = validate(crdFor('controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane').schema, kcp, {
        unknownFields: 'reject',
      });
      expect(errs.map((e) => e.field)).toContain(
        'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs',
      );
    },
  );
});
