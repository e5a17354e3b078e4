// Clients for workload clusters, built from the `<cluster>-kubeconfig` Secret the way
// CAPI's ClusterCache does: one connection per cluster, kept until it fails or the
// cluster goes. The controllers really dial the workload API through it.
import { KubeConfig } from '@kubernetes/client-node';
import { RestClient } from './rest.js';
import { R, objectPath } from './resources.js';

interface Entry {
  client: RestClient;
  secretVersion: string;
}

export class WorkloadClients {
  private readonly clients = new Map<string, Entry>();

  constructor(
    private readonly mgmt: RestClient,
    private readonly onRequest: () => void,
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
    const client = new RestClient(kc, { onRequest: this.onRequest, timeoutMs: 5_000 });
    this.clients.set(key, { client, secretVersion: String((secret.metadata as { resourceVersion?: string }).resourceVersion ?? '') });
    return client;
  }

  /** Forget a cluster's client (after a connection error or when the cluster is deleted). */
  drop(namespace: string, cluster: string): void {
    const key = `${namespace}/${cluster}`;
    this.clients.get(key)?.client.close();
    this.clients.delete(key);
  }

  close(): void {
    for (const e of this.clients.values()) e.client.close();
    this.clients.clear();
  }
}
