// CEL costs that depend on the size of the operands, as cel-go v0.22 (kube-apiserver v1.32)
// charges them: `x in list` costs the list's length, `==`/`!=` on strings ceil(0.1 x the shorter
// string), string `+` ceil(0.1 x both lengths) (interpreter/runtimecost.go); the static estimate
// at CRD creation takes the same operators from the largest sizes the schema allows, a string
// field counting 4 x its maxLength (checker/cost.go, apiextensions' SchemaDeclType).
//
// Every case here has a different verdict when each operator costs 1: the runtime ones would be
// accepted (201) instead of cancelled, the static one accepted instead of refused. Checked over
// HTTP, so they run against SCALE_TUI_TEST_KUBECONFIG too; each rule's estimate is worked out in
// its comment, under the 10,000,000 static limit, and its runtime cost well past the 1,000,000
// per-call limit with the large object and far below it with the small one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Conn } from './conformance/helpers.js';
import { CRDS, causesOf, crdFor, installProbes, newGroup, type Probes } from './cel-crd.js';
import { metered, PER_CALL_LIMIT } from '../../../src/sim/apiserver/schema/cel-cost.js';
import { compileCel } from '../../../src/sim/apiserver/schema/cel-env.js';

// Each step: the loop test 2, the accumulator 1, two `x in self` of 1 + 1 + 1000.
// Estimate with maxItems 1000: 1000 x 2,007 = 2.0M. Runtime over 1000 tags: the same, 2.0M.
const IN_RULE = 'self.all(x, x in self && x in self)';
// Inner step: 2 + 1 + two comparisons of 2 + ceil(0.1 x 4 x 8000) = 6,407 estimated, so
// 35 x 35 x 6,407 = 7.8M. Runtime over 35 distinct 8000-character strings: 800 per comparison,
// both run unless x is y: about 35 x 35 x 1,607 = 1.9M.
const EQ_RULE = 'self.all(x, self.all(y, x == y || x != y))';
// Inner step: 2 + 1 + x, y, ceil(0.1 x (40000 + 40000)), size and >=: 8,007 estimated, so
// 30 x 30 x 8,007 = 7.2M. Runtime over 30 strings of 10000 characters: 2,000 per `+`, 1.8M.
const CONCAT_RULE = 'self.all(x, self.all(y, size(x + y) >= 0))';

const CANCELLED = (rule: string) =>
  `Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${rule}`;

let c: Conn;
let ns: string;
let probes: Probes;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('cel-size');
  probes = await installProbes(c, ns, {
    tags: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', maxLength: 16 },
      'x-kubernetes-validations': [{ rule: IN_RULE }],
    },
    blobs: {
      type: 'array',
      maxItems: 35,
      items: { type: 'string', maxLength: 8000 },
      'x-kubernetes-validations': [{ rule: EQ_RULE }],
    },
    parts: {
      type: 'array',
      maxItems: 30,
      items: { type: 'string', maxLength: 10000 },
      'x-kubernetes-validations': [{ rule: CONCAT_RULE }],
    },
  });
}, 60_000);
afterAll(async () => {
  await probes?.remove();
  await c?.close();
});

const strings = (n: number, length: number): string[] =>
  Array.from({ length: n }, (_, i) => `${i}`.padStart(length, 'a'));

describe('CEL cost by operand size', () => {
  it('`x in list` costs the list length: 1000 tags checked twice each are cancelled, 100 pass', async () => {
    const big = await probes.create({ tags: strings(1000, 8) });
    expect(big.status).toBe(422);
    expect(big.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.tags', message: CANCELLED(IN_RULE) }]);
    expect((await probes.create({ tags: strings(100, 8) })).status).toBe(201);
  });

  it('string equality costs a tenth of the shorter string: 35 strings of 8000 characters are cancelled', async () => {
    const big = await probes.create({ blobs: strings(35, 8000) });
    expect(big.status).toBe(422);
    expect(big.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.blobs', message: CANCELLED(EQ_RULE) }]);
    expect((await probes.create({ blobs: strings(35, 10) })).status).toBe(201);
  });

  it('string concatenation costs a tenth of both strings: 30 x 30 joins of 10000 characters are cancelled', async () => {
    const big = await probes.create({ parts: strings(30, 10_000) });
    expect(big.status).toBe(422);
    expect(big.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.parts', message: CANCELLED(CONCAT_RULE) }]);
    expect((await probes.create({ parts: strings(30, 10) })).status).toBe(201);
  });

  it('a CRD comparing 100 strings of maxLength 10000 pairwise is refused by its estimate (4.0x)', async () => {
    // 100 x 100 x (2 + 1 + 2 + ceil(0.1 x 40000)) = 40.1M: four times the limit. Per operator 1 it
    // would be about 60,000 and accepted.
    const group = newGroup('celsize');
    const props = {
      names: {
        type: 'array',
        maxItems: 100,
        items: { type: 'string', maxLength: 10_000 },
        'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, x == y))' }],
      },
    };
    const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, props)));
    if (r.status === 201) await c.raw('DELETE', `${CRDS}/probes.${group}`);
    expect(r.status, r.text).toBe(422);
    expect(causesOf(r.json())).toEqual([
      {
        reason: 'FieldValueForbidden',
        field:
          'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[names].x-kubernetes-validations[0].rule',
        message:
          'Forbidden: estimated rule cost exceeds budget by factor of 4.0x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
      },
    ]);
  });

  it('the meter charges each operator as cel-go v0.22 does, by the sizes it is given', () => {
    const cost = (rule: string, self: unknown) => metered(() => compileCel(rule)({ self }), PER_CALL_LIMIT).cost;
    const text = 'a'.repeat(1000);
    // self 1 + ceil(0.1 x min(1000, 63)) = 7
    expect(cost(`self == '${'a'.repeat(63)}'`, text)).toBe(8);
    // an empty operand makes the comparison free: ceil(0.1 x 0)
    expect(cost("self == ''", text)).toBe(1);
    // self twice, ceil(0.1 x 2000) for the join, size 1, > 1
    expect(cost('size(self + self) > 0', text)).toBe(204);
    // a list is sized by its items: self twice + ceil(0.1 x 1000)
    expect(cost('self == self', Array(1000).fill('b'))).toBe(102);
    expect(cost("'a' in self", Array(1000).fill('b'))).toBe(1001);
    // list concatenation and integer arithmetic stay 1
    expect(cost('size(self + self) > 0', [1n, 2n])).toBe(5);
    expect(cost('self + 1 > 2', 3n)).toBe(3);
    // contains: ceil(0.1 x 1000) x ceil(0.1 x 2); matches: ceil(0.1 x 1001) x ceil(0.25 x 4)
    expect(cost("self.contains('zz')", text)).toBe(101);
    expect(cost("self.matches('^a+$')", text)).toBe(102);
  });
});
