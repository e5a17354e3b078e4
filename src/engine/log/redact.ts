// Redaction for everything the engine logs (store log pane, journal messages, error text
// from tools): certificates, private keys, tokens and passwords never reach a log line.
// Pure and idempotent: redact(redact(x)) === redact(x). It errs on the side of removing
// too much (e.g. a CA certificate is not secret, but "certificates are never logged").

export const REDACTED = '[REDACTED]';

/** Kubeconfig / Secret / auth-provider fields whose value is a credential or a certificate. */
const SECRET_FIELDS = [
  'client-key-data',
  'client-certificate-data',
  'certificate-authority-data',
  'client-key',
  'client-certificate',
  'token',
  'id-token',
  'refresh-token',
  'access-token',
  'bearer-token',
  'bearerToken',
  'password',
  'client-secret',
  'tls.key',
  'tls.crt',
  'ca.key',
  'ca.crt',
  'sa.key',
  'sa.pub',
];

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FIELD_ALT = SECRET_FIELDS.map(esc).join('|');
/** Between two command-line arguments: blanks, or `","` when argv is logged as JSON. */
const ARG_SEP = `["']?(?:\\s*,\\s*|\\s+)["']?`;
/** What precedes NAME:PASSWORD: `--user`, `ETCDCTL_USER=`, `user add`. */
const USER_FLAG = [
  `--user(?:=["']?|${ARG_SEP})`,
  `\\bETCDCTL_USER\\s*=\\s*["']?`,
  `\\buser${ARG_SEP}add${ARG_SEP}`,
].join('|');

const RULES: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // 1. Complete PEM blocks (certificates, any kind of private key, CSRs), possibly with
  //    escaped newlines as they appear inside JSON strings.
  [/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g, (_m, label) => `[REDACTED ${label}]`],
  // 2. A PEM block cut off (truncated log line): drop everything after the header that looks like base64.
  [
    /-----BEGIN ([A-Z0-9 ]+)-----(?:(?:\s|\\[nr])*[A-Za-z0-9+/=]{16,})*[A-Za-z0-9+/=]*/g,
    (_m, label) => `[REDACTED ${label}]`,
  ],
  // 3. Base64 of a PEM block ("-----BEGIN" encodes to LS0tLS1CRUdJTi...), e.g. Secret data, *-data fields.
  [/LS0tLS1CRUdJT[A-Za-z0-9+/]*={0,2}/g, REDACTED],
  // 4. HTTP Authorization headers and bearer tokens anywhere.
  [/\b(Authorization\s*[:=]\s*["']?)(Bearer|Basic)\s+[^\s"',;]+/gi, (_m, pre, scheme) => `${pre}${scheme} ${REDACTED}`],
  [
    /\b(Bearer)\s+(?!\[REDACTED\])(?=[A-Za-z0-9\-._~+/]*[0-9._~+/-])[A-Za-z0-9\-._~+/]{8,}=*/gi,
    (_m, scheme) => `${scheme} ${REDACTED}`,
  ],
  // JSON Web Tokens (service-account tokens) wherever they appear.
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // 5. YAML / JSON / logfmt fields: `token: x`, `"client-key-data": "x"`, `password=x`.
  [
    new RegExp(
      `(^|[\\s{,"'\\-_?&;(\\[])((?:${FIELD_ALT})["']?\\s*[:=]\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,}&"']+)`,
      'gim',
    ),
    (_m, pre, key, value) => `${pre}${key}${quoteLike(value)}`,
  ],
  // 6. Command-line flags: --password x, --password=x, --token x, --client-key-data x,
  //    and etcdctl's --user name:password.
  [
    /(--(?:[a-z0-9-]*password|token|client-secret|client-key-data|client-certificate-data)(?:=|\s+))("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/gi,
    (_m, flag, value) => `${flag}${quoteLike(value)}`,
  ],
  //    etcdctl's --user NAME:PW, its environment twin ETCDCTL_USER=NAME:PW, and
  //    `user add NAME:PW` (the user's password as the positional argument).
  //    Arguments may be space-separated or items of a JSON array ("--user","root:PW").
  [new RegExp(`((?:${USER_FLAG})[^:\\s"']+:)([^\\s"']+)`, 'gi'), (_m, pre) => `${pre}${REDACTED}`],
  // 6b. Any field whose name ends in password, in any spelling: "rootPassword": "x",
  //     root_password=x, etcdRootPassword: x (rule 5 needs the bare name `password`).
  [
    /(\b[A-Za-z0-9_-]*(?:password|passwd)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}&"']+)/gi,
    (_m, key, value) => `${key}${quoteLike(value)}`,
  ],
  // 7. Environment-style assignments: ETCD_ROOT_PASSWORD=x, DB_PASSWORD="x", ROOT_TOKEN=x.
  [
    /(\b[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET)\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&]+)/g,
    (_m, pre, value) => `${pre}${quoteLike(value)}`,
  ],
  // 8. Credentials in URLs: https://user:pass@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, (_m, pre) => `${pre}${REDACTED}@`],
];

function quoteLike(value: string): string {
  if (value === REDACTED || value === `"${REDACTED}"` || value === `'${REDACTED}'`) return value;
  if (value.startsWith('"')) return `"${REDACTED}"`;
  if (value.startsWith("'")) return `'${REDACTED}'`;
  if (value.startsWith('[REDACTED')) return value;
  return REDACTED;
}

/** Removes tokens, keys, certificates and passwords from log text. */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of RULES) out = out.replace(re, rep as (substring: string, ...args: string[]) => string);
  return out;
}

/** A log sink wrapper: every line goes through redact() first. */
export function redacting<A extends unknown[]>(
  sink: (message: string, ...rest: A) => void,
): (message: string, ...rest: A) => void {
  return (message, ...rest) => sink(redact(message), ...rest);
}
