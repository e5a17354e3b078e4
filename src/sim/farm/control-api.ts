// The farm's control API over plain HTTP: FKAS's two endpoints, so Metal3's own scalability
// flow (CAPM3's e2e, `metal3-fkas-reconciler`) can use the farm where it used FKAS, plus
// what FKAS lacks: listing, kubeconfigs, faults, removal and metrics.
//
// FKAS compatibility (its `metal3-fkas` main.go): `POST /register` takes
// {"cluster","namespace"} (or the older {"resource":"ns/name"}, optionally with base64 PEM
// `caCert`/`caKey`/`etcdCert`/`etcdKey`) and answers {"Resource","Host","Port"}; a second
// call answers the same. A farm keeps no CA key (cluster-pki.ts): given CA pairs, it issues
// its certificates from them once. The engine sends no CA key at all: `caCert`/`etcdCert`
// alone, with the leaves it issued (`servingCert`/`servingKey`, `etcdServingCert`/
// `etcdServingKey`, `adminCert`/`adminKey`) for the names `GET /info` lists. `/updateNode` (POST as the reconciler sends it, or PUT) takes
// {"resource" | "cluster"+"namespace", "nodeName", "providerID", "uuid", "nodeType"} and
// creates the Node; an existing Node is updated and answered 200, as FKAS does.
// Everything beyond FKAS needs the bearer token written to the state dir (mode 0600): it
// hands out admin credentials and takes clusters down.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { CertKeyPair } from '../../core/pki/index.js';
import { certsProblem, type ClusterCerts } from './cluster-pki.js';
import { Farm, FarmError, type NodeRequest, type RegisterRequest } from './farm.js';
import type { ClusterFault } from './cluster-server.js';
import type { FarmMetricsSnapshot } from './metrics.js';

const MAX_BODY = 1024 * 1024;

export interface ControlApiOptions {
  farm: Farm;
  host: string;
  port: number;
  token: string;
  /** The latest metrics window (a periodic snapshot shared with the journal); default: a fresh one. */
  metrics?: () => FarmMetricsSnapshot;
}

export interface ControlApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res: ServerResponse, err: unknown): void {
  if (err instanceof FarmError) send(res, err.status, { error: err.message, fix: err.fix });
  else send(res, 500, { error: (err as Error).message, fix: 'see the farm log' });
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new FarmError(413, 'request body over 1 MiB', 'send only the documented fields'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const v: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch (err) {
        reject(
          new FarmError(
            400,
            `the body is not a JSON object (${(err as Error).message})`,
            'send JSON, e.g. {"cluster":"test-1","namespace":"test-1"}',
          ),
        );
      }
    });
    req.on('error', reject);
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function pemPair(certB64: unknown, keyB64: unknown, what: string): CertKeyPair | undefined {
  const c = str(certB64);
  const k = str(keyB64);
  if (!c && !k) return undefined;
  if (!c || !k)
    throw new FarmError(400, `${what}: certificate and key come together`, `send both ${what}Cert and ${what}Key`);
  const certPem = Buffer.from(c, 'base64').toString('utf8');
  const keyPem = Buffer.from(k, 'base64').toString('utf8');
  if (!certPem.includes('BEGIN CERTIFICATE') || !keyPem.includes('PRIVATE KEY'))
    throw new FarmError(400, `${what}: not base64 PEM`, `base64-encode the Secret's tls.crt and tls.key as they are`);
  return { certPem, keyPem };
}

function pemCert(b64: unknown, what: string): string {
  const pem = Buffer.from(str(b64) ?? '', 'base64').toString('utf8');
  if (!pem.includes('BEGIN CERTIFICATE'))
    throw new FarmError(400, `${what}: missing or not base64 PEM`, `send ${what} with the issued leaf certificates`);
  return pem;
}

/** The issued certificates of an engine-style register, or undefined when it sent none. */
function certsOf(body: Record<string, unknown>): ClusterCerts | undefined {
  const leaves = ['serving', 'etcdServing', 'admin'] as const;
  if (leaves.every((l) => body[`${l}Cert`] === undefined && body[`${l}Key`] === undefined)) return undefined;
  const pair = (l: (typeof leaves)[number]): CertKeyPair => {
    const p = pemPair(body[`${l}Cert`], body[`${l}Key`], l);
    if (!p) throw new FarmError(400, `${l}: certificate and key missing`, `send ${l}Cert and ${l}Key`);
    return p;
  };
  const certs: ClusterCerts = {
    caCertPem: pemCert(body.caCert, 'caCert'),
    etcdCaCertPem: pemCert(body.etcdCert, 'etcdCert'),
    serving: pair('serving'),
    etcdServing: pair('etcdServing'),
    admin: pair('admin'),
  };
  // A wrong bundle is a 400 now, not a TLS failure in KCP minutes later.
  const problem = certsProblem(certs);
  if (problem)
    throw new FarmError(
      400,
      `the certificates cannot be served: ${problem}`,
      "issue them from the cluster's CAs (the <cluster>-ca and <cluster>-etcd Secrets), as `scale-tui create` does",
    );
  return certs;
}

