// pods/proxy: /api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy/PATH, as kube-apiserver
// serves it. The embedded cluster has no pod network, so PodNetwork stands in for one: a
// process that plays a pod (an emulated controller) registers which loopback port answers
// for POD:PORT, as a CNI would give the pod an IP. Like the real proxy, the caller's
// Authorization header is not passed on (kube-apiserver removes it once it has
// authenticated the request), a pod that does not exist is a 404 Status, and a port that
// nothing listens on, or a scheme the target does not speak, is a 503 "error trying to
// reach service". Every proxied request has a deadline.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiStatusError, badRequest } from './status.js';

export const POD_PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/proxy(\/.*)?$/;

interface Endpoint {
  host: string;
  port: number;
  scheme: 'http' | 'https';
}

export class PodNetwork {
  private readonly ports = new Map<string, Endpoint>();

  servePort(namespace: string, pod: string, port: number, target: Endpoint): void {
    this.ports.set(`${namespace}/${pod}:${port}`, target);
  }

  release(namespace: string, pod: string, port: number): void {
    this.ports.delete(`${namespace}/${pod}:${port}`);
  }

  lookup(namespace: string, pod: string, port: number): Endpoint | undefined {
    return this.ports.get(`${namespace}/${pod}:${port}`);
  }
}

/** "https:name:8443" → scheme https, name, port 8443; "name" → http, name, port undefined. */
export function parseProxyTarget(raw: string): { scheme: 'http' | 'https'; name: string; port?: number } {
  const parts = raw.split(':');
  let scheme: 'http' | 'https' = 'http';
  if (parts.length === 3) {
    if (parts[0] !== 'http' && parts[0] !== 'https') throw badRequest(`invalid scheme in ${raw}`);
    scheme = parts[0];
    parts.shift();
  }
  if (parts.length > 2) throw badRequest(`invalid pod proxy target ${raw}`);
  const name = parts[0]!;
  if (parts[1] === undefined || parts[1] === '') return { scheme, name };
  const port = Number(parts[1]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw badRequest(`invalid port in ${raw}`);
  return { scheme, name, port };
}

const HOP_BY_HOP = new Set(['authorization', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export function proxyToPod(
  net: PodNetwork,
  podExists: (ns: string, name: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string,
  rawTarget: string,
  rest: string,
  query: string,
): void {
  const t = parseProxyTarget(rawTarget);
  if (!podExists(namespace, t.name))
    throw new ApiStatusError(404, 'NotFound', `pods "${t.name}" not found`, { kind: 'pods', name: t.name });
  const port = t.port ?? 80;
  const ep = net.lookup(namespace, t.name, port);
  const unreachable = (why: string): ApiStatusError =>
    new ApiStatusError(503, 'ServiceUnavailable', `error trying to reach service: ${why}`);
  if (!ep) throw unreachable(`dial tcp ${t.name}:${port}: connect: connection refused`);
  if (ep.scheme !== t.scheme)
    throw unreachable(
      t.scheme === 'https' ? 'http: server gave HTTP response to HTTPS client' : 'EOF (the target speaks TLS)',
    );
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  // kube-apiserver does not verify a pod's serving certificate on the pod proxy (pods have no
  // names a CA could vouch for), so neither does this.
  const upstream = (ep.scheme === 'https' ? httpsRequest : httpRequest)(
    {
      ...(ep.scheme === 'https' ? { rejectUnauthorized: false } : {}),
      host: ep.host,
      port: ep.port,
      method: req.method,
      path: (rest || '/') + (query ? `?${query}` : ''),
      headers,
      timeout: 30_000,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
  upstream.on('error', (err) => {
    if (res.headersSent) return void res.destroy();
    const s = unreachable(err.message).toStatus();
    const body = JSON.stringify(s);
    res.writeHead(s.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  req.pipe(upstream);
}
