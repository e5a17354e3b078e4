// The workload-API farm: every workload cluster's API server in one process, one TLS
// listener per cluster on ports from a base, each with its own CA-signed certificate and a
// small object store, and the state on disk so a restart serves them all again.
//
// Why one process: the seed ran one real kube-apiserver per workload cluster (about
// 200 MiB each, ten 32 GB VMs for 1000 clusters); a farm cluster is a listener, a TLS
// context and a few dozen stored objects. This module owns the cluster lifecycle
// (register, add node, fault, remove, restore); the control API (control-api.ts) and the
// CLI are thin fronts over it.
import { randomBytes } from 'node:crypto';
import type { CertKeyPair } from '../../core/pki/index.js';
import type { JsonObject } from '../apiserver/patch.js';
import { renderKubeconfig } from '../../core/pki/index.js';
import { CONTROL_PLANE_COMPONENTS, clusterObjects, mirrorPod, nodeObject, type NodeSpec } from './cluster-objects.js';
import { mintClusterCerts, type ClusterCerts } from './cluster-pki.js';
import { FarmError } from './farm-error.js';
import { FarmClusterServer, type ClusterFault, type PortForwardHook } from './cluster-server.js';
import { FarmMetrics } from './metrics.js';
import { FarmStateDir, isDnsLabel, pickCerts, withoutCaKeys, type ClusterRecord } from './state.js';
import { farmPortForward, type FarmPortForward } from './port-forward.js';
import { syncEtcdMembers } from './etcd-members.js';

export { FarmError };

export interface FarmOptions {
  stateDir: string;
  /** Address the listeners bind (default 127.0.0.1). */
  host?: string;
  /** Address returned to callers and put in the serving certificates (default: host). */
  advertiseHost?: string;
  /** Cluster N listens on basePort + N (default 20000). */
  basePort?: number;
  /** Most clusters this farm takes (default 2000). */
  capacity?: number;
  kubernetesVersion?: string;
  portForward?: PortForwardHook;
  /** How long a write may wait before its cluster is saved (default 200 ms). */
  saveDelayMs?: number;
}

export interface RegisterRequest {
  cluster: string;
  namespace: string;
  /** The certificates to serve with, issued by the caller that holds the CAs (the engine). */
  certs?: ClusterCerts;
  /** FKAS style: CA pairs the farm issues from once; the keys are not kept. Ignored with `certs`. */
  ca?: CertKeyPair;
  etcdCa?: CertKeyPair;
}

export interface RegisterResult {
  /** FKAS's field names: `Resource` is `namespace/cluster`. */
  Resource: string;
  Host: string;
  Port: number;
}

export interface NodeRequest {
  cluster: string;
  namespace: string;
  nodeName: string;
  providerID?: string;
  uuid?: string;
  /** FKAS: `control-plane` or `worker` (default control-plane: single-node clusters). */
  nodeType?: string;
  labels?: Record<string, string>;
}

export interface FarmClusterInfo {
  key: string;
  cluster: string;
  namespace: string;
  host: string;
  port: number;
  listening: boolean;
  fault: ClusterFault;
  objects: number;
}

export class Farm {
  readonly metrics = new FarmMetrics();
  readonly host: string;
  readonly advertiseHost: string;
  readonly basePort: number;
  readonly capacity: number;
  private readonly state: FarmStateDir;
  private readonly clusters = new Map<string, { server: FarmClusterServer; record: ClusterRecord }>();
  private readonly inflight = new Map<string, Promise<RegisterResult>>();
  private readonly dirty = new Set<string>();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly portForward: PortForwardHook;
  private readonly ownPortForward: FarmPortForward | undefined;
  /** Clusters whose state file could not be read at start (reported, left on disk). */
  unreadable: string[] = [];
  /** Restored clusters whose port another program holds; retried every 2 s. */
  readonly portConflicts = new Set<string>();

  private constructor(private readonly o: FarmOptions) {
    this.host = o.host ?? '127.0.0.1';
    this.advertiseHost = o.advertiseHost ?? (this.host === '0.0.0.0' ? '127.0.0.1' : this.host);
    this.basePort = o.basePort ?? 20_000;
    this.capacity = o.capacity ?? 2000;
    this.state = new FarmStateDir(o.stateDir);
    if (!o.portForward) {
      this.ownPortForward = farmPortForward();
      this.portForward = this.ownPortForward.hook;
    } else this.portForward = o.portForward;
  }

  /** Opens the farm and serves every cluster saved in its state dir again. */
  static async open(o: FarmOptions): Promise<Farm> {
    const farm = new Farm(o);
    const { records, unreadable } = farm.state.loadAll();
    farm.unreadable = unreadable;
    // A file of the first farms held both CA keys: it is written back at once without them.
    const current = records.map((r) => (r.version === 1 ? farm.state.save(withoutCaKeys(r, farm.altNames)) : r));
    await Promise.all(current.map((r) => farm.serve(r, true)));
    return farm;
  }

