// One farm cluster: its own TLS listener (its own serving certificate and client CA) in
// front of the embedded API server's request handler and a small object store of its own.
//
// Why not one `startApiServer` per cluster: the farm needs three things around each
// request that a plain embedded server does not do: per-cluster fault injection (listener
// down, added latency, an error rate), per-route metrics, and the port-forward route,
// which another module serves (one hook, `portForward`). The Handler, Registry and
// ObjectStore are reused as they are; an idle cluster holds no timer.
import type https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { Registry } from '../apiserver/registry.js';
import { ObjectStore } from '../apiserver/objects.js';
import { Handler } from '../apiserver/handler.js';
import { LogStore } from '../apiserver/logs.js';
import { MetricsStore } from '../apiserver/metrics.js';
import { Faults } from '../apiserver/faults.js';
import { writeRawStatus } from '../apiserver/exec-proxy.js';
import { kubeHttpsServer } from '../apiserver/http-io.js';
import type { JsonObject } from '../apiserver/patch.js';
import type { CertKeyPair } from '../../core/pki/index.js';
import { EtcdMembership } from '../etcd-grpc/membership.js';
import { routeOf, type FarmMetrics } from './metrics.js';

export interface ClusterFault {
  /** The listener is closed: connections are refused, as when kube-apiserver is down. */
  down?: boolean;
  latencyMs?: number;
  /** Share of requests answered 503 ServiceUnavailable (0..1). */
  errorRate?: number;
}

/** Serves `pods/{name}/portforward` upgrades; given the cluster's name, its store and the raw socket. */
export type PortForwardHook = (
  cluster: FarmClusterServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { namespace: string; pod: string },
) => void;

/** The etcd member's TLS: the CA client certificates must chain to, and its serving pair. */
export interface EtcdTls {
  caPem: string;
  /** The serving pair of the member on `node` (address `ip`); the same pair may serve every node. */
  servingFor(node: string, ip: string): CertKeyPair;
}

