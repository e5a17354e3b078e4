// Patterns as kube-apiserver runs them: OpenAPI `pattern` and CEL matches() use Go's regexp
// (RE2), not JavaScript's RegExp. Where the two disagree, the server must answer as RE2 does:
//   - lookahead, backreferences and \Z do not exist in RE2: a CRD whose pattern or rule literal
//     uses them is refused at creation (apiextensions validation: "must be a valid regular
//     expression, but isn't: error parsing regexp: ..."; cel.ValidateRegexLiterals for rules);
//   - POSIX classes ([[:alpha:]]) exist in RE2 only: JS reads `[[:alpha:]` as a set and then a
//     literal ']', so it refuses 'abc' where RE2 accepts it;
//   - RE2's \s is [\t\n\f\r ]: a no-break space is \S to RE2 and \s to JS.
// Each case first shows JS RegExp deciding the other way, so the test cannot pass on RegExp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Conn } from './conformance/helpers.js';
import { CRDS, causesOf, crdFor, installProbes, newGroup, type Probes } from './cel-crd.js';

let c: Conn;
let ns: string;
let probes: Probes;

const POSIX = '^[[:alpha:]]+$';
const NO_SPACE = '^\\S+$';

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('re2');
  probes = await installProbes(c, ns, {
    posixPattern: { type: 'string', pattern: POSIX },
    noSpacePattern: { type: 'string', pattern: NO_SPACE },
    posixRule: { type: 'string', maxLength: 32, 'x-kubernetes-validations': [{ rule: `self.matches('${POSIX}')` }] },
    noSpaceRule: {
      type: 'string',
      maxLength: 32,
      'x-kubernetes-validations': [{ rule: `self.matches('${NO_SPACE.replace(/\\/g, '\\\\')}')` }],
    },
  });
}, 60_000);
afterAll(async () => {
  await probes?.remove();
  await c?.close();
});

async function refusedCrd(specProperties: Record<string, unknown>): Promise<{ status: number; messages: string[] }> {
  const group = newGroup('re2bad');
  const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, specProperties)));
  if (r.status === 201) await c.raw('DELETE', `${CRDS}/probes.${group}`);
  return {
    status: r.status,
    messages: r.status === 201 ? [] : causesOf(r.json()).map((x) => `${x.field}: ${x.message}`),
  };
}

const FIELD = 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[p]';

describe('RE2, not JavaScript RegExp, for patterns and matches()', () => {
  it.each([
    ['lookahead', '^(?=a)a', 'invalid or unsupported Perl syntax: `(?=`'],
    ['\\Z', 'a\\Z', 'invalid escape sequence: `\\Z`'],
    ['a backreference', '^(a)\\1$', 'invalid escape sequence: `\\1`'],
  ])('a CRD whose pattern uses %s is refused (JS RegExp compiles it)', async (_what, pattern, why) => {
    expect(() => new RegExp(pattern)).not.toThrow();
    const r = await refusedCrd({ p: { type: 'string', pattern } });
    expect(r.status).toBe(422);
    expect(r.messages).toEqual([
      `${FIELD}.pattern: Invalid value: ${JSON.stringify(pattern)}: must be a valid regular expression, but isn't: error parsing regexp: ${why}`,
    ]);
  });

  it('a CRD whose rule gives matches() a lookahead literal is refused at compile time', async () => {
    const r = await refusedCrd({
      p: { type: 'string', maxLength: 8, 'x-kubernetes-validations': [{ rule: "self.matches('^(?=a)')" }] },
    });
    expect(r.status).toBe(422);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain(`${FIELD}.x-kubernetes-validations[0].rule: Invalid value: `);
    expect(r.messages[0]).toContain('compilation failed: ');
    expect(r.messages[0]).toContain('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
  });

  it('pattern [[:alpha:]]: RE2 accepts "abc" and refuses "ab1" (JS RegExp refuses "abc")', async () => {
    expect(new RegExp(POSIX).test('abc')).toBe(false);
    expect((await probes.create({ posixPattern: 'abc' })).status).toBe(201);
    const bad = await probes.create({ posixPattern: 'ab1' });
    expect(bad.status).toBe(422);
    expect(bad.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.posixPattern',
        message: `Invalid value: "ab1": spec.posixPattern in body should match '${POSIX}'`,
      },
    ]);
  });

  it('matches() with [[:alpha:]]: RE2 verdicts in a rule too', async () => {
    expect((await probes.create({ posixRule: 'abc' })).status).toBe(201);
    const bad = await probes.create({ posixRule: 'ab1' });
    expect(bad.status).toBe(422);
    expect(bad.causes[0]?.field).toBe('spec.posixRule');
  });

  it('\\S: a no-break space is not space to RE2 (JS RegExp says it is)', async () => {
    const nbsp = 'a\u00a0b';
    expect(new RegExp(NO_SPACE).test(nbsp)).toBe(false);
    expect((await probes.create({ noSpacePattern: nbsp })).status).toBe(201);
    expect((await probes.create({ noSpaceRule: nbsp })).status).toBe(201);
    expect((await probes.create({ noSpacePattern: 'a b' })).status).toBe(422);
    expect((await probes.create({ noSpaceRule: 'a b' })).status).toBe(422);
  });
});
