// Kubernetes' CEL extension libraries in CRD rules, against the embedded server or a real
// kube-apiserver (SCALE_TUI_TEST_KUBECONFIG). Each case is a rule on one spec field, a value
// kube-apiserver v1.32 accepts and one it refuses; the verdicts follow each function's upstream
// definition, named per group:
//   lists:   k8s.io/apiserver/pkg/cel/library/lists.go
//   strings: github.com/google/cel-go/ext/strings.go (StringsVersion(2), environment/base.go)
//   regex:   k8s.io/apiserver/pkg/cel/library/regex.go (RE2)
//   url:     k8s.io/apiserver/pkg/cel/library/urls.go (url.ParseRequestURI)
//   quantity: k8s.io/apiserver/pkg/cel/library/quantity.go (resource.ParseQuantity)
//   ip/cidr: k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go (netip; no IPv4-mapped, no zones)
//   sets:    github.com/google/cel-go/ext/sets.go
//   optional: cel.OptionalTypes() (environment/base.go, v1.28)
//   format:  k8s.io/apiserver/pkg/cel/library/format.go (v1.31 compatibility version)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Conn } from './conformance/helpers.js';
import { compileCel } from '../../../src/sim/apiserver/schema/cel-env.js';
import { CRDS, causesOf, crdFor, installProbes, newGroup, type Probes } from './cel-crd.js';

interface Case {
  lib: string;
  rule: string;
  type: 'string' | 'integer' | 'array-int' | 'array-string' | 'object';
  ok: unknown;
  bad: unknown;
}

