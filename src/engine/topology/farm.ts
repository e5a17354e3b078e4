// The engine's side of the `farm` topology: workload clusters' APIs served by one or more
// farms (`scale-tui farm serve` on this machine or others), each reached through its control
// API. This module holds the client (every call with a deadline) and the allocation of a
// cluster to a farm by free capacity; the farm itself is src/sim/farm.
//
// Why capacity-based allocation: users who outgrow one VM run a farm per machine; a farm
// reports its capacity and how many clusters it serves, and the engine sends each new
// cluster to the farm with the most room left (ties: by name, so runs are reproducible).
// A farm that does not answer gets no cluster.
import type { CertKeyPair } from '../../core/pki/index.js';
import { UserError } from '../../core/errors.js';

export interface FarmRef {
  name: string;
  /** The control API, e.g. http://10.0.0.5:3333. */
  url: string;
  /** Bearer token for kubeconfig/fault/remove (the farm's control-token file). */
  token?: string;
}

export interface FarmRegistration {
  farm: string;
  host: string;
  port: number;
}

/** A cluster's injected faults as the farm reports them (an empty object: none). */
export interface FarmFault {
  down?: boolean;
  latencyMs?: number;
  errorRate?: number;
}

export interface FarmCapacity {
  name: string;
  capacity: number;
  used: number;
  reachable: boolean;
}

const DEADLINE_MS = 10_000;

/**
 * One request with a deadline. A connection that fails before any answer is tried once more:
 * fetch reuses idle keep-alive connections, and one the farm closes at the same moment (Node
 * closes idle ones after 5 s) fails the request with "fetch failed" though the farm is up.
 * Every control call is safe to repeat (register and updateNode are idempotent, as in FKAS;
 * fault and delete set a state). A timeout is not repeated: the deadline is the caller's.
 */
async function send(ref: FarmRef, method: string, path: string, body?: unknown): Promise<Response> {
  const attempt = () =>
    fetch(`${ref.url.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(ref.token ? { Authorization: `Bearer ${ref.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
  try {
    return await attempt();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw err;
    await new Promise((r) => setTimeout(r, 100));
    return attempt();
  }
}

async function call<T>(ref: FarmRef, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await send(ref, method, path, body);
  } catch (err) {
    throw new UserError(
      `farm ${ref.name} at ${ref.url} did not answer ${method} ${path} within ${DEADLINE_MS / 1000} s (${(err as Error).message})`,
      `check that \`scale-tui farm serve\` runs there and that this machine reaches ${ref.url}`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    let fix = 'see the farm log';
    try {
      const j = JSON.parse(text) as { error?: string; fix?: string };
      msg = j.error ?? text;
      fix = j.fix ?? fix;
    } catch {
      // not JSON: the text is the message
    }
    throw new UserError(`farm ${ref.name}: ${method} ${path} answered ${res.status}: ${msg}`, fix);
  }
  return (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export class FarmClient {
  constructor(readonly ref: FarmRef) {}

  /**
   * FKAS /register with the cluster's own CAs (the `<cluster>-ca` and `<cluster>-etcd`
   * Secrets' tls.crt/tls.key), so the farm serves with certificates CAPI's kubeconfig trusts.
   */
  async register(
    cluster: string,
    namespace: string,
    ca?: CertKeyPair,
    etcdCa?: CertKeyPair,
  ): Promise<FarmRegistration> {
    const r = await call<{ Resource: string; Host: string; Port: number }>(this.ref, 'POST', '/register', {
      cluster,
      namespace,
      ...(ca ? { caCert: b64(ca.certPem), caKey: b64(ca.keyPem) } : {}),
      ...(etcdCa ? { etcdCert: b64(etcdCa.certPem), etcdKey: b64(etcdCa.keyPem) } : {}),
    });
    return { farm: this.ref.name, host: r.Host, port: r.Port };
  }

  /** FKAS /updateNode: the Node with `metal3.io/uuid` (CAPM3 sets its providerID) and its static pods. */
  async updateNode(n: {
    cluster: string;
    namespace: string;
    nodeName: string;
    uuid?: string;
    providerID?: string;
    controlPlane?: boolean;
  }): Promise<void> {
    await call(this.ref, 'PUT', '/updateNode', {
      cluster: n.cluster,
      namespace: n.namespace,
      nodeName: n.nodeName,
      uuid: n.uuid,
      providerID: n.providerID,
      nodeType: n.controlPlane === false ? 'worker' : 'control-plane',
    });
  }

  async remove(cluster: string, namespace: string): Promise<boolean> {
    const r = await call<{ deleted: boolean }>(this.ref, 'DELETE', `/clusters/${namespace}/${cluster}`);
    return r.deleted;
  }

  /** The faults in force on one cluster; undefined when the farm does not serve it. */
  async faultOf(cluster: string, namespace: string): Promise<FarmFault | undefined> {
    const r = await call<{ clusters: Array<{ key: string; fault: FarmFault }> }>(this.ref, 'GET', '/clusters');
    return r.clusters.find((c) => c.key === `${namespace}/${cluster}`)?.fault;
  }

  /** Replaces the cluster's faults with `fault` (the farm keeps no others); answers the new ones. */
  async setFault(cluster: string, namespace: string, fault: FarmFault): Promise<FarmFault> {
    const r = await call<{ fault?: FarmFault }>(this.ref, 'PUT', `/clusters/${namespace}/${cluster}/fault`, fault);
    return r.fault ?? {};
  }

  async capacity(): Promise<FarmCapacity> {
    try {
      const r = await call<{ capacity: number; clusters: unknown[] }>(this.ref, 'GET', '/clusters');
      return { name: this.ref.name, capacity: r.capacity, used: r.clusters.length, reachable: true };
    } catch {
      return { name: this.ref.name, capacity: 0, used: 0, reachable: false };
    }
  }
}

/** The farm with the most free room; ties by name. Throws when every farm is full or silent. */
export function pickFarm(farms: FarmCapacity[], pending: Map<string, number> = new Map()): string {
  const open = farms
    .filter((f) => f.reachable)
    .map((f) => ({ name: f.name, free: f.capacity - f.used - (pending.get(f.name) ?? 0) }))
    .filter((f) => f.free > 0)
    .sort((a, b) => b.free - a.free || a.name.localeCompare(b.name));
  const best = open[0];
  if (!best) {
    const silent = farms.filter((f) => !f.reachable).map((f) => f.name);
    throw new UserError(
      farms.length === 0
        ? 'the farm topology has no farm'
        : `no farm has room${silent.length ? ` (not answering: ${silent.join(', ')})` : ''}`,
      'start one with `scale-tui farm serve` (or add another with `scale-tui farm add NAME --url URL`), or raise --capacity',
    );
  }
  return best.name;
}

/** Farms in allocation order for `count` new clusters: each pick counts against its farm. */
export async function allocateFarms(clients: FarmClient[], count: number): Promise<string[]> {
  const caps = await Promise.all(clients.map((c) => c.capacity()));
  const pending = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = pickFarm(caps, pending);
    pending.set(name, (pending.get(name) ?? 0) + 1);
    out.push(name);
  }
  return out;
}