/** Cluster and namespace from {"cluster","namespace"} or FKAS's {"resource":"ns/name"}. */
function target(body: Record<string, unknown>): { cluster: string; namespace: string } {
  const resource = str(body.resource);
  if (resource && !body.cluster) {
    const [namespace, cluster] = resource.includes('/') ? resource.split('/', 2) : [resource, resource];
    return { cluster: cluster ?? '', namespace: namespace ?? '' };
  }
  const cluster = str(body.cluster) ?? '';
  return { cluster, namespace: str(body.namespace) ?? cluster };
}

/** A number field from 0 to `max`, or a 400 naming the field and what to send. */
function numberUpTo(body: Record<string, unknown>, field: string, max: number, fix: string): number {
  const n = Number(body[field]);
  if (!Number.isFinite(n) || n < 0 || n > max)
    throw new FarmError(400, `${field} ${String(body[field])} is out of range`, fix);
  return n;
}

export function parseFault(body: Record<string, unknown>): ClusterFault {
  const f: ClusterFault = {};
  if (body.down !== undefined) f.down = body.down === true;
  if (body.latencyMs !== undefined)
    f.latencyMs = numberUpTo(body, 'latencyMs', 600_000, 'send 0 to 600000 (milliseconds)');
  if (body.errorRate !== undefined)
    f.errorRate = numberUpTo(body, 'errorRate', 1, 'send a share from 0 to 1, e.g. 0.2');
  return f;
}

export async function startControlApi(o: ControlApiOptions): Promise<ControlApi> {
  const { farm } = o;
  const authorized = (req: IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    const got = Buffer.from(h.startsWith('Bearer ') ? h.slice(7).trim() : '');
    const want = Buffer.from(o.token);
    return got.length === want.length && timingSafeEqual(got, want);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://farm');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/healthz') return send(res, 200, 'ok');
    if (path === '/register') {
      if (method !== 'POST') return send(res, 405, { error: 'Method not allowed', fix: 'POST /register' });
      const body = await readJson(req);
      const t = target(body);
      const certs = certsOf(body);
      const r: RegisterRequest = certs
        ? { ...t, certs }
        : { ...t, ca: pemPair(body.caCert, body.caKey, 'ca'), etcdCa: pemPair(body.etcdCert, body.etcdKey, 'etcd') };
      return send(res, 200, await farm.register(r));
    }
    if (path === '/updateNode') {
      if (method !== 'POST' && method !== 'PUT')
        return send(res, 405, { error: 'Method not allowed', fix: 'PUT /updateNode' });
      const body = await readJson(req);
      const labels =
        body.labels && typeof body.labels === 'object' ? (body.labels as Record<string, string>) : undefined;
      const n: NodeRequest = {
        ...target(body),
        nodeName: str(body.nodeName) ?? '',
        providerID: str(body.providerID),
        uuid: str(body.uuid),
        nodeType: str(body.nodeType),
        labels,
      };
      farm.updateNode(n);
      return send(res, 200, { Resource: Farm.keyOf(n.namespace, n.cluster), Node: n.nodeName });
    }
    if (path === '/info' && method === 'GET')
      return send(res, 200, {
        host: farm.advertiseHost,
        altNames: farm.altNames,
        capacity: farm.capacity,
        used: farm.size,
      });
    if (path === '/metrics' && method === 'GET') return send(res, 200, o.metrics?.() ?? farm.metrics.snapshot());
    if (path === '/clusters' && method === 'GET') {
      return send(res, 200, {
        host: farm.advertiseHost,
        basePort: farm.basePort,
        capacity: farm.capacity,
        clusters: farm.list(),
      });
    }
    const m = /^\/clusters\/([a-z0-9-]+)\/([a-z0-9-]+)(\/kubeconfig|\/fault)?$/.exec(path);
    if (m) {
      if (!authorized(req))
        return send(res, 401, {
          error: 'this endpoint needs the farm token',
          fix: 'send Authorization: Bearer <state dir>/control-token',
        });
      const [ns, cluster, sub] = [m[1]!, m[2]!, m[3]];
      if (sub === '/kubeconfig' && method === 'GET') return send(res, 200, farm.kubeconfig(ns, cluster));
      if (sub === '/fault' && (method === 'PUT' || method === 'POST')) {
        await farm.setFault(ns, cluster, parseFault(await readJson(req)));
        return send(
          res,
          200,
          farm.list().find((c) => c.key === Farm.keyOf(ns, cluster)),
        );
      }
      if (!sub && method === 'DELETE') return send(res, 200, { deleted: await farm.unregister(ns, cluster) });
    }
    return send(res, 404, {
      error: `no route ${method} ${path}`,
      fix: 'see `scale-tui farm serve --help` for the control API',
    });
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, err));
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
