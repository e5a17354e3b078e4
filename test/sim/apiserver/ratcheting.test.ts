// Validation ratcheting and optionalOldSelf as kube-apiserver v1.32 applies them
// (CRDValidationRatcheting, beta and on by default since v1.30; KEP-4008):
//   - a CRD's schema is tightened after an object was stored; an update that leaves the now
//     invalid values as they were is accepted, an update that changes one is refused for that
//     value only (schema errors: apiextensions schema/validation/ratcheting.go). Items of a
//     list-type=map list correlate by their keys, so an unchanged item keeps its old value.
//   - a CEL rule without oldSelf that fails on an unchanged value is a warning, not an error
//     (schema/cel/validation.go); once the value changes, it fails.
//   - optionalOldSelf: true runs a transition rule on create too, with oldSelf an optional
//     without a value; a rule that sets optionalOldSelf without reading oldSelf is refused, and so
//     is a transition rule under a list whose items do not correlate (not list-type=map).
// Over HTTP, so the same cases run against SCALE_TUI_TEST_KUBECONFIG: the tightened schema is
// waited for (a real server swaps it in asynchronously) before the updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, type Conn, type RawResponse } from './conformance/helpers.js';
import { CRDS, causesOf, crdFor, newGroup } from './cel-crd.js';

const LOOSE = {
  name: { type: 'string' },
  size: { type: 'integer' },
  label: { type: 'string' },
  note: { type: 'string' },
  ports: {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    items: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, port: { type: 'integer' } },
    },
  },
};

const TIGHT = {
  ...LOOSE,
  name: { type: 'string', maxLength: 5 },
  size: { type: 'integer', maximum: 10 },
  note: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'x'", message: 'note may not be x' }] },
  ports: {
    ...LOOSE.ports,
    items: {
      ...LOOSE.ports.items,
      properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 65535 } },
    },
  },
};

const LEVEL = {
  level: {
    type: 'integer',
    'x-kubernetes-validations': [
      {
        rule: '!oldSelf.hasValue() || self >= oldSelf.value()',
        message: 'level may not go down',
        optionalOldSelf: true,
      },
      {
        rule: 'oldSelf.hasValue() || self <= 5',
        messageExpression: "'a new level may be at most 5, not ' + string(self)",
        optionalOldSelf: true,
      },
    ],
  },
};

let c: Conn;
let ns: string;
const groups: string[] = [];

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('ratchet');
}, 60_000);
afterAll(async () => {
  for (const g of groups) await c?.raw('DELETE', `${CRDS}/probes.${g}`);
  await c?.close();
});

/** Installs a Probe CRD with these spec properties and waits until it is served. */
async function install(props: Record<string, unknown>): Promise<{ group: string; base: string }> {
  const group = newGroup('ratchet');
  const made = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, props)));
  expect(made.status, made.text).toBe(201);
  groups.push(group);
  const base = `/apis/${group}/v1/namespaces/${ns}/probes`;
  await eventually(async () => ((await c.raw('GET', base)).status === 200 ? true : undefined), 30_000, 'served');
  return { group, base };
}

const body = (group: string, name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name }, spec });

const patch = (base: string, name: string, spec: Record<string, unknown>): Promise<RawResponse> =>
  c.raw('PATCH', `${base}/${name}`, JSON.stringify({ spec }), 'application/merge-patch+json');

const warningOf = (r: RawResponse): string => [r.headers.warning ?? ''].flat().join(', ');