const CASES: Case[] = [
  { lib: 'lists.go', rule: 'self.isSorted()', type: 'array-int', ok: [1, 2, 2, 3], bad: [3, 1] },
  { lib: 'lists.go', rule: 'self.isSorted()', type: 'array-string', ok: ['a', 'b'], bad: ['b', 'a'] },
  { lib: 'lists.go', rule: 'self.sum() == 6', type: 'array-int', ok: [1, 2, 3], bad: [1, 2] },
  { lib: 'lists.go', rule: 'self.min() == 1', type: 'array-int', ok: [3, 1, 2], bad: [2, 3] },
  { lib: 'lists.go', rule: 'self.max() == 3', type: 'array-int', ok: [1, 3, 2], bad: [1, 5] },
  { lib: 'lists.go', rule: 'self.indexOf(2) == 1', type: 'array-int', ok: [1, 2, 2], bad: [2, 1] },
  { lib: 'lists.go', rule: 'self.lastIndexOf(2) == 2', type: 'array-int', ok: [1, 2, 2], bad: [2, 2, 1] },
  { lib: 'strings.go', rule: "self.charAt(1) == 'b'", type: 'string', ok: 'abc', bad: 'axc' },
  { lib: 'strings.go', rule: "self.indexOf('b') == 1", type: 'string', ok: 'abc', bad: 'bac' },
  { lib: 'strings.go', rule: "self.lastIndexOf('a') == 2", type: 'string', ok: 'aba', bad: 'aab' },
  { lib: 'strings.go', rule: "self.lowerAscii() == 'abc'", type: 'string', ok: 'ABC', bad: 'ABD' },
  // lowerAscii changes ASCII letters only: 'É' stays, so 'Éa' lowers to 'Éa', not 'éa'
  { lib: 'strings.go', rule: "self.lowerAscii() == 'Éa'", type: 'string', ok: 'ÉA', bad: 'éA' },
  { lib: 'strings.go', rule: "self.upperAscii() == 'ABC'", type: 'string', ok: 'abc', bad: 'abd' },
  { lib: 'strings.go', rule: "self.replace('-', '_') == 'a_b_c'", type: 'string', ok: 'a-b-c', bad: 'a-b' },
  { lib: 'strings.go', rule: "self.replace('-', '_', 1) == 'a_b-c'", type: 'string', ok: 'a-b-c', bad: 'a_b_c' },
  // Go's strings.Replace with an empty old string inserts at every rune boundary, ends included
  { lib: 'strings.go', rule: "self.replace('', '.') == '.a.b.'", type: 'string', ok: 'ab', bad: 'abc' },
  { lib: 'strings.go', rule: "self.split(',').size() == 3", type: 'string', ok: 'a,b,c', bad: 'a,b' },
  { lib: 'strings.go', rule: "self.substring(1, 3) == 'bc'", type: 'string', ok: 'abcd', bad: 'axyd' },
  { lib: 'strings.go', rule: "self.trim() == 'x'", type: 'string', ok: '  x ', bad: ' y ' },
  { lib: 'strings.go', rule: "self.split('/').join('-') == 'a-b'", type: 'string', ok: 'a/b', bad: 'a/c' },
  // list literals must be homogeneous (HomogeneousAggregateLiterals), so one verb per rule
  { lib: 'strings.go', rule: "'%s=x'.format([self]) == 'k=x'", type: 'string', ok: 'k', bad: 'j' },
  { lib: 'strings.go', rule: "'%d items'.format([size(self)]) == '3 items'", type: 'string', ok: 'abc', bad: 'ab' },
  { lib: 'strings.go', rule: "'%.2f'.format([double(size(self))]) == '3.00'", type: 'string', ok: 'abc', bad: 'ab' },
  { lib: 'strings.go', rule: 'strings.quote(self).size() == size(self) + 2', type: 'string', ok: 'ab', bad: 'a\nb' },
  { lib: 'regex.go', rule: "self.find('[0-9]+') == '123'", type: 'string', ok: 'ab123cd', bad: 'ab12' },
  { lib: 'regex.go', rule: "self.findAll('[0-9]').size() == 2", type: 'string', ok: 'a1b2', bad: 'a1' },
  { lib: 'regex.go', rule: "self.findAll('[0-9]', 1) == ['1']", type: 'string', ok: 'a1b2', bad: 'a3' },
  { lib: 'urls.go', rule: 'isURL(self)', type: 'string', ok: 'https://example.com/x', bad: 'example.com/x' },
  { lib: 'urls.go', rule: "url(self).getScheme() == 'https'", type: 'string', ok: 'https://a.b', bad: 'http://a.b' },
  {
    lib: 'urls.go',
    rule: "url(self).getHostname() == 'example.com'",
    type: 'string',
    ok: 'https://example.com:8443/p',
    bad: 'https://other.com',
  },
  {
    lib: 'urls.go',
    rule: "url(self).getHost() == '[::1]:80'",
    type: 'string',
    ok: 'http://[::1]:80/',
    bad: 'http://[::1]/',
  },
  { lib: 'urls.go', rule: "url(self).getPort() == '8443'", type: 'string', ok: 'https://x:8443/', bad: 'https://x/' },
  {
    lib: 'urls.go',
    rule: "url(self).getEscapedPath() == '/a%20b'",
    type: 'string',
    ok: 'https://x/a%20b',
    bad: 'https://x/ab',
  },
  {
    lib: 'urls.go',
    rule: "url(self).getQuery()['k'] == ['1', '2']",
    type: 'string',
    ok: 'https://x/?k=1&k=2',
    bad: 'https://x/?k=1',
  },
  { lib: 'quantity.go', rule: 'isQuantity(self)', type: 'string', ok: '1.5Gi', bad: '1.5GB' },
  {
    lib: 'quantity.go',
    rule: "quantity(self).isGreaterThan(quantity('1Gi'))",
    type: 'string',
    ok: '1025Mi',
    bad: '1024Mi',
  },
  { lib: 'quantity.go', rule: "quantity(self).isLessThan(quantity('100m'))", type: 'string', ok: '0.05', bad: '0.1' },
  { lib: 'quantity.go', rule: "quantity(self).compareTo(quantity('1k')) == 0", type: 'string', ok: '1000', bad: '1Ki' },
  { lib: 'quantity.go', rule: 'quantity(self).isInteger()', type: 'string', ok: '2', bad: '1500m' },
  { lib: 'quantity.go', rule: 'quantity(self).asInteger() == 1024', type: 'string', ok: '1Ki', bad: '1k' },
  {
    lib: 'quantity.go',
    rule: "quantity(self).add(quantity('500m')) == quantity('2')",
    type: 'string',
    ok: '1.5',
    bad: '1',
  },
  { lib: 'quantity.go', rule: 'quantity(self).sub(1).sign() == 0', type: 'string', ok: '1', bad: '2' },
  { lib: 'quantity.go', rule: "quantity(self) == quantity('1Gi')", type: 'string', ok: '1024Mi', bad: '1G' },
  { lib: 'quantity.go', rule: 'quantity(self).asApproximateFloat() > 0.5', type: 'string', ok: '600m', bad: '500m' },
  { lib: 'ip.go', rule: 'isIP(self)', type: 'string', ok: '10.0.0.1', bad: '10.0.0.01' },
  { lib: 'ip.go', rule: 'isIP(self)', type: 'string', ok: '2001:db8::1', bad: '::ffff:1.2.3.4' },
  { lib: 'ip.go', rule: 'ip(self).family() == 6', type: 'string', ok: '2001:db8::1', bad: '10.0.0.1' },
  { lib: 'ip.go', rule: 'ip.isCanonical(self)', type: 'string', ok: '2001:db8::1', bad: '2001:DB8::1' },
  { lib: 'ip.go', rule: 'ip.isCanonical(self)', type: 'string', ok: '2001:db8::1:0:0:1', bad: '2001:db8:0:0:1::1' },
  { lib: 'ip.go', rule: 'ip(self).isLoopback()', type: 'string', ok: '127.0.0.1', bad: '10.0.0.1' },
  { lib: 'ip.go', rule: 'ip(self).isUnspecified()', type: 'string', ok: '::', bad: '::1' },
  { lib: 'ip.go', rule: 'ip(self).isGlobalUnicast()', type: 'string', ok: '8.8.8.8', bad: '224.0.0.1' },
  // class E (240/4) is global unicast to Go's net/netip; only the limited broadcast is not
  { lib: 'ip.go', rule: 'ip(self).isGlobalUnicast()', type: 'string', ok: '240.0.0.1', bad: '255.255.255.255' },
  { lib: 'ip.go', rule: 'ip(self).isLinkLocalUnicast()', type: 'string', ok: '169.254.1.1', bad: '10.0.0.1' },
  { lib: 'ip.go', rule: 'ip(self).isLinkLocalMulticast()', type: 'string', ok: 'ff02::1', bad: 'ff05::1' },
  {
    lib: 'ip.go',
    rule: "string(ip(self)) == '2001:db8::1'",
    type: 'string',
    ok: '2001:0db8:0:0:0:0:0:1',
    bad: '2001:db8::2',
  },
  { lib: 'cidr.go', rule: "cidr('10.0.0.0/8').containsIP(self)", type: 'string', ok: '10.1.2.3', bad: '11.0.0.1' },
  {
    lib: 'cidr.go',
    rule: 'cidr(self).prefixLength() == 24',
    type: 'string',
    ok: '192.168.1.0/24',
    bad: '192.168.1.0/16',
  },
  {
    lib: 'cidr.go',
    rule: "string(cidr(self).masked()) == '192.168.1.0/24'",
    type: 'string',
    ok: '192.168.1.7/24',
    bad: '192.168.2.7/24',
  },
  { lib: 'cidr.go', rule: 'isCIDR(self)', type: 'string', ok: '10.0.0.0/8', bad: '10.0.0.0/33' },
  {
    lib: 'cidr.go',
    rule: "cidr(self).containsCIDR('10.1.0.0/16')",
    type: 'string',
    ok: '10.0.0.0/8',
    bad: '10.2.0.0/16',
  },
  { lib: 'cidr.go', rule: "cidr(self).ip() == ip('10.0.0.0')", type: 'string', ok: '10.0.0.0/8', bad: '10.0.0.1/8' },
  { lib: 'sets.go', rule: "sets.contains(self, ['a'])", type: 'array-string', ok: ['a', 'b'], bad: ['b'] },
  { lib: 'sets.go', rule: "sets.equivalent(self, ['a', 'b'])", type: 'array-string', ok: ['b', 'a', 'a'], bad: ['a'] },
  { lib: 'sets.go', rule: "sets.intersects(self, ['x'])", type: 'array-string', ok: ['x', 'y'], bad: ['y'] },
  {
    lib: 'format.go',
    rule: '!format.dns1123Label().validate(self).hasValue()',
    type: 'string',
    ok: 'my-name',
    bad: 'My_Name',
  },
  {
    lib: 'format.go',
    rule: '!format.dns1123Subdomain().validate(self).hasValue()',
    type: 'string',
    ok: 'a.b.c',
    bad: 'a..b',
  },
  { lib: 'format.go', rule: '!format.dns1035Label().validate(self).hasValue()', type: 'string', ok: 'a-1', bad: '1-a' },
  {
    lib: 'format.go',
    rule: '!format.dns1123LabelPrefix().validate(self).hasValue()',
    type: 'string',
    ok: 'gen-',
    bad: '-gen',
  },
  {
    lib: 'format.go',
    rule: '!format.qualifiedName().validate(self).hasValue()',
    type: 'string',
    ok: 'example.com/My.Name',
    bad: '/name',
  },
  { lib: 'format.go', rule: '!format.labelValue().validate(self).hasValue()', type: 'string', ok: '', bad: 'a b' },
  {
    lib: 'format.go',
    rule: '!format.uuid().validate(self).hasValue()',
    type: 'string',
    ok: '123e4567-e89b-12d3-a456-426614174000',
    bad: '123e4567',
  },
  {
    lib: 'format.go',
    rule: '!format.date().validate(self).hasValue()',
    type: 'string',
    ok: '2024-02-29',
    bad: '2023-02-29',
  },
  { lib: 'format.go', rule: 'format.named(self).hasValue()', type: 'string', ok: 'uri', bad: 'email' },
  {
    lib: 'format.go',
    rule: 'format.dns1123Label().validate(self).orValue([]) == []',
    type: 'string',
    ok: 'abc',
    bad: 'ABC',
  },
  {
    lib: 'optional',
    rule: "self.?name.orValue('') != 'bad'",
    type: 'object',
    ok: { name: 'ok' },
    bad: { name: 'bad' },
  },
  { lib: 'optional', rule: "self.?name.orValue('dflt') == 'dflt'", type: 'object', ok: {}, bad: { name: 'x' } },
];

