// The engine's side of the `farm` topology: workload clusters' APIs served by one or more
// farms (`scale-tui farm serve` on this machine or others), each reached through its control
// API. This module holds the client (every call with a deadline) and the allocation of a
// cluster to a farm by free capacity; the farm itself is src/sim/farm.
//
// Why capacity-based allocation: users who outgrow one VM run a farm per machine; a farm
// reports its capacity and how many clusters it serves, and the engine sends each new
// cluster to the farm with the most room left (ties: by name, so runs are reproducible).
// A farm that does not answer gets no cluster.
import http from 'node:http';
import type { CertKeyPair } from '../../core/pki/index.js';
import { UserError } from '../../core/errors.js';
import type { BufferedResponse, Deadlines } from '../../core/kube/http.js';
import { KubeRequestError } from '../../core/kube/request-error.js';
import { issueClusterCerts } from '../../sim/farm/cluster-pki.js';

export interface FarmRef {
  name: string;
  /** The control API, e.g. http://10.0.0.5:3333. */
  url: string;
  /** Bearer token for kubeconfig/fault/remove (the farm's control-token file). */
  token?: string;
}

/** A cluster's CAs, keys included: they stay with the engine (see register). */
export interface ClusterCas {
  ca: CertKeyPair;
  etcdCa: CertKeyPair;
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

/** A control call is small: 10 s for all of it, 5 s to connect (a LAN or loopback peer). */
export const FARM_DEADLINES: Readonly<Deadlines> = Object.freeze({ requestMs: 10_000, connectMs: 5_000 });

/** Kept-alive connections to the farms' control APIs (plain HTTP), shared by every client. */
const controlAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 8 });

/**
 * One request through the engine's one HTTP path (src/core/kube/http.ts): its deadlines count
 * only the time this process's loop kept up, and a call written on a kept-alive socket the
 * farm had just closed (Node closes idle ones after 5 s) goes once more on a fresh one, as
 * for every other kept-alive connection. Loaded on first use: the module brings the
 * Kubernetes client (~1 s to import), which `farm list` need not pay before it calls.
 */
async function send(
  ref: FarmRef,
  deadlines: Deadlines,
  method: string,
  path: string,
  body?: unknown,
): Promise<BufferedResponse> {
  const { requestBuffered } = await import('../../core/kube/http.js');
  const url = `${ref.url.replace(/\/$/, '')}${path}`;
  return requestBuffered({
    method,
    url,
    headers: {
      'content-type': 'application/json',
      ...(ref.token ? { authorization: `Bearer ${ref.token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    agent: url.startsWith('http:') ? controlAgent : undefined,
    deadlines,
  });
}

async function call<T>(ref: FarmRef, deadlines: Deadlines, method: string, path: string, body?: unknown): Promise<T> {
  let res: BufferedResponse;
  try {
    res = await send(ref, deadlines, method, path, body);
  } catch (err) {
    const reason = err instanceof KubeRequestError ? err.reason : (err as Error).message;
    throw new UserError(
      `farm ${ref.name} at ${ref.url} did not answer ${method} ${path} (${reason})`,
      `check that \`scale-tui farm serve\` runs there and that this machine reaches ${ref.url}`,
    );
  }
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status > 299) {
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
  constructor(
    readonly ref: FarmRef,
    private readonly deadlines: Readonly<Deadlines> = FARM_DEADLINES,
  ) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.ref, this.deadlines, method, path, body);
  }

  private info?: Promise<{ altNames: string[] }>;

  /**
   * FKAS /register for a cluster the farm serves with certificates from the cluster's own
   * CAs (the `<cluster>-ca` and `<cluster>-etcd` Secrets), so CAPI's kubeconfig and KCP's etcd
   * client trust it. The certificates are issued here, for the names the farm answers on
   * (GET /info), and only they travel: the farm, perhaps on another machine, gets the CA
   * certificates and never a CA key. Without CAs the farm makes its own (FKAS's behaviour).
   */
  async register(cluster: string, namespace: string, cas?: ClusterCas): Promise<FarmRegistration> {
    const body: Record<string, string> = { cluster, namespace };
    if (cas) {
      this.info ??= this.call<{ altNames: string[] }>('GET', '/info').catch((err: unknown) => {
        this.info = undefined;
        throw err;
      });
      const { altNames } = await this.info;
      const certs = await issueClusterCerts({ cluster, ...cas, altNames });
      Object.assign(body, {
        caCert: b64(certs.caCertPem),
        etcdCert: b64(certs.etcdCaCertPem),
        servingCert: b64(certs.serving.certPem),
        servingKey: b64(certs.serving.keyPem),
        etcdServingCert: b64(certs.etcdServing.certPem),
        etcdServingKey: b64(certs.etcdServing.keyPem),
        adminCert: b64(certs.admin.certPem),
        adminKey: b64(certs.admin.keyPem),
      });
    }
    const r = await this.call<{ Resource: string; Host: string; Port: number }>('POST', '/register', body);
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
    await this.call('PUT', '/updateNode', {
      cluster: n.cluster,
      namespace: n.namespace,
      nodeName: n.nodeName,
      uuid: n.uuid,
      providerID: n.providerID,
      nodeType: n.controlPlane === false ? 'worker' : 'control-plane',
    });
  }

  async remove(cluster: string, namespace: string): Promise<boolean> {
    const r = await this.call<{ deleted: boolean }>('DELETE', `/clusters/${namespace}/${cluster}`);
    return r.deleted;
  }

  /** The faults in force on one cluster; undefined when the farm does not serve it. */
  async faultOf(cluster: string, namespace: string): Promise<FarmFault | undefined> {
    const r = await this.call<{ clusters: Array<{ key: string; fault: FarmFault }> }>('GET', '/clusters');
    return r.clusters.find((c) => c.key === `${namespace}/${cluster}`)?.fault;
  }

  /** Replaces the cluster's faults with `fault` (the farm keeps no others); answers the new ones. */
  async setFault(cluster: string, namespace: string, fault: FarmFault): Promise<FarmFault> {
    const r = await this.call<{ fault?: FarmFault }>('PUT', `/clusters/${namespace}/${cluster}/fault`, fault);
    return r.fault ?? {};
  }

  async capacity(): Promise<FarmCapacity> {
    try {
      const r = await this.call<{ capacity: number; clusters: unknown[] }>('GET', '/clusters');
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
