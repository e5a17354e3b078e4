// The seed's fake-controller.sh (SEED §8.7), event-driven: a watch on Metal3Machines
// (all namespaces, not just `metal3`) instead of a 5 s poll. For every worker M3M that has
// a host but no providerID it creates the fake worker Node, named exactly like the Machine
// (no substring matching) and labelled with the BMH UID, in that cluster's workload API,
// reached through the `<cluster>-kubeconfig` Secret exactly as CAPI reaches it. An M3M
// without the host annotation is skipped, not fatal (SEED §15.24).
// What it remembers per M3M and per workload cluster goes when the M3M goes: a client (its
// connection pool) is kept only while a worker M3M of that cluster exists.
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CAPI_CLUSTER_NAME } from '../../manifests/labels.js';
import { fakeNode } from '../../manifests/workload.js';
import { KubeClient, patchStatus } from '../../core/kube/client.js';
import { Informer } from '../../core/kube/informer.js';
import { API, associatedHost, machineProviderId } from '../watch/capi-state.js';

const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';

export interface FakeControllerOptions {
  management: KubeClient;
  kubernetesVersion: string;
  runId: string;
  log?: (line: string) => void;
  /** Retry delay after a failure (workload API not reachable yet). */
  retryMs?: number;
}

export class FakeController {
  private m3m?: Informer;
  private bmh?: Informer;
  private readonly done = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly clients = new Map<string, KubeClient>();
  private stopped = false;
  /** Nodes created, for tests and the status line. */
  created = 0;

  constructor(private readonly opts: FakeControllerOptions) {}

  async start(): Promise<void> {
    const c = this.opts.management;
    this.m3m = new Informer(c, API.m3m.apiVersion, API.m3m.kind);
    this.bmh = new Informer(c, API.bmh.apiVersion, API.bmh.kind);
    this.m3m.on((type, o) => {
      if (type === 'delete') this.forget(o);
      else this.enqueue(o);
    });
    // A host's UID may arrive after its M3M event: re-check the M3Ms pointing at it.
    this.bmh.on((type, h) => {
      if (type === 'delete') return;
      for (const m of this.m3m!.list((x) => x.metadata.namespace === h.metadata.namespace)) this.enqueue(m);
    });
    await Promise.all([this.bmh.start(), this.m3m.start()]);
  }

  stop(): void {
    this.stopped = true;
    this.m3m?.stop();
    this.bmh?.stop();
    for (const t of this.timers) clearTimeout(t);
  }

  /** M3Ms and workload clients remembered: what the churn test watches drain. */
  get tracked(): { machines: number; clients: number } {
    return { machines: this.done.size, clients: this.clients.size };
  }

  /** An M3M is gone: forget it, and its cluster's client once no M3M of that cluster is left. */
  forget(m3m: KubeObject): void {
    const ns = m3m.metadata.namespace ?? '';
    this.done.delete(`${ns}/${m3m.metadata.name}`);
    const cluster = m3m.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME];
    if (!cluster) return;
    const left = this.m3m?.list(
      (x) => x.metadata.namespace === ns && x.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME] === cluster,
    );
    if (!left?.length) this.clients.delete(`${ns}/${cluster}`);
  }

  private enqueue(m3m: KubeObject): void {
    const key = `${m3m.metadata.namespace}/${m3m.metadata.name}`;
    if (this.stopped || this.done.has(key) || this.inFlight.has(key)) return;
    if (m3m.metadata.labels?.[CONTROL_PLANE_LABEL] !== undefined) return; // the engine writes control-plane Nodes
    if (machineProviderId(m3m as KubeObject & { spec?: Record<string, unknown> })) return;
    this.inFlight.add(key);
    this.sync(m3m).then(
      (ok) => {
        this.inFlight.delete(key);
        if (ok) this.done.add(key);
      },
      (err: Error) => {
        this.inFlight.delete(key);
        this.opts.log?.(`${key}: ${err.message.split('\n')[0]}; retrying`);
        const t = setTimeout(() => {
          this.timers.delete(t);
          const cur = this.m3m?.get(m3m.metadata.namespace, m3m.metadata.name);
          if (cur) this.enqueue(cur);
        }, this.opts.retryMs ?? 2000);
        this.timers.add(t);
      },
    );
  }

  /** Returns true when the Node exists; false when there is nothing to do yet. */
  private async sync(m3m: KubeObject): Promise<boolean> {
    const ns = m3m.metadata.namespace ?? '';
    const host = associatedHost(m3m);
    if (!host) return false;
    const bmh = this.bmh!.get(host.namespace, host.name);
    const uid = (bmh?.metadata as { uid?: string } | undefined)?.uid;
    const machine = m3m.metadata.ownerReferences?.find((o) => o.kind === 'Machine')?.name;
    const cluster = m3m.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME];
    if (!uid || !machine || !cluster) return false;
    const workload = await this.clientFor(ns, cluster);
    if (await workload.get('v1', 'Node', machine)) return true;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const node = fakeNode({
      name: machine,
      bmhUid: uid,
      kubernetesVersion: this.opts.kubernetesVersion,
      now,
      controlPlane: false,
      ownership: { runId: this.opts.runId, cluster },
    });
    await workload.createOrSkip(node);
    await patchStatus(workload, 'Node', machine, undefined, node.status);
    this.created++;
    this.opts.log?.(`${ns}/${machine}: created fake worker Node (BMH ${host.name})`);
    return true;
  }

  /** The workload API's client for a cluster, made once from its `<cluster>-kubeconfig` Secret. */
  async clientFor(namespace: string, cluster: string): Promise<KubeClient> {
    const key = `${namespace}/${cluster}`;
    const cached = this.clients.get(key);
    if (cached) return cached;
    const secret = await this.opts.management.get<KubeObject & { data?: Record<string, string> }>(
      'v1',
      'Secret',
      `${cluster}-kubeconfig`,
      namespace,
    );
    const value = secret?.data?.value;
    if (!value) throw new Error(`no ${cluster}-kubeconfig Secret yet`);
    const client = KubeClient.from({ kubeconfigYaml: Buffer.from(value, 'base64').toString('utf8') });
    this.clients.set(key, client);
    return client;
  }
}
