// CEL cost limits as kube-apiserver enforces them at run time:
//   - per call: a rule whose evaluation passes PerCallLimit (1,000,000) is cancelled with
//     "operation cancelled: actual cost limit exceeded", and no further rules run
//     (apiextensions-apiserver pkg/apiserver/schema/cel/validation.go; the limit is
//     k8s.io/apiserver/pkg/apis/cel/config.go). Checked over HTTP, so it also runs against a real
//     server: a nested all() over 700 integers costs at least 700*700*4 there as here (each inner
//     step reads x and y and calls + and >=), 1.96M > 1M; over 100 integers it is far below.
//   - per object: all rules of one object share RuntimeCELCostBudget (10,000,000); past it,
//     "validation failed due to running out of cost budget, no further validation rules will be
//     run". Checked on the validator directly, with this meter's figures (./cel-cost.ts says
//     where they differ from cel-go's).
//   - static: a CRD whose rule's estimated cost exceeds StaticEstimatedCostLimit (10,000,000) is
//     refused at creation, "estimated rule cost exceeds budget by factor of ..." (apiextensions
//     validation.go getCostErrorMessage); a nested all() over an unbounded string list is so far
//     over (about 10^12) that any estimator says "more than 100x", and maxItems brings it under.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Conn } from './conformance/helpers.js';
import { CRDS, causesOf, crdFor, installProbes, newGroup, type Probes } from './cel-crd.js';
import { validateCel } from '../../../src/sim/apiserver/schema/cel.js';
import { metered, PER_CALL_LIMIT } from '../../../src/sim/apiserver/schema/cel-cost.js';
import { compileCel } from '../../../src/sim/apiserver/schema/cel-env.js';
import type { JSONSchemaProps } from '../../../src/sim/apiserver/schema/types.js';

const NESTED = 'self.all(x, self.all(y, x + y >= 0))';
const ints = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

let c: Conn;
let ns: string;
let probes: Probes;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('cel-cost');
  probes = await installProbes(c, ns, {
    nums: {
      type: 'array',
      maxItems: 700,
      items: { type: 'integer' },
      'x-kubernetes-validations': [{ rule: NESTED }, { rule: 'size(self) < 0', message: 'never true' }],
    },
  });
}, 60_000);
afterAll(async () => {
  await probes?.remove();
  await c?.close();
});

describe('CEL runtime cost', () => {
  it('a rule over its per-call limit is cancelled, and the rules after it do not run', async () => {
    const r = await probes.create({ nums: ints(700) });
    expect(r.status).toBe(422);
    expect(r.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.nums',
        message: `Invalid value: "array": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${NESTED}`,
      },
    ]);
  });

  it('the same rule over 100 items runs to its verdict (the next rule then reports)', async () => {
    const r = await probes.create({ nums: ints(100) });
    expect(r.status).toBe(422);
    expect(r.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.nums', message: 'Invalid value: "array": never true' },
    ]);
  });

  it('the meter counts comprehension steps: cost grows with the square of the list for a nested all()', () => {
    const program = compileCel(NESTED);
    const cost = (n: number) => metered(() => program({ self: ints(n).map(BigInt) }), PER_CALL_LIMIT).cost;
    const c10 = cost(10);
    const c20 = cost(20);
    expect(c10).toBeGreaterThanOrEqual(10 * 10 * 4);
    expect(c20 / c10).toBeGreaterThan(3.5);
    expect(c20 / c10).toBeLessThan(4.5);
  });

  it('string scans cost a tenth of the string length (StringTraversalCostFactor)', () => {
    const cost = (rule: string, text: string) => metered(() => compileCel(rule)({ self: text }), PER_CALL_LIMIT).cost;
    for (const rule of ["self.contains('z')", "self.startsWith('z')", "self.matches('z')", "self.find('z') == ''"]) {
      const short = cost(rule, 'a'.repeat(10));
      const long = cost(rule, 'a'.repeat(10_010));
      expect(long - short, rule).toBeGreaterThanOrEqual(1000);
      expect(long - short, rule).toBeLessThanOrEqual(1002);
    }
  });

  it('all rules of one object share the 10,000,000 budget: past it, no further rules run', () => {
    // 30 items, each with a rule costing about 640,000 (a nested all() over 400 integers)
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { v: { type: 'array', items: { type: 'integer' } } },
            'x-kubernetes-validations': [{ rule: 'self.v.all(x, self.v.all(y, x + y >= 0))' }],
          },
        },
      },
    };
    const obj = { items: ints(30).map((i) => ({ v: ints(400).map((x) => x + i) })) };
    const out = validateCel(schema, obj);
    expect(out.length).toBe(1);
    expect(out[0]?.message).toBe(
      'Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run',
    );
    const at = Number(/^items\[(\d+)\]$/.exec(out[0]?.field ?? '')?.[1]);
    // 10,000,000 / ~640,000 per item: the budget runs out at item 15 or 16
    expect(at).toBeGreaterThanOrEqual(14);
    expect(at).toBeLessThanOrEqual(16);
    // 10 items fit in the budget
    expect(validateCel(schema, { items: obj.items.slice(0, 10) })).toEqual([]);
  });

  // The third case was "with maxItems 10 is accepted" before costs were charged by size: cel-go
  // estimates `x == y` on strings at ceil(0.1 x the smaller maxLength), and a string without
  // maxLength at the 3 MiB request bound, so kube-apiserver refuses that CRD (6.3x); with
  // maxLength on the items it is accepted.
  it.each([
    [
      'without maxItems is refused: its estimated cost is more than 100x the limit',
      undefined,
      undefined,
      'more than 100x',
    ],
    [
      'with maxItems 10 but items of any length is refused: each comparison is estimated at the 3 MiB bound',
      10,
      undefined,
      '6.3x',
    ],
    ['with maxItems 10 and items of maxLength 64 is accepted', 10, 64, undefined],
  ])('a CRD with a nested all() over a string list %s', async (_what, maxItems, maxLength, factor) => {
    const group = newGroup('celest');
    const rule = 'self.all(x, self.all(y, x == y || x != y))';
    const props = {
      names: {
        type: 'array',
        items: { type: 'string', ...(maxLength ? { maxLength } : {}) },
        ...(maxItems ? { maxItems } : {}),
        'x-kubernetes-validations': [{ rule }],
      },
    };
    const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, props)));
    if (r.status === 201) await c.raw('DELETE', `${CRDS}/probes.${group}`);
    expect(r.status, r.text).toBe(factor ? 422 : 201);
    if (factor) {
      expect(causesOf(r.json())).toEqual([
        {
          reason: 'FieldValueForbidden',
          field:
            'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[names].x-kubernetes-validations[0].rule',
          message: `Forbidden: estimated rule cost exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
        },
      ]);
    }
  });
});
