// A small JSON REST client for the emulated controllers. It authenticates with the
// kubeconfig through client-node (applyToHTTPSOptions), keeps connections alive, and
// sends every request through an optional token bucket so the controller behaves like a
// client-go client with --kube-api-qps/--kube-api-burst.
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TokenBucket } from './token-bucket.js';
import { LONG_THROTTLE_LATENCY_MS } from './klog.js';
import type { KubeObject } from '../../manifests/types.js';
import type { ClientIdentity } from '../../core/kube/explain.js';
import { requestStream, type StreamResponse } from '../../core/kube/http.js';
import { sharedSecureContext } from '../../core/kube/secure-contexts.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ThrottleEvent {
  waitMs: number;
  verb: string;
  url: string;
}

export interface RestClientOptions {
  bucket?: TokenBucket;
  /** Called when a request waited longer than client-go's logging threshold. */
  onThrottle?: (e: ThrottleEvent) => void;
  /** Called after every request (the CPU model counts them). */
  onRequest?: (verb: string) => void;
  /** Called after every write (POST/PUT/PATCH/DELETE) with its HTTP status (0: no answer), for the golden write sequences. */
  onWrite?: (verb: string, path: string, body: unknown, status: number) => void;
  timeoutMs?: number;
  /** A connection pool owned by someone else: used, never destroyed by close(). */
  agent?: http.Agent;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export class RestClient {
  readonly server: string;
  private readonly agent: http.Agent;
  private readonly base: Promise<https.RequestOptions & { secureContext?: SecureContext }>;

  constructor(
    readonly config: KubeConfig,
    private readonly opts: RestClientOptions = {},
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
    const isHttps = this.server.startsWith('https:');
    this.agent =
      opts.agent ??
      (isHttps
        ? new https.Agent({ keepAlive: true, maxSockets: 16 })
        : new http.Agent({ keepAlive: true, maxSockets: 16 }));
    this.base = (async () => {
      const o: https.RequestOptions & { secureContext?: SecureContext } = {};
      await config.applyToHTTPSOptions(o);
      // One TLS context for all connections with this identity (shared with the other
      // controllers' clients of the same cluster): without it each new connection parses the
      // CA, certificate and key into a context of its own, native memory V8 does not see,
      // freed only when a GC finds the socket (issue 15: 2000 connections +74 MiB RSS, +38 MiB
      // with one context).
      if (isHttps && (o.ca || o.cert || o.key)) o.secureContext = sharedSecureContext(o);
      return o;
    })();
  }

  close(): void {
    if (!this.opts.agent) this.agent.destroy();
    this.watchAgent?.destroy();
  }

  /** Who this client is, for the shared informer's error messages. */
  get identity(): ClientIdentity {
    return { server: this.server, role: "emulated controller's API server", kubeconfig: 'in-memory kubeconfig' };
  }

  get deadlines(): { requestMs: number; connectMs: number } {
    const requestMs = this.opts.timeoutMs ?? 30_000;
    return { requestMs, connectMs: Math.min(requestMs, 10_000) };
  }

  // Watches hold their connection for minutes: a pool of their own, with the kubeconfig's
  // TLS material, so they never starve the request pool (maxSockets 16).
  private watchAgent?: http.Agent;

  /** A streamed GET (the shared informer's watches), rate-limited like client-go's watches. */
  async stream(path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<StreamResponse> {
    if (this.opts.bucket) await this.opts.bucket.take();
    this.opts.onRequest?.('WATCH');
    const base = await this.base;
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    this.watchAgent ??=
      url.protocol === 'https:'
        ? new https.Agent({
            ca: base.ca,
            cert: base.cert,
            key: base.key,
            rejectUnauthorized: base.rejectUnauthorized,
            secureContext: base.secureContext,
            keepAlive: true,
          })
        : new http.Agent({ keepAlive: true });
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(base.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    return requestStream({
      method: 'GET',
      url: url.toString(),
      headers,
      agent: this.watchAgent,
      deadlines: this.deadlines,
      signal,
    });
  }

  async request<T = unknown>(verb: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = this.server + path;
    if (this.opts.bucket) {
      const waited = await this.opts.bucket.take();
      if (waited > LONG_THROTTLE_LATENCY_MS) this.opts.onThrottle?.({ waitMs: waited, verb, url });
    }
    this.opts.onRequest?.(verb);
    const base = await this.base;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(
        {
          ...base,
          agent: this.agent,
          method: verb,
          hostname: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          headers: {
            ...(base.headers ?? {}),
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}),
          },
          timeout: this.opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // pods/log and other text endpoints answer text/plain: hand back the text.
            let parsed: unknown = text;
            if (String(res.headers['content-type'] ?? '').includes('json')) {
              try {
                parsed = text ? JSON.parse(text) : undefined;
              } catch {
                parsed = undefined;
              }
            }
            const status = res.statusCode ?? 0;
            if (verb !== 'GET') this.opts.onWrite?.(verb, path, body, status);
            if (status >= 200 && status < 300) resolve(parsed as T);
            else {
              const st = parsed as { reason?: string; message?: string } | undefined;
              reject(
                new ApiError(
                  status,
                  st?.reason ?? '',
                  `${verb} ${path}: ${status} ${st?.message ?? text.slice(0, 200)}`,
                ),
              );
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${verb} ${url}: timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async get<T extends KubeObject = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(path: string, labelSelector?: string): Promise<ListResult<T>> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const res = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', path + q);
    return { items: res.items ?? [], resourceVersion: res.metadata?.resourceVersion ?? '' };
  }

  /** Creates; returns undefined if it already exists (409). */
  async create<T extends KubeObject = KubeObject>(collectionPath: string, obj: KubeObject): Promise<T | undefined> {
    try {
      return await this.request<T>('POST', collectionPath, obj);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return undefined;
      throw err;
    }
  }

  mergePatch<T extends KubeObject = KubeObject>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  /** Deletes; a missing object counts as deleted. */
  async delete(path: string): Promise<void> {
    try {
      await this.request('DELETE', path);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
}
