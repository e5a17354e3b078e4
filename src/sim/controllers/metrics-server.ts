// The emulated manager's diagnostics endpoint: GET /metrics (the Prometheus text of its
// registry) and PUT /debug/flags/v (klog verbosity, live, as CAPI's diagnostics endpoint
// serves it). It listens on a loopback port of its own; the embedded API server reaches it
// through its pod proxy (the sink's servePort maps POD:8443 to that port), the way
// kube-apiserver reaches a pod IP. Plain HTTP, as with `--insecure-diagnostics`: the pod
// proxy drops the caller's token, so an authn filter would refuse every proxied scrape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiagnosticsHandlers {
  metrics(): string;
  /** Present only for binaries that serve PUT /debug/flags/v (CAPI's); others answer 404 there. */
  setVerbosity?(v: number): void;
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
  private server?: Server;
  port = 0;

  constructor(private readonly h: DiagnosticsHandlers) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
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
