// Clients for workload clusters, built from the `<cluster>-kubeconfig` Secret the way
// CAPI's ClusterCache does: one connection per cluster, kept until it fails or the
// cluster goes. The controllers really dial the workload API through it.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { RestClient } from './rest.js';
import { R, objectPath } from './resources.js';

/**
 * One connection pool for every workload cluster and every emulated controller in this
 * process. Node's agent keys its sockets by endpoint and TLS identity, so each cluster
 * still gets its own connections; what is shared is the idle one. The three controllers
 * that read a workload API (CAPI, KCP, CAPM3) would otherwise each hold a keep-alive TLS
 * connection per cluster, both ends of which live in this process in the demo: about
 * 140 KiB each, over 400 MiB at 1000 clusters. One idle socket per cluster is kept.
 */
const WORKLOAD_AGENT = new https.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 1 });

interface Entry {
  client: RestClient;
  secretVersion: string;
  probe?: NodeJS.Timeout;
}

/** ClusterCache's health probe: GET / every period; after `failureThreshold` failures in a row the connection is dropped. */
export interface ProbeOptions {
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export class WorkloadClients {
  private readonly clients = new Map<string, Entry>();

  /** Health probes sent (for tests and the request count). */
  probes = 0;

  constructor(
    private readonly mgmt: RestClient,
    private readonly onRequest: () => void,
    private readonly probe?: ProbeOptions,
  ) {}

  /** A client for the cluster's API, or undefined while its kubeconfig Secret does not exist. */
  async get(namespace: string, cluster: string): Promise<RestClient | undefined> {
    const key = `${namespace}/${cluster}`;
    const cached = this.clients.get(key);
    if (cached) return cached.client;
    const secret = await this.mgmt.get(objectPath(R.secret, `${cluster}-kubeconfig`, namespace));
    const value = (secret?.data as Record<string, string> | undefined)?.value;
    if (!secret || !value) return undefined;
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(value, 'base64').toString('utf8'));
    const client = new RestClient(kc, { onRequest: this.onRequest, timeoutMs: 5_000, agent: WORKLOAD_AGENT });
    const entry: Entry = {
      client,
      secretVersion: String((secret.metadata as { resourceVersion?: string }).resourceVersion ?? ''),
    };
    this.clients.set(key, entry);
    if (this.probe) entry.probe = this.startProbe(namespace, cluster, entry, this.probe);
    return client;
  }

  private startProbe(namespace: string, cluster: string, entry: Entry, p: ProbeOptions): NodeJS.Timeout {
    const prober = new RestClient(entry.client.config, {
      onRequest: this.onRequest,
      timeoutMs: p.timeoutMs,
      agent: WORKLOAD_AGENT,
    });
    let failures = 0;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      this.probes++;
      // Any HTTP answer means the API server is up; only a transport error or timeout counts.
      prober
        .request('GET', '/')
        .then(() => (failures = 0))
        .catch((err: unknown) => {
          failures = err instanceof Error && 'status' in err ? 0 : failures + 1;
          if (failures >= p.failureThreshold && this.clients.get(`${namespace}/${cluster}`) === entry)
            this.drop(namespace, cluster);
        })
        .finally(() => (inFlight = false));
    }, p.periodMs);
    timer.unref?.();
    return timer;
  }

  /** Forget a cluster's client (after a connection error or when the cluster is deleted). */
  drop(namespace: string, cluster: string): void {
    const key = `${namespace}/${cluster}`;
    const e = this.clients.get(key);
    if (e?.probe) clearInterval(e.probe);
    e?.client.close();
    this.clients.delete(key);
  }

  close(): void {
    for (const e of this.clients.values()) {
      if (e.probe) clearInterval(e.probe);
      e.client.close();
    }
    this.clients.clear();
  }
}
