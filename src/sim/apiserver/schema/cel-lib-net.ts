// Kubernetes' CEL url, ip and cidr libraries (k8s.io/apiserver/pkg/cel/library/urls.go, ip.go,
// cidr.go; url since the base environment began, ip/cidr since v1.30).
//   url(string) / isURL(string): Go's url.ParseRequestURI (an absolute URI, or an absolute path);
//     getScheme, getHost (with port), getHostname (no port, no IPv6 brackets), getPort,
//     getEscapedPath, getQuery (map of lists).
//   ip(string) / isIP / ip.isCanonical: Go's netip.ParseAddr minus IPv4-mapped IPv6 and zones;
//     family, isUnspecified, isLoopback, isLinkLocalMulticast, isLinkLocalUnicast,
//     isGlobalUnicast; string(ip).
//   cidr(string) / isCIDR: netip.ParsePrefix; containsIP, containsCIDR, ip, masked,
//     prefixLength; string(cidr).
import type { Environment } from '@marcbachmann/cel-js';
import { CelCallError } from './cel-lib-core.js';

export class CelUrl {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly query: string,
  ) {}
}

function parseRequestUri(s: string): CelUrl | undefined {
  if (s === '' || /\s/.test(s) || [...s].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\x7f'))
    return undefined;
  const noFragment = s.split('#')[0] ?? '';
  if (noFragment.startsWith('/')) {
    const [path = '', query = ''] = noFragment.split(/\?(.*)/s);
    return new CelUrl('', '', path, query);
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(noFragment);
  if (!m) return undefined;
  const [, scheme = '', rest = ''] = m;
  let body = rest;
  let query = '';
  const q = body.indexOf('?');
  if (q >= 0) {
    query = body.slice(q + 1);
    body = body.slice(0, q);
  }
  if (!body.startsWith('//')) return body.startsWith('/') ? new CelUrl(scheme, '', body, query) : undefined;
  const after = body.slice(2);
  const slash = after.indexOf('/');
  const authority = slash >= 0 ? after.slice(0, slash) : after;
  const path = slash >= 0 ? after.slice(slash) : '';
  const host = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  if (/^\[/.test(host) && !/^\[[0-9A-Fa-f:.]+\](:[0-9]*)?$/.test(host)) return undefined;
  if (!/^\[/.test(host) && !/^[^:[\]]*(:[0-9]*)?$/.test(host)) return undefined;
  return new CelUrl(scheme, host, path, query);
}

function hostname(u: CelUrl): string {
  if (u.host.startsWith('[')) return u.host.slice(1, u.host.indexOf(']'));
  const i = u.host.lastIndexOf(':');
  return i >= 0 ? u.host.slice(0, i) : u.host;
}

function port(u: CelUrl): string {
  const h = u.host.startsWith('[') ? u.host.slice(u.host.indexOf(']') + 1) : u.host;
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(i + 1) : '';
}

function queryMap(q: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (q === '') return out;
  for (const part of q.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const k = dec(eq >= 0 ? part.slice(0, eq) : part);
    const v = dec(eq >= 0 ? part.slice(eq + 1) : '');
    if (k === undefined || v === undefined) continue;
    const list = out[k] ?? [];
    list.push(v);
    out[k] = list;
  }
  return out;
}

function urlLib(env: Environment): void {
  const U = 'kubernetes.URL';
  env.registerType(U, CelUrl);
  env.registerFunction(`url(string): ${U}`, (s: string) => {
    const u = parseRequestUri(s);
    if (!u)
      throw new CelCallError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
    return u;
  });
  env.registerFunction('isURL(string): bool', (s: string) => parseRequestUri(s) !== undefined);
  env.registerFunction(`${U}.getScheme(): string`, (u: CelUrl) => u.scheme);
  env.registerFunction(`${U}.getHost(): string`, (u: CelUrl) => u.host);
  env.registerFunction(`${U}.getHostname(): string`, hostname);
  env.registerFunction(`${U}.getPort(): string`, port);
  env.registerFunction(`${U}.getEscapedPath(): string`, (u: CelUrl) => u.path);
  env.registerFunction(`${U}.getQuery(): map<string, list<string>>`, (u: CelUrl) => queryMap(u.query));
}

// ------------------------------------------------------------------ ip, cidr

/** An address as 4 or 16 bytes. */
export class CelIp {
  constructor(readonly bytes: Uint8Array) {}
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
}

export class CelCidr {
  constructor(
    readonly ip: CelIp,
    readonly bits: number,
  ) {}
}

function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    // netip refuses leading zeros (ambiguous octal) and empty fields
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  if (s.includes('%')) return undefined; // zones are refused by the kube library
  let tail: number[] = [];
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = `${text.slice(0, lastColon + 1)}x`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (g === 'x') continue;
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const words = halves.length === 2 ? [...head, ...rest, ...tail] : [...head, ...tail];
  if (halves.length === 2 ? words.length > 7 : words.length !== 8) return undefined;
  const full = halves.length === 2 ? [...head, ...Array(8 - words.length).fill(0), ...rest, ...tail] : words;
  const out = new Uint8Array(16);
  full.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function parseIp(s: string): CelIp | undefined {
  const b = s.includes(':') ? parseV6(s) : parseV4(s);
  if (!b) return undefined;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is refused by the kube library
  if (b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return undefined;
  return new CelIp(b);
}

function ipString(ip: CelIp): string {
  const b = ip.bytes;
  if (b.length === 4) return Array.from(b).join('.');
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  // RFC 5952: the longest run (length >= 2) of zero words becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parseCidr(s: string): CelCidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]*)$/.test(lenText)) return undefined;
  const bits = Number(lenText);
  if (bits > ip.bytes.length * 8) return undefined;
  return new CelCidr(ip, bits);
}

function maskedBytes(ip: CelIp, bits: number): Uint8Array {
  const out = new Uint8Array(ip.bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function containsIp(c: CelCidr, ip: CelIp): boolean {
  if (ip.family !== c.ip.family) return false;
  const a = maskedBytes(c.ip, c.bits);
  const b = maskedBytes(ip, c.bits);
  return a.every((x, i) => x === b[i]);
}

function must<T>(v: T | undefined, what: string, s: string): T {
  if (v === undefined) throw new CelCallError(`${what} '${s}' is not valid`);
  return v;
}

function ipLib(env: Environment): void {
  const I = 'net.IP';
  const C = 'net.CIDR';
  env.registerType(I, CelIp);
  env.registerType(C, CelCidr);
  class IpNamespace {}
  env.registerType('k8s.IpNamespace', IpNamespace);
  env.registerConstant('ip', 'k8s.IpNamespace', new IpNamespace());
  env.registerFunction(`ip(string): ${I}`, (s: string) => must(parseIp(s), 'IP Address', s));
  env.registerFunction('isIP(string): bool', (s: string) => parseIp(s) !== undefined);
  env.registerFunction('k8s.IpNamespace.isCanonical(string): bool', (_n: unknown, s: string) => {
    const ip = must(parseIp(s), 'IP Address', s);
    return ipString(ip) === s;
  });
  env.registerFunction(`string(${I}): string`, ipString);
  env.registerFunction(`${I}.family(): int`, (ip: CelIp) => BigInt(ip.family));
  const b = (ip: CelIp) => ip.bytes;
  env.registerFunction(`${I}.isUnspecified(): bool`, (ip: CelIp) => b(ip).every((x) => x === 0));
  env.registerFunction(`${I}.isLoopback(): bool`, (ip: CelIp) =>
    ip.family === 4 ? b(ip)[0] === 127 : b(ip).every((x, i) => x === (i === 15 ? 1 : 0)),
  );
  env.registerFunction(`${I}.isLinkLocalMulticast(): bool`, (ip: CelIp) =>
    ip.family === 4
      ? b(ip)[0] === 224 && b(ip)[1] === 0 && b(ip)[2] === 0
      : b(ip)[0] === 0xff && (b(ip)[1]! & 0x0f) === 0x02,
  );
  env.registerFunction(`${I}.isLinkLocalUnicast(): bool`, (ip: CelIp) =>
    ip.family === 4 ? b(ip)[0] === 169 && b(ip)[1] === 254 : b(ip)[0] === 0xfe && (b(ip)[1]! & 0xc0) === 0x80,
  );
  env.registerFunction(`${I}.isGlobalUnicast(): bool`, (ip: CelIp) => {
    const x = b(ip);
    if (x.every((v) => v === 0)) return false;
    // Go's IsGlobalUnicast: not loopback, multicast (224/4 only), link-local or limited broadcast
    if (ip.family === 4) {
      const multicast = x[0]! >= 224 && x[0]! <= 239;
      return !(x[0] === 127 || multicast || (x[0] === 169 && x[1] === 254) || x.every((v) => v === 255));
    }
    return !(
      x[0] === 0xff ||
      (x[0] === 0xfe && (x[1]! & 0xc0) === 0x80) ||
      x.every((v, i) => v === (i === 15 ? 1 : 0))
    );
  });
  env.registerFunction(`cidr(string): ${C}`, (s: string) => must(parseCidr(s), 'network address', s));
  env.registerFunction('isCIDR(string): bool', (s: string) => parseCidr(s) !== undefined);
  env.registerFunction(`string(${C}): string`, (c: CelCidr) => `${ipString(c.ip)}/${c.bits}`);
  env.registerFunction(`${C}.containsIP(${I}): bool`, containsIp);
  env.registerFunction(`${C}.containsIP(string): bool`, (c: CelCidr, s: string) =>
    containsIp(c, must(parseIp(s), 'IP Address', s)),
  );
  const containsCidr = (c: CelCidr, o: CelCidr) => o.bits >= c.bits && containsIp(c, o.ip);
  env.registerFunction(`${C}.containsCIDR(${C}): bool`, containsCidr);
  env.registerFunction(`${C}.containsCIDR(string): bool`, (c: CelCidr, s: string) =>
    containsCidr(c, must(parseCidr(s), 'network address', s)),
  );
  env.registerFunction(`${C}.ip(): ${I}`, (c: CelCidr) => c.ip);
  env.registerFunction(
    `${C}.masked(): ${C}`,
    (c: CelCidr) => new CelCidr(new CelIp(maskedBytes(c.ip, c.bits)), c.bits),
  );
  env.registerFunction(`${C}.prefixLength(): int`, (c: CelCidr) => BigInt(c.bits));
  env.registerOperator(`${I} == ${I}`, (x: CelIp, y: CelIp) => ipString(x) === ipString(y));
  env.registerOperator(
    `${C} == ${C}`,
    (x: CelCidr, y: CelCidr) => ipString(x.ip) === ipString(y.ip) && x.bits === y.bits,
  );
}

/** Whether Go's url.ParseRequestURI accepts s (format.uri() uses it too). */
export const isRequestUri = (s: string): boolean => parseRequestUri(s) !== undefined;

export function registerNetLibraries(env: Environment): void {
  urlLib(env);
  ipLib(env);
}
