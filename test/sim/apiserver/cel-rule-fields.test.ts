// A CEL rule's reason, fieldPath, message and messageExpression as kube-apiserver v1.32 reports
// them (apiextensions schema/cel/validation.go): the cause's reason follows `reason`
// (Forbidden: "Forbidden: <message>"), its field is the rule's node joined with `fieldPath`
// (".spec.count" on the root is spec.count), and a rule on the root without fieldPath reports
// on the nil path, "<nil>". Over HTTP, so it runs against SCALE_TUI_TEST_KUBECONFIG too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, type Conn } from './conformance/helpers.js';
import { CRDS, causesOf, crdFor, newGroup } from './cel-crd.js';

let c: Conn;
let ns: string;
let group: string;
let base: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('cel-fields');
  group = newGroup('celfields');
  const crd = crdFor(group, {
    count: { type: 'integer' },
    mode: { type: 'string' },
  }) as { spec: { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> } };
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
  root['x-kubernetes-validations'] = [
    {
      rule: '!has(self.spec) || !has(self.spec.count) || self.spec.count < 100',
      fieldPath: '.spec.count',
      reason: 'FieldValueForbidden',
      message: 'count must stay under 100',
    },
    { rule: "self.metadata.name != 'forbidden-name'", messageExpression: "'name ' + self.metadata.name + ' is taken'" },
  ];
  (root.properties as { spec: Record<string, unknown> }).spec['x-kubernetes-validations'] = [
    {
      rule: "!has(self.mode) || self.mode != 'off'",
      fieldPath: '.mode',
      reason: 'FieldValueRequired',
      message: 'mode must not be off',
    },
  ];
  const made = await c.raw('POST', CRDS, JSON.stringify(crd));
  expect(made.status, made.text).toBe(201);
  base = `/apis/${group}/v1/namespaces/${ns}/probes`;
  await eventually(async () => ((await c.raw('GET', base)).status === 200 ? true : undefined), 30_000, 'served');
}, 60_000);
afterAll(async () => {
  await c?.raw('DELETE', `${CRDS}/probes.${group}`);
  await c?.close();
});

const post = (name: string, spec: Record<string, unknown>) =>
  c.raw('POST', base, JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name }, spec }));

describe('CEL rule reason, fieldPath and messages', () => {
  it('a root rule with fieldPath and reason Forbidden reports on that field', async () => {
    const r = await post('p1', { count: 100 });
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      { reason: 'FieldValueForbidden', field: 'spec.count', message: 'Forbidden: count must stay under 100' },
    ]);
  });

  it('a nested rule joins its fieldPath to its node; reason Required words it as Required value', async () => {
    const r = await post('p2', { mode: 'off' });
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.mode', message: 'Required value: mode must not be off' },
    ]);
  });

  it('a root rule without fieldPath reports on <nil>, with its messageExpression', async () => {
    const r = await post('forbidden-name', { count: 1 });
    expect(r.status).toBe(422);
    expect(causesOf(r.json())).toEqual([
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "object": name forbidden-name is taken' },
    ]);
  });
});