  static keyOf(namespace: string, cluster: string): string {
    return `${namespace}/${cluster}`;
  }

  get size(): number {
    return this.clusters.size;
  }

  private async serve(record: ClusterRecord, restoring: boolean): Promise<FarmClusterServer> {
    const key = Farm.keyOf(record.namespace, record.cluster);
    const server = new FarmClusterServer({
      key,
      host: this.host,
      port: record.port,
      serving: record.serving,
      caPem: record.caCertPem,
      etcdTls: { caPem: record.etcdCaCertPem, servingFor: () => record.etcdServing },
      adminToken: record.adminToken,
      metrics: this.metrics,
      fault: record.fault,
      portForward: this.portForward,
      onWrite: () => this.markDirty(key),
    });
    if (restoring) {
      server.restore(record.objects);
      if (record.etcd) server.etcd.restore(record.etcd);
    }
    this.clusters.set(key, { server, record });
    try {
      await server.start();
    } catch (err) {
      // A restored cluster must come back on its own port (CAPI has it in the Cluster's
      // endpoint): if another program holds it now, keep trying instead of failing the farm.
      if (!restoring || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      this.portConflicts.add(key);
      const retry = setInterval(() => {
        if (this.clusters.get(key)?.server !== server) {
          clearInterval(retry);
          return;
        }
        server.start().then(
          () => {
            clearInterval(retry);
            this.portConflicts.delete(key);
          },
          () => {},
        );
      }, 2000);
      retry.unref();
    }
    return server;
  }

  register(req: RegisterRequest): Promise<RegisterResult> {
    if (!isDnsLabel(req.cluster ?? '') || !isDnsLabel(req.namespace ?? ''))
      throw new FarmError(
        400,
        `cluster "${String(req.cluster)}" in namespace "${String(req.namespace)}" is not a pair of DNS labels`,
        'send {"cluster":"test-1","namespace":"test-1"}: lower-case letters, digits and "-", at most 63 characters each',
      );
    const key = Farm.keyOf(req.namespace, req.cluster);
    const have = this.clusters.get(key);
    if (have) return Promise.resolve(this.resultOf(have.record));
    let p = this.inflight.get(key);
    if (!p) {
      p = this.create(req).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Names and addresses a cluster's serving certificates must cover (GET /info gives them to issuers). */
  get altNames(): string[] {
    return [...new Set([this.advertiseHost, ...(this.host === '0.0.0.0' ? [] : [this.host])])];
  }

  private resultOf(r: ClusterRecord): RegisterResult {
    return { Resource: Farm.keyOf(r.namespace, r.cluster), Host: this.advertiseHost, Port: r.port };
  }

  private nextPort(): number {
    const used = new Set([...this.clusters.values()].map((c) => c.record.port));
    for (let i = 0; i < this.capacity * 2; i++) if (!used.has(this.basePort + i)) return this.basePort + i;
    throw new FarmError(507, 'no free port left in the farm', 'raise --base-port range or add another farm');
  }

  private async create(req: RegisterRequest): Promise<RegisterResult> {
    if (this.clusters.size >= this.capacity)
      throw new FarmError(
        507,
        `the farm is full: ${this.clusters.size} of ${this.capacity} clusters`,
        'add another farm (`scale-tui farm add NAME --url URL`) or start this one with a larger --capacity',
      );
    const pki = req.certs ?? (await mintClusterCerts({ ...req, altNames: this.altNames }));
    const kubernetesVersion = this.o.kubernetesVersion ?? 'v1.32.1';
    // A port taken by another program is skipped: try the next free one a few times.
    for (let attempt = 0; ; attempt++) {
      const port = this.nextPort() + attempt;
      const record: ClusterRecord = {
        version: 2,
        cluster: req.cluster,
        namespace: req.namespace,
        port,
        createdAt: new Date().toISOString(),
        kubernetesVersion,
        ...pickCerts(pki),
        adminToken: randomBytes(24).toString('hex'),
        fault: {},
        objects: [],
      };
      try {
        const server = await this.serve(record, false);
        server.seedNamespaces();
        for (const obj of clusterObjects({
          cluster: req.cluster,
          namespace: req.namespace,
          kubernetesVersion,
          endpoint: `${this.advertiseHost}:${port}`,
        }))
          server.put(obj);
        this.saveNow(Farm.keyOf(req.namespace, req.cluster));
        return this.resultOf(record);
      } catch (err) {
        this.clusters.delete(Farm.keyOf(req.namespace, req.cluster));
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      }
    }
  }

  private entry(namespace: string, cluster: string): { server: FarmClusterServer; record: ClusterRecord } {
    const e = this.clusters.get(Farm.keyOf(namespace, cluster));
    if (!e)
      throw new FarmError(
        404,
        `cluster ${namespace}/${cluster} is not registered in this farm`,
        'register it first: POST /register {"cluster":"NAME","namespace":"NS"} (or `scale-tui farm status` lists the clusters)',
      );
    return e;
  }

  /** FKAS `updateNode`: the Node (Ready, labelled) and, for a control-plane node, its static pods. */
  updateNode(req: NodeRequest): JsonObject {
    const { server, record } = this.entry(req.namespace, req.cluster);
    if (!isDnsLabel(req.nodeName ?? '') && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(req.nodeName ?? ''))
      throw new FarmError(
        400,
        `nodeName "${String(req.nodeName)}" is not a DNS name`,
        'send the Machine or Metal3Machine name as nodeName',
      );
    const nodeT = server.registry.lookup('', 'v1', 'nodes')!;
    const controlPlane = (req.nodeType ?? 'control-plane') === 'control-plane';
    let node: JsonObject;
    const existing = server.store.slot(nodeT).bucket.items.get(req.nodeName);
    if (existing) {
      node = JSON.parse(existing.json) as JsonObject;
      const md = node.metadata as { labels?: Record<string, string> };
      const spec = (node.spec ?? {}) as { providerID?: string };
      let changed = false;
      if (req.providerID && spec.providerID !== req.providerID) {
        node.spec = { ...spec, providerID: req.providerID };
        changed = true;
      }
      const labels = { ...(req.uuid ? { 'metal3.io/uuid': req.uuid } : {}), ...(req.labels ?? {}) };
      for (const [k, v] of Object.entries(labels))
        if (md.labels?.[k] !== v) {
          md.labels = { ...(md.labels ?? {}), [k]: v };
          changed = true;
        }
      if (changed) node = JSON.parse(server.store.update(nodeT, '', req.nodeName, node, undefined).json) as JsonObject;
    } else {
      const spec: NodeSpec = {
        name: req.nodeName,
        uuid: req.uuid,
        providerID: req.providerID,
        controlPlane,
        address: nodeAddress(record.port),
        labels: req.labels,
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      node = server.put(nodeObject(spec, record.kubernetesVersion));
      const uid = String((node.metadata as { uid: string }).uid);
      if (controlPlane)
        for (const c of CONTROL_PLANE_COMPONENTS) server.put(mirrorPod(c, spec, uid, record.kubernetesVersion));
    }
    this.saveNow(Farm.keyOf(req.namespace, req.cluster));
    return node;
  }

  async setFault(namespace: string, cluster: string, fault: ClusterFault): Promise<void> {
    const { server, record } = this.entry(namespace, cluster);
    await server.setFault(fault);
    record.fault = { ...fault };
    this.saveNow(Farm.keyOf(namespace, cluster));
  }

  async unregister(namespace: string, cluster: string): Promise<boolean> {
    const key = Farm.keyOf(namespace, cluster);
    const e = this.clusters.get(key);
    if (!e) return false;
    this.clusters.delete(key);
    this.dirty.delete(key);
    this.metrics.forget(key);
    this.ownPortForward?.forget(e.server);
    await e.server.stop();
    this.state.remove(namespace, cluster);
    return true;
  }

  list(): FarmClusterInfo[] {
    return [...this.clusters.values()].map(({ server, record }) => ({
      key: server.key,
      cluster: record.cluster,
      namespace: record.namespace,
      host: this.advertiseHost,
      port: record.port,
      listening: server.listening,
      fault: { ...server.fault },
      objects: server.store.count(),
    }));
  }

  record(namespace: string, cluster: string): Readonly<ClusterRecord> {
    return this.entry(namespace, cluster).record;
  }

  server(namespace: string, cluster: string): FarmClusterServer {
    return this.entry(namespace, cluster).server;
  }

  /** An admin kubeconfig (client certificate from the cluster's CA), as kubeadm's admin.conf. */
  kubeconfig(namespace: string, cluster: string): string {
    const r = this.entry(namespace, cluster).record;
    const host = this.advertiseHost.includes(':') ? `[${this.advertiseHost}]` : this.advertiseHost;
    return renderKubeconfig({
      clusterName: r.cluster,
      server: `https://${host}:${r.port}`,
      caPem: r.caCertPem,
      userName: `${r.cluster}-admin`,
      clientCertPem: r.admin.certPem,
      clientKeyPem: r.admin.keyPem,
    });
  }

  private markDirty(key: string): void {
    this.dirty.add(key);
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), this.o.saveDelayMs ?? 200);
    this.saveTimer.unref();
  }

  private saveNow(key: string): void {
    this.dirty.delete(key);
    const e = this.clusters.get(key);
    if (!e) return;
    e.record.objects = e.server.snapshot();
    e.record.etcd = syncEtcdMembers(e.server).snapshot();
    this.state.save(e.record);
    e.record.objects = [];
  }

  /** Saves every cluster written since the last save. */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    for (const key of [...this.dirty]) this.saveNow(key);
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.clusters.values()].map((c) => c.server.stop()));
    this.clusters.clear();
    this.ownPortForward?.close();
  }
}

/** A stable made-up InternalIP per cluster (data only: the Node's address is never dialled). */
function nodeAddress(port: number): string {
  return `10.${200 + ((port >> 16) & 7)}.${(port >> 8) & 255}.${port & 255}`;
}