describe('validation ratcheting (CRDValidationRatcheting)', () => {
  let group: string;
  let base: string;

  beforeAll(async () => {
    ({ group, base } = await install(LOOSE));
    const stored = {
      name: 'too-long-a-name',
      size: 50,
      label: 'a',
      note: 'x',
      ports: [{ name: 'http', port: 99999 }],
    };
    const made = await c.raw('POST', base, body(group, 'old', stored));
    expect(made.status, made.text).toBe(201);
    // tighten the schema under the stored object
    const crd = (await c.raw('GET', `${CRDS}/probes.${group}`)).json() as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: unknown } } } } }> };
    };
    crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties = TIGHT;
    const put = await c.raw('PUT', `${CRDS}/probes.${group}`, JSON.stringify(crd));
    expect(put.status, put.text).toBe(200);
    let n = 0;
    await eventually(
      async () =>
        (await c.raw('POST', base, body(group, `probe-${n++}`, { size: 50 }))).status === 422 ? true : undefined,
      30_000,
      'tightened schema in force',
    );
  }, 60_000);

  it('an update that keeps the invalid values as they were is accepted; the failing CEL rule is a warning', async () => {
    const r = await patch(base, 'old', { label: 'b' });
    expect(r.status, r.text).toBe(200);
    expect(warningOf(r)).toContain('spec.note: Invalid value: \\"string\\": note may not be x');
  });

  it('an update that changes an invalid value is refused for that value alone', async () => {
    const r = await patch(base, 'old', { size: 60 });
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.size',
        message: 'Invalid value: 60: spec.size in body should be less than or equal to 10',
      },
    ]);
  });

  it('list-type=map items correlate by key: the unchanged item ratchets, the added one is checked', async () => {
    const r = await patch(base, 'old', {
      ports: [
        { name: 'http', port: 99999 },
        { name: 'https', port: 70000 },
      ],
    });
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ports[1].port',
        message: 'Invalid value: 70000: spec.ports[1].port in body should be less than or equal to 65535',
      },
    ]);
  });

  it('a CEL rule fails once its value changes, and the value cannot change back', async () => {
    const away = await patch(base, 'old', { note: 'y' });
    expect(away.status, away.text).toBe(200);
    const back = await patch(base, 'old', { note: 'x' });
    expect(back.status).toBe(422);
    expect(causesOf(back.json())).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.note', message: 'Invalid value: "string": note may not be x' },
    ]);
  });

  it('a new object gets no ratcheting', async () => {
    const r = await c.raw('POST', base, body(group, 'new', { name: 'ok', size: 11 }));
    expect(r.status).toBe(422);
    expect(causesOf(r.json()).map((x) => x.field)).toEqual(['spec.size']);
  });
});

describe('optionalOldSelf', () => {
  let group: string;
  let base: string;

  beforeAll(async () => {
    ({ group, base } = await install(LEVEL));
  }, 60_000);

  it('runs the transition rule on create, with oldSelf an optional without a value', async () => {
    const over = await c.raw('POST', base, body(group, 'l1', { level: 7 }));
    expect(over.status).toBe(422);
    expect(causesOf(over.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.level',
        message: 'Invalid value: "integer": a new level may be at most 5, not 7',
      },
    ]);
    expect((await c.raw('POST', base, body(group, 'l1', { level: 3 }))).status).toBe(201);
  });

  it('on update oldSelf holds the old value', async () => {
    expect((await patch(base, 'l1', { level: 9 })).status).toBe(200);
    const down = await patch(base, 'l1', { level: 4 });
    expect(down.status).toBe(422);
    expect(causesOf(down.json())).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.level', message: 'Invalid value: "integer": level may not go down' },
    ]);
  });

  it('a CRD whose transition rule sits under an atomic list is refused: its items have no old value', async () => {
    const group2 = newGroup('ratchet');
    const props = {
      entries: {
        type: 'array',
        maxItems: 10,
        items: {
          type: 'string',
          maxLength: 10,
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'immutable' }],
        },
      },
    };
    const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group2, props)));
    if (r.status === 201) groups.push(group2);
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field:
          'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[entries].items.x-kubernetes-validations[0].rule',
        message:
          'Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[entries]',
      },
    ]);
  });

  it('a CRD whose rule sets optionalOldSelf without reading oldSelf is refused', async () => {
    const group2 = newGroup('ratchet');
    const props = { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0', optionalOldSelf: true }] } };
    const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group2, props)));
    if (r.status === 201) groups.push(group2);
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field:
          'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[n].x-kubernetes-validations[0].optionalOldSelf',
        message: 'Invalid value: true: may not be set if oldSelf is not used in rule',
      },
    ]);
  });
});