function schemaOf(c: Case): Record<string, unknown> {
  const validations = [{ rule: c.rule }];
  switch (c.type) {
    case 'string':
      return { type: 'string', maxLength: 64, 'x-kubernetes-validations': validations };
    case 'integer':
      return { type: 'integer', 'x-kubernetes-validations': validations };
    case 'array-int':
      return { type: 'array', maxItems: 10, items: { type: 'integer' }, 'x-kubernetes-validations': validations };
    case 'array-string':
      return {
        type: 'array',
        maxItems: 10,
        items: { type: 'string', maxLength: 8 },
        'x-kubernetes-validations': validations,
      };
    case 'object':
      return {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 8 } },
        'x-kubernetes-validations': validations,
      };
  }
}

async function refusedRule(rule: string): Promise<{ status: number; messages: string[] }> {
  const group = newGroup('celbad');
  const props = { p: { type: 'string', maxLength: 8, 'x-kubernetes-validations': [{ rule }] } };
  const r = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, props)));
  if (r.status === 201) await c.raw('DELETE', `${CRDS}/probes.${group}`);
  return {
    status: r.status,
    messages: r.status === 201 ? [] : causesOf(r.json()).map((x) => `${x.field}: ${x.message}`),
  };
}

const typeName = (c: Case): string => (c.type.startsWith('array') ? 'array' : c.type);