export interface FarmClusterServerOptions {
  /** `namespace/cluster`: the key in metrics and state. */
  key: string;
  host: string;
  port: number;
  serving: CertKeyPair;
  caPem: string;
  /** What the etcd pod's 2379 serves with; without it the etcd pod's port-forward is refused. */
  etcdTls?: EtcdTls;
  adminToken: string;
  metrics: FarmMetrics;
  fault?: ClusterFault;
  portForward?: PortForwardHook;
  /** Called after a write request finished: the farm saves the cluster's objects soon. */
  onWrite: () => void;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;
/** What kube-apiserver answers an authenticated `GET /` with (trimmed). */
const ROOT_PATHS = JSON.stringify({
  paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'],
});

function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export class FarmClusterServer {
  readonly registry = new Registry(false);
  readonly store: ObjectStore;
  readonly key: string;
  fault: ClusterFault;
  /** The stacked etcd's members (etcd-members.ts keeps it in step with the etcd pods); saved with the cluster. */
  readonly etcd: EtcdMembership;
  private readonly handler: Handler;
  private server: net.Server | undefined;
  private https: https.Server | undefined;
  private boundPort: number | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<() => void>();

  constructor(private readonly o: FarmClusterServerOptions) {
    this.key = o.key;
    this.fault = { ...(o.fault ?? {}) };
    this.etcd = new EtcdMembership(o.key, () => o.onWrite());
    // Workload clusters see few writes; a short watch history keeps 1000 of them small.
    this.store = new ObjectStore(this.registry, 64);
    this.handler = new Handler({
      registry: this.registry,
      store: this.store,
      logs: new LogStore(),
      metrics: new MetricsStore(),
      faults: new Faults(),
      adminToken: o.adminToken,
      acceptClientCerts: true,
      serverAddress: () => `${o.host.includes(':') ? `[${o.host}]` : o.host}:${this.port}`,
      watchBookmarkIntervalMs: 15_000,
      watchMaxBufferBytes: 4 * 1024 * 1024,
      streams: this.streams,
    });
  }

  get port(): number {
    return this.boundPort ?? this.o.port;
  }

  get etcdTls(): EtcdTls | undefined {
    return this.o.etcdTls;
  }

  get serving(): CertKeyPair {
    return this.o.serving;
  }

  /** Namespaces a fresh cluster has; skipped on restore (they come back with the rest). */
  seedNamespaces(): void {
    const nsType = this.registry.lookup('', 'v1', 'namespaces')!;
    for (const ns of DEFAULT_NAMESPACES)
      this.store.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  /** Creates an object with its status (create drops status; the status subresource sets it). */
  put(obj: JsonObject): JsonObject {
    const t = this.typeOf(obj);
    const md = obj.metadata as JsonObject;
    const ns = t.namespaced ? String(md.namespace ?? 'default') : '';
    const status = obj.status;
    const created = JSON.parse(this.store.create(t, ns, structuredClone(obj)).json) as JsonObject;
    if (status === undefined || !t.status) return created;
    const withStatus = { ...created, status };
    return JSON.parse(this.store.update(t, ns, String(md.name), withStatus, 'status').json) as JsonObject;
  }

  typeOf(obj: JsonObject): import('../apiserver/resource.js').ResourceType {
    const [g, v] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', obj.apiVersion];
    for (const t of this.registry.allTypes()) if (t.kind === obj.kind && t.group === g && t.version === v) return t;
    throw new Error(`the farm's workload API serves no ${String(obj.apiVersion)} ${String(obj.kind)}`);
  }

  /** Every object as saved JSON (the state file's `objects`). */
  snapshot(): string[] {
    const out: string[] = [];
    for (const { item } of this.store.allStored()) out.push(item.json);
    return out;
  }

  restore(objects: string[]): void {
    for (const json of objects) {
      const obj = JSON.parse(json) as JsonObject;
      this.store.restore(this.typeOf(obj), obj);
    }
  }

  async start(): Promise<void> {
    if (this.fault.down || this.server) return;
    await this.listen();
  }

  /**
   * The TLS side, made on the first connection and kept: a TLS context costs a few ms of
   * OpenSSL work, and a farm restoring 1000 clusters must listen on every port within
   * seconds; clusters nobody dials never pay for one.
   */
  private tlsServer(): https.Server {
    if (this.https) return this.https;
    const server = kubeHttpsServer(
      {
        cert: this.o.serving.certPem,
        key: this.o.serving.keyPem,
        ca: this.o.caPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      this.onRequest,
      this.onUpgrade,
    );
    server.on('tlsClientError', () => {});
    this.https = server;
    return server;
  }

  private async listen(): Promise<void> {
    // A plain TCP listener hands each connection to the (lazily made) TLS server.
    const server = net.createServer((sock: Socket) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      this.tlsServer().emit('connection', sock);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort ?? this.o.port, this.o.host, () => {
        server.off('error', reject);
        // Port 0 (the demo's kubelet may ask for any port): keep the one given, also across down/up.
        this.boundPort = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
    this.server = server;
  }

  /** Applies a fault; `down` closes the listener (refused connections), its removal reopens it. */
  async setFault(f: ClusterFault): Promise<void> {
    this.fault = { ...f };
    if (f.down && this.server) await this.close();
    else if (!f.down && !this.server) await this.listen();
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  private authenticated(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (h?.startsWith('Bearer ')) {
      const got = Buffer.from(h.slice(7).trim());
      const want = Buffer.from(this.o.adminToken);
      return got.length === want.length && timingSafeEqual(got, want);
    }
    return (req.socket as TLSSocket).authorized === true;
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const t0 = performance.now();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const method = req.method ?? 'GET';
    const route = routeOf(method, path, qi >= 0 ? url.slice(qi + 1) : '');
    res.once('finish', () => {
      this.o.metrics.record(this.key, route, performance.now() - t0, res.statusCode >= 500);
      if (route === 'write' && res.statusCode < 300) this.o.onWrite();
    });
    const rate = this.fault.errorRate ?? 0;
    if (rate > 0 && Math.random() < rate) {
      req.resume();
      const body = statusBody(503, 'ServiceUnavailable', 'injected fault: the farm answers this cluster with errors');
      res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const serve = (): void => {
      if (path === '/') {
        const ok = this.authenticated(req);
        const body = ok ? ROOT_PATHS : statusBody(401, 'Unauthorized', 'Unauthorized');
        res.writeHead(ok ? 200 : 401, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      this.handler.handle(req, res);
    };
    const delay = this.fault.latencyMs ?? 0;
    if (delay > 0) setTimeout(serve, delay);
    else serve();
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const m = PORT_FORWARD_PATH.exec(qi >= 0 ? url.slice(0, qi) : url);
    if (!m) {
      this.handler.handleUpgrade(req, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    const refuse = (code: number, reason: string, message: string): void =>
      writeRawStatus(socket, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        code,
        reason,
        message,
      });
    if (!this.authenticated(req)) {
      refuse(401, 'Unauthorized', 'Unauthorized');
      return;
    }
    let target: { namespace: string; pod: string };
    try {
      target = { namespace: decodeURIComponent(m[1]!), pod: decodeURIComponent(m[2]!) };
    } catch {
      refuse(400, 'BadRequest', 'malformed pod name');
      return;
    }
    const podT = this.registry.lookup('', 'v1', 'pods')!;
    if (!this.store.slot(podT).bucket.items.has(`${target.namespace}/${target.pod}`)) {
      refuse(404, 'NotFound', `pods "${target.pod}" not found`);
      return;
    }
    if (!this.o.portForward) {
      refuse(501, 'NotImplemented', 'port-forward is not served by this farm');
      return;
    }
    const done = this.o.metrics.portForwardOpened(this.key);
    socket.once('close', done);
    this.o.portForward(this, req, socket, head, target);
  };

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const close of [...this.streams]) close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      this.https?.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  async stop(): Promise<void> {
    await this.close();
  }
}
