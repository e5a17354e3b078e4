// Kubernetes' CEL format library (k8s.io/apiserver/pkg/cel/library/format.go, in the base
// environment from the v1.31 compatibility version, so open to new CRD rules on v1.32):
// format.named(name) -> optional<Format>, format.<name>() -> Format, and
// <Format>.validate(string) -> optional<list<string>> (none when valid, else the reasons).
// The names and checks are apimachinery's: NameIsDNSLabel / NameIsDNSSubdomain /
// NameIsDNS1035Label (the *Prefix forms accept a trailing '-', as generateName does),
// IsQualifiedName, IsValidLabelValue, url.ParseRequestURI for uri, and strfmt's uuid, byte,
// date and datetime. Reason texts follow apimachinery's RegexError/MaxLenError wording.
import { type Environment, Optional } from '@marcbachmann/cel-js';
import { compileRe2 } from './re2.js';

export class CelFormat {
  constructor(
    readonly name: string,
    readonly check: (s: string) => string[],
  ) {}
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const DNS1035 = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED})?`;

const full = (re: string) => {
  const c = compileRe2(`^${re}$`);
  if (c instanceof Error) throw c;
  return (s: string) => c.matcher(s).find();
};

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number) => `must be no more than ${n} characters`;

function pattern(max: number, re: string, msg: string, ...examples: string[]): (s: string) => string[] {
  const ok = full(re);
  return (s) => {
    const out: string[] = [];
    if (s.length > max) out.push(maxLen(max));
    if (!ok(s)) out.push(regexError(msg, re, ...examples));
    return out;
  };
}

const label = pattern(
  63,
  LABEL,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  'my-name',
  '123-abc',
);
const subdomain = pattern(
  253,
  SUBDOMAIN,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  'example.com',
);
const dns1035 = pattern(
  63,
  DNS1035,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  'my-name',
  'abc-123',
);
const labelValue = pattern(
  63,
  LABEL_VALUE,
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  'MyValue',
  'my_value',
  '12345',
);

/** apimachinery's prefix form: a trailing '-' is allowed (it is masked before the check). */
const prefixed = (f: (s: string) => string[]) => (s: string) => f(s.endsWith('-') ? `${s.slice(0, -1)}a` : s);

const qualifiedNameOk = full(QUALIFIED);
const QUALIFIED_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_MSG, QUALIFIED, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const out: string[] = [];
  const name = parts.length === 2 ? (parts[1] ?? '') : s;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...subdomain(prefix).map((e) => `prefix part ${e}`));
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push(`name part ${maxLen(63)}`);
  if (name.length > 0 && !qualifiedNameOk(name)) {
    out.push(`name part ${regexError(QUALIFIED_MSG, QUALIFIED, 'MyName', 'my.name', '123-abc')}`);
  }
  return out;
}

const UUID = full('(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}');
const BASE64 = full('(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})');
const DATE = full('[0-9]{4}-[0-9]{2}-[0-9]{2}');
const DATETIME = full(
  '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})',
);

function validDate(s: string): boolean {
  if (!DATE(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

const FORMATS: Record<string, CelFormat> = {
  dns1123Label: new CelFormat('DNS1123Label', label),
  dns1123Subdomain: new CelFormat('DNS1123Subdomain', subdomain),
  dns1035Label: new CelFormat('DNS1035Label', dns1035),
  qualifiedName: new CelFormat('QualifiedName', qualifiedName),
  dns1123LabelPrefix: new CelFormat('DNS1123LabelPrefix', prefixed(label)),
  dns1123SubdomainPrefix: new CelFormat('DNS1123SubdomainPrefix', prefixed(subdomain)),
  dns1035LabelPrefix: new CelFormat('DNS1035LabelPrefix', prefixed(dns1035)),
  labelValue: new CelFormat('LabelValue', labelValue),
  uuid: new CelFormat('uuid', (s) => (UUID(s) ? [] : ['does not match the UUID format'])),
  byte: new CelFormat('byte', (s) => (s === '' || BASE64(s) ? [] : ['invalid base64'])),
  date: new CelFormat('date', (s) => (validDate(s) ? [] : ['invalid date'])),
  datetime: new CelFormat('datetime', (s) => (DATETIME(s) && validDate(s.slice(0, 10)) ? [] : ['invalid datetime'])),
};

export function registerFormatLibrary(env: Environment, isRequestUri: (s: string) => boolean): void {
  const F = 'k8s.Format';
  FORMATS.uri = new CelFormat('URI', (s) => (isRequestUri(s) ? [] : [`parse "${s}": invalid URI for request`]));
  class FormatNamespace {}
  env.registerType(F, CelFormat);
  env.registerType('k8s.FormatNamespace', FormatNamespace);
  env.registerConstant('format', 'k8s.FormatNamespace', new FormatNamespace());
  env.registerFunction(`k8s.FormatNamespace.named(string): optional<${F}>`, (_n: unknown, name: string) => {
    const f = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
    return f ? Optional.of(f) : Optional.none();
  });
  for (const [name, f] of Object.entries(FORMATS)) {
    env.registerFunction(`k8s.FormatNamespace.${name}(): ${F}`, () => f);
  }
  env.registerFunction(`${F}.validate(string): optional<list<string>>`, (f: CelFormat, s: string) => {
    const reasons = f.check(s);
    return reasons.length === 0 ? Optional.none() : Optional.of(reasons);
  });
}
