// The emulated manager's diagnostics endpoint: GET /metrics (the Prometheus text of its
// registry) and PUT /debug/flags/v (klog verbosity, live, as CAPI's diagnostics endpoint
// serves it). It listens on a loopback port of its own; the embedded API server reaches it
// through its pod proxy and its port-forward (the sink's servePort maps POD:8443 to that
// port), the way kube-apiserver and the kubelet reach a pod.
//
// Two modes, as the real flag sets them. Secure (the default of --diagnostics-address, and
// BMO's only mode): HTTPS with a self-signed certificate (controller-runtime makes one when
// no cert dir is given), and every request passes controller-runtime's
// WithAuthenticationAndAuthorization filter: a bearer token checked by TokenReview (none,
// or not authenticated: 401 "Unauthorized"), then a SubjectAccessReview for the
// non-resource path with the lower-cased method as verb (denied: 403 "Authorization denied
// for user U"; the review itself failing: 500). Insecure (--insecure-diagnostics): plain
// HTTP, no checks. One listener serves both: the first byte of a connection tells a TLS
// ClientHello from plain HTTP, so a mode change on restart needs no new port. Unlike
// controller-runtime, reviews are not cached (it keeps them 1-5 min), so a revoked binding
// is refused at once here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket, type AddressInfo } from 'node:net';
import { createCA, issueCert } from '../../core/pki/index.js';

/** Posts one review object to the API server and returns the created object (RestClient.request). */
export type ReviewPoster = (verb: 'POST', path: string, body: unknown) => Promise<unknown>;

let selfSigned: { certPem: string; keyPem: string } | undefined;

/** One self-signed serving certificate per process (ECDSA, cheap), as each manager makes its own. */
function servingCert(): { certPem: string; keyPem: string } {
  if (!selfSigned) {
    const ca = createCA('scale-tui-diagnostics-ca', { keyAlgorithm: 'ecdsa-p256' });
    selfSigned = issueCert(ca, {
      commonName: 'localhost',
      usage: 'server',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
  }
  return selfSigned;
}

export interface DiagnosticsHandlers {
  metrics(): string;
  /** Present only for binaries that serve PUT /debug/flags/v (CAPI's); others answer 404 there. */
  setVerbosity?(v: number): void;
  /** How TokenReview and SubjectAccessReview reach the API server; unset: secure mode answers 401. */
  reviews?(): ReviewPoster | undefined;
}

/** The port the pinned controllers' --diagnostics-address defaults to. */
export const DIAGNOSTICS_PORT = 8443;

function reply(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, limit = 1024): Promise<string | undefined> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
      if (body.length > limit) {
        req.destroy();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', () => resolve(undefined));
  });
}

export class DiagnosticsServer {
  private listener?: NetServer;
  private plain?: Server;
  private tls?: TlsServer;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** HTTPS with authn/authz (the default), or plain HTTP as with --insecure-diagnostics. */
  secure = true;

  constructor(private readonly h: DiagnosticsHandlers) {}

  async start(): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.serve(req, res);
    const plain = createServer(handler);
    plain.requestTimeout = 10_000;
    const { certPem, keyPem } = servingCert();
    const tls = createTlsServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.2' }, handler);
    tls.requestTimeout = 10_000;
    const listener = createNetServer((sock) => this.route(sock));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => resolve());
    });
    this.plain = plain;
    this.tls = tls;
    this.listener = listener;
    this.port = (listener.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const l = this.listener;
    if (!l) return;
    this.listener = undefined;
    for (const s of this.sockets) s.destroy();
    this.plain?.closeAllConnections();
    this.tls?.closeAllConnections();
    await new Promise<void>((resolve) => l.close(() => resolve()));
  }

  /** A TLS record starts with 0x16 (handshake); anything else is taken for plain HTTP. */
  private route(sock: Socket): void {
    this.sockets.add(sock);
    sock.once('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.once('readable', () => {
      const first = sock.read(1) as Buffer | null;
      if (!first) return void sock.destroy();
      sock.unshift(first);
      const isTls = first[0] === 0x16;
      if (this.secure && !isTls) {
        // What Go's net/http answers a plain request on a TLS port.
        sock.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
        return;
      }
      if (!this.secure && isTls) return void sock.destroy();
      (this.secure ? this.tls : this.plain)?.emit('connection', sock);
    });
  }

  /** controller-runtime's filter: 401 without a valid token, 403 when RBAC denies, else undefined. */
  private async refusal(req: IncomingMessage, path: string): Promise<{ code: number; body: string } | undefined> {
    const unauthorized = { code: 401, body: 'Unauthorized\n' };
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    const post = this.h.reviews?.();
    if (!m || !post) return unauthorized;
    let user: { username?: string; uid?: string; groups?: string[] };
    try {
      const tr = (await post('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: m[1] },
      })) as { status?: { authenticated?: boolean; user?: typeof user } };
      if (tr.status?.authenticated !== true || !tr.status.user) return unauthorized;
      user = tr.status.user;
    } catch {
      return unauthorized;
    }
    const name = user.username ?? '';
    try {
      const sar = (await post('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: name,
          ...(user.uid ? { uid: user.uid } : {}),
          groups: user.groups ?? [],
          nonResourceAttributes: { path, verb: (req.method ?? 'GET').toLowerCase() },
        },
      })) as { status?: { allowed?: boolean } };
      if (sar.status?.allowed !== true) return { code: 403, body: `Authorization denied for user ${name}\n` };
    } catch {
      return { code: 500, body: `Authorization for user ${name} failed\n` };
    }
    return undefined;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (this.secure) {
      const refused = await this.refusal(req, path);
      if (refused) {
        req.resume();
        return reply(res, refused.code, refused.body);
      }
    }
    if (path === '/metrics' && req.method === 'GET')
      return reply(res, 200, this.h.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    if (path === '/debug/flags/v' && this.h.setVerbosity) {
      if (req.method !== 'PUT') return reply(res, 405, 'only PUT is supported\n');
      const body = (await readBody(req))?.trim() ?? '';
      // klog's verbosity is a Level (int32); the handler refuses anything else, as the real one does.
      if (!/^\d{1,2}$/.test(body)) return reply(res, 400, `error: invalid value for klog verbosity: "${body}"\n`);
      this.h.setVerbosity(Number(body));
      return reply(res, 200, `successfully set klog.logging.verbosity to ${body}\n`);
    }
    reply(res, 404, '404 page not found\n');
  }
}