let c: Conn;
let ns: string;
let probes: Probes;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('cel-libs');
  const props: Record<string, unknown> = {};
  CASES.forEach((k, i) => {
    props[`f${i}`] = schemaOf(k);
  });
  probes = await installProbes(c, ns, props);
}, 60_000);
afterAll(async () => {
  await probes?.remove();
  await c?.close();
});

describe('Kubernetes CEL libraries in CRD rules (v1.32 base environment)', () => {
  it.each(
    CASES.map(
      (k, i) => [`${k.lib}: ${k.rule} accepts ${JSON.stringify(k.ok)}, refuses ${JSON.stringify(k.bad)}`, i] as const,
    ),
  )('%s', async (_title, i) => {
    const k = CASES[i]!;
    const ok = await probes.create({ [`f${i}`]: k.ok });
    expect(ok, JSON.stringify(ok.causes)).toEqual({ status: 201, causes: [] });
    const bad = await probes.create({ [`f${i}`]: k.bad });
    expect(bad.status).toBe(422);
    expect(bad.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: `spec.f${i}`,
        message: `Invalid value: "${typeName(k)}": failed rule: ${k.rule}`,
      },
    ]);
  });

  it("format.go: validate() returns apimachinery's reasons (the text a messageExpression would show)", () => {
    const reasons = compileCel('format.dns1123Label().validate(self).value()')({ self: 'My_Name' });
    expect(reasons).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(compileCel('format.named("uri").value().validate(self).hasValue()')({ self: '/ok' })).toBe(false);
    expect(compileCel('format.named("uri").value().validate(self).hasValue()')({ self: 'ok' })).toBe(true);
  });

  it.each([
    ['cel.bind (cel-go ext.Bindings is not in the Kubernetes base environment)', 'cel.bind(x, self, x == "a")'],
    ['a two-variable all() (v1.32; new rules compile at the v1.31 compatibility version)', 'self.all(i, v, v != "")'],
    ['bytes.hex() (a cel-js extra)', 'bytes(self).hex() != ""'],
    ['an undeclared function', 'frobnicate(self)'],
  ])('a CRD whose rule uses %s is refused', async (_what, rule) => {
    const r = await refusedRule(rule);
    expect(r.status).toBe(422);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain('properties[p].x-kubernetes-validations[0].rule: Invalid value: ');
    expect(r.messages[0]).toContain('compilation failed: ');
  });

  it('quantity.go: quantity() of a bad string is an evaluation error, reported with the rule', async () => {
    const idx = CASES.findIndex((k) => k.rule === 'quantity(self).isInteger()');
    const r = await probes.create({ [`f${idx}`]: 'twelve' });
    expect(r.status).toBe(422);
    expect(r.causes).toHaveLength(1);
    expect(r.causes[0]?.field).toBe(`spec.f${idx}`);
    expect(r.causes[0]?.message).toMatch(
      /^Invalid value: "string": .*quantities must match .* evaluating rule: quantity\(self\)\.isInteger\(\)$/,
    );
  });
});
