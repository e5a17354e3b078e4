// Every HTTP request the engine makes to a Kubernetes API goes through here, with deadlines.
// client-node's default transport (node-fetch) has none: a closed port is reported at once,
// but a host that accepts TCP and then says nothing (a half-open connection to a backing VM,
// a frozen API server) makes a request wait forever, and everything awaiting it with it.
// So: a short deadline for connection establishment (TCP + TLS handshake), a longer one for
// the whole request (headers and body), and errors that name the server, verb and path.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import { keepAliveAgent } from './agent-pool.js';
import { loopDeadline, type Deadline } from './loop-lag.js';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

const gunzipAsync = promisify(gunzip);

export interface Deadlines {
  /** The whole request: connect, send, response headers and (unless streamed) the body. */
  requestMs: number;
  /** TCP connect plus TLS handshake; a dead or blackholed host shows here first. */
  connectMs: number;
}

/**
 * The one place the defaults live. 30 s is client-go's default for a loaded API server's slow
 * list; a connection that takes 10 s to establish on a LAN or loopback will not get better.
 */
export const DEFAULT_DEADLINES: Readonly<Deadlines> = Object.freeze({ requestMs: 30_000, connectMs: 10_000 });

export { KubeRequestError } from './request-error.js';
import { KubeRequestError } from './request-error.js';

const PLAIN: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  deadlines: Deadlines;
  /** Aborting destroys the request; the error is named AbortError (callers pass it through). */
  signal?: AbortSignal;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string>;
  /** The body, still arriving; the request deadline no longer applies to it. */
  body: IncomingMessage;
  /** Ends the request and its connection (the caller's own idle deadline, stop()). */
  destroy(err?: Error): void;
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * Opens a request and resolves once the response headers are in (the body is the caller's).
 * Until then both deadlines apply; after it, only `keepDeadline` decides whether the request
 * deadline still runs (buffered reads keep it, watches replace it with their own).
 */
interface Opened extends StreamResponse {
  clearDeadline(): void;
  /** The deadline error the request was destroyed with, if that is why it ended. */
  expired(): KubeRequestError | undefined;
}

/** Errors of a kept-alive socket the server had already closed when the request went out. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

function open(r: RawRequest, keepDeadline: boolean, retried = false): Promise<Opened> {
  const url = new URL(r.url);
  const server = url.origin;
  const target = `${url.origin}${url.pathname}`;
  const fail = (code: string, reason: string): KubeRequestError =>
    new KubeRequestError(code, r.method, target, server, reason);
  return new Promise((resolve, reject) => {
    if (r.signal?.aborted) {
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      return;
    }
    const headers: Record<string, string> = { ...r.headers };
    // Large lists come compressed (as to kubectl); a watch stream stays plain, line by line.
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'accept-encoding')) {
      headers['accept-encoding'] = keepDeadline ? 'gzip' : 'identity';
    }
    if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
    const lib = url.protocol === 'http:' ? http : https;
    const req = lib.request(url, { method: r.method, headers, agent: r.agent });
    let expired: KubeRequestError | undefined;
    const expire = (reason: string): void => {
      expired = fail('ETIMEDOUT', reason);
      req.destroy(expired);
    };
    // The connect deadline starts when the request has a socket: a request waiting in its
    // agent's queue is not a connection that failed (the request deadline still bounds it).
    let connectTimer: Deadline | undefined;
    let connectDone = false;
    let requestTimer: Deadline | undefined = loopDeadline(r.deadlines.requestMs, () => {
      expire(`no complete answer within ${seconds(r.deadlines.requestMs)}`);
    });
    const connected = (): void => {
      connectDone = true;
      connectTimer?.clear();
      connectTimer = undefined;
    };
    const clearDeadline = (): void => {
      connected();
      requestTimer?.clear();
      requestTimer = undefined;
    };
    const onAbort = (): void => void req.destroy(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    r.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => {
      clearDeadline();
      r.signal?.removeEventListener('abort', onAbort);
    });
    req.once('socket', (s) => {
      // A kept-alive socket is connected already; a new one is connected once TLS is up.
      if (req.reusedSocket || (!s.connecting && !(s instanceof TLSSocket))) return connected();
      if (!connectDone) {
        connectTimer = loopDeadline(r.deadlines.connectMs, () => {
          expire(`no connection within ${seconds(r.deadlines.connectMs)} (TCP and TLS handshake)`);
        });
      }
      s.once(s instanceof TLSSocket ? 'secureConnect' : 'connect', connected);
    });
    let answered = false;
    // `on`, not `once`: a socket can fail again after the response arrived (reset mid-body),
    // and an error event without a listener would crash the process.
    req.on('error', (err: Error & { code?: string }) => {
      clearDeadline();
      if (err instanceof KubeRequestError || err.name === 'AbortError') return reject(err);
      const code = err.code ?? 'EUNKNOWN';
      // A kept-alive socket can be closed by the server just as a request is written on it;
      // nothing was processed, so the request goes once more on a fresh connection (as Go's
      // transport does for a request that was not answered on a reused connection).
      if (!answered && !retried && req.reusedSocket && STALE_SOCKET.has(code)) {
        open(r, keepDeadline, true).then(resolve, reject);
        return;
      }
      reject(fail(code, PLAIN[code] ?? err.message));
    });
    req.once('response', (res) => {
      answered = true;
      // The body's consumer handles its errors; one arriving after the consumer is done (the
      // socket closing on an incomplete body) must not become an uncaught exception.
      res.on('error', () => undefined);
      connected();
      if (!keepDeadline) clearDeadline();
      const destroy = (err?: Error): void => {
        res.destroy(err);
        req.destroy(err);
      };
      const status = res.statusCode ?? 0;
      resolve({ status, headers: flatHeaders(res), body: res, destroy, clearDeadline, expired: () => expired });
    });
    req.end(r.body);
  });
}

export interface BufferedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A request whose body is read in full, all under the request deadline. */
export async function requestBuffered(r: RawRequest): Promise<BufferedResponse> {
  const res = await open(r, true);
  try {
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    if (/\bgzip\b/i.test(res.headers['content-encoding'] ?? '')) body = await gunzipAsync(body);
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    // A body cut by our deadline fails with a generic "aborted": report the deadline instead.
    throw res.expired() ?? err;
  } finally {
    res.clearDeadline();
  }
}

/** A request whose body the caller streams (watches); only the headers are under the deadline. */
export async function requestStream(r: RawRequest): Promise<StreamResponse> {
  return open(r, false);
}

/** client-node's transport replaced by one with deadlines (everything else stays client-node's). */
export function deadlineHttpLibrary(deadlines: Deadlines): HttpLibrary {
  return wrapHttpLibrary({
    async send(ctx: RequestContext): Promise<ResponseContext> {
      const body = ctx.getBody();
      // client-node's typed calls send JSON text; form data is not something the engine sends.
      if (body !== undefined && typeof body !== 'string') throw new Error('only string request bodies are supported');
      const res = await requestBuffered({
        method: ctx.getHttpMethod(),
        url: ctx.getUrl(),
        headers: ctx.getHeaders(),
        body,
        agent: keepAliveAgent(ctx.getAgent()),
        deadlines,
        signal: ctx.getSignal(),
      });
      const text = res.body.toString('utf8');
      return new ResponseContext(res.status, res.headers, { text: async () => text, binary: async () => res.body });
    },
  });
}
