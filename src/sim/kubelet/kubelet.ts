// The simulated kubelet (plus the bits of kube-controller-manager a demo needs) for one
// API instance standing for a cluster (management or backing): Deployments and
// StatefulSets get Ready pods and available status; each Deployment labelled
// scale-tui.metal3.io/component=workload-apiserver gets a real embedded API server
// serving with the namespace's `apiserver` Secret, trusting `<cluster>-ca` for clients,
// reachable on 127.0.0.1:<nodePort> of its NodePort Service. It is an ordinary API
// client, like the controllers.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CLUSTER } from '../../manifests/labels.js';
import { Informer } from '../controllers/informer.js';
import { RestClient, ApiError } from '../controllers/rest.js';
import { R, collectionPath, objectPath } from '../controllers/resources.js';
import { field, nowIso, randomSuffix, type Obj } from '../controllers/helpers.js';

export const LABEL_COMPONENT = 'scale-tui.metal3.io/component';
export const WORKLOAD_APISERVER = 'workload-apiserver';
export const APISERVER_SERVICE = 'test-kube-apiserver';

/** What the kubelet needs from src/sim/apiserver's startApiServer. */
export interface WorkloadServerOptions {
  name: string;
  port: number;
  /** The node's address: a NodePort is served there, as kube-proxy does on the node. */
  host: string;
  builtinCrds: false;
  tls: { certPem: string; keyPem: string; clientCaPem?: string };
}
export interface WorkloadServerHandle {
  port: number;
  stop(): Promise<void>;
}
export type StartWorkloadServer = (opts: WorkloadServerOptions) => Promise<WorkloadServerHandle>;

export interface PodMetricsSink {
  setPodMetrics(namespace: string, pod: string, containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>): void;
  setNodeMetrics?(node: string, cpuMillicores: number, memoryBytes: number): void;
}

export interface KubeletOptions {
  kubeconfig: KubeConfig;
  /** Node name of this cluster, e.g. "backing-1-control-plane". */
  nodeName: string;
  /**
   * The node's address (Node InternalIP, pods' hostIP, where NodePorts listen). Default
   * 127.0.0.1 for the in-process demo; the lab gives the node namespace's address.
   */
  address?: string;
  startWorkloadServer?: StartWorkloadServer;
  metrics?: PodMetricsSink;
  /** Called when a workload API server starts or stops (the demo counts them). */
  onWorkloadServer?: (event: 'started' | 'stopped', namespace: string, port: number) => void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function templateHash(dep: KubeObject): string {
  return createHash('sha256').update(JSON.stringify(field(dep, 'spec', 'template') ?? {})).digest('hex').slice(0, 10).replace(/[aeiou]/g, 'x');
}

function podTemplate(obj: KubeObject): { labels: Record<string, string>; spec: Record<string, unknown> } {
  const t = field<{ metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> }>(obj, 'spec', 'template') ?? {};
  return { labels: t.metadata?.labels ?? {}, spec: t.spec ?? { containers: [] } };
}

export class Kubelet {
  private readonly client: RestClient;
  private readonly informers: Informer[] = [];
  private readonly servers = new Map<string, Promise<WorkloadServerHandle | undefined>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private stopped = false;
  private nodeTimer?: NodeJS.Timeout;
  private lastCpu = process.cpuUsage();
  private lastT = performance.now();

  constructor(private readonly opts: KubeletOptions) {
    this.client = new RestClient(opts.kubeconfig);
  }

  private get address(): string {
    return this.opts.address ?? '127.0.0.1';
  }

  get workloadServers(): number {
    return this.servers.size;
  }

  async start(): Promise<void> {
    await this.ensureNode();
    const deps = new Informer(this.client, R.deployment, (t, o) => this.schedule(t === 'delete' ? 'gone-deploy' : 'deploy', o));
    const sts = new Informer(this.client, R.statefulSet, (t, o) => this.schedule(t === 'delete' ? 'gone-sts' : 'sts', o));
    const svcs = new Informer(this.client, R.service, (t, o) => {
      if (t !== 'delete' && o.metadata.name === APISERVER_SERVICE) this.kickNamespace(o.metadata.namespace ?? '');
    });
    this.informers.push(deps, sts, svcs);
    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.hasSynced()));
    this.nodeTimer = setInterval(() => this.reportNode(), 2000);
    this.nodeTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.nodeTimer) clearInterval(this.nodeTimer);
    for (const t of this.pending.values()) clearTimeout(t);
    for (const i of this.informers) i.stop();
    const handles = await Promise.all(this.servers.values());
    await Promise.all(handles.map((h) => h?.stop().catch(() => {})));
    this.servers.clear();
    this.client.close();
  }

  private reportNode(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const millicores = Math.round(((cpu.user + cpu.system) / 1000 / (now - this.lastT)) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastT = now;
    this.opts.metrics?.setNodeMetrics?.(this.opts.nodeName, millicores, process.memoryUsage().rss);
  }

  private async ensureNode(): Promise<void> {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.opts.nodeName, labels: { 'kubernetes.io/hostname': this.opts.nodeName, 'node-role.kubernetes.io/control-plane': '' } },
      spec: {},
      status: {
        addresses: [{ type: 'InternalIP', address: this.address }, { type: 'Hostname', address: this.opts.nodeName }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: nowIso(), lastTransitionTime: nowIso() }],
        capacity: { cpu: '2', memory: '8Gi', pods: '1100' },
        allocatable: { cpu: '2', memory: '8Gi', pods: '1100' },
      },
    };
    await this.client.create(collectionPath(R.node), node);
    await this.client.mergePatch(objectPath(R.node, this.opts.nodeName, undefined, 'status'), { status: node.status }).catch(() => {});
  }

  private kickNamespace(ns: string): void {
    const dep = this.informers[0]?.list(ns).find((d) => d.metadata.labels?.[LABEL_COMPONENT] === WORKLOAD_APISERVER);
    if (dep) this.schedule('deploy', dep);
  }

  /** Coalesces bursts of events per object; one sync runs at a time per object. */
  private schedule(kind: 'deploy' | 'sts' | 'gone-deploy' | 'gone-sts', obj: KubeObject): void {
    if (this.stopped) return;
    const key = `${kind.replace('gone-', '')}:${obj.metadata.namespace}/${obj.metadata.name}`;
    const existing = this.pending.get(key);
    if (existing) clearTimeout(existing);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        if (this.busy.has(key)) return this.schedule(kind, obj);
        this.busy.add(key);
        const run = kind === 'gone-deploy' ? this.deploymentGone(obj) : kind === 'gone-sts' ? Promise.resolve() : this.sync(kind, key);
        run
          .catch(() => setTimeout(() => this.schedule(kind, obj), 500))
          .finally(() => this.busy.delete(key));
      }, 20),
    );
  }

  private async sync(kind: 'deploy' | 'sts', key: string): Promise<void> {
    const [, nsName] = key.split(':');
    const [ns, name] = (nsName ?? '').split('/') as [string, string];
    const inf = kind === 'deploy' ? this.informers[0] : this.informers[1];
    const obj = inf?.get(ns, name) as Obj | undefined;
    if (!obj || obj.metadata.deletionTimestamp) return;
    if (kind === 'deploy' && obj.metadata.labels?.[LABEL_COMPONENT] === WORKLOAD_APISERVER) {
      const ok = await this.ensureWorkloadServer(obj);
      if (!ok) {
        // Secrets or Service not there yet: the engine creates them around the Deployment.
        setTimeout(() => this.schedule('deploy', obj), 300);
        return;
      }
    }
    await this.ensurePods(kind, obj);
  }

  private async ensurePods(kind: 'deploy' | 'sts', obj: Obj): Promise<void> {
    const ns = obj.metadata.namespace ?? '';
    const replicas = field<number>(obj, 'spec', 'replicas') ?? 1;
    const { labels, spec } = podTemplate(obj);
    const hash = kind === 'deploy' ? templateHash(obj) : '';
    const selector = Object.entries(field<Record<string, string>>(obj, 'spec', 'selector', 'matchLabels') ?? labels).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = selector ? ((await this.client.list(collectionPath(R.pod, ns), selector)).items as Obj[]) : [];
    const current = pods.filter((p) => (kind === 'deploy' ? p.metadata.labels?.['pod-template-hash'] === hash : true) && !p.metadata.deletionTimestamp);
    const stale = kind === 'deploy' ? pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash) : [];
    for (let i = current.length; i < replicas; i++) {
      const podName = kind === 'deploy' ? `${obj.metadata.name}-${hash}-${randomSuffix()}` : `${obj.metadata.name}-${i}`;
      await this.createPod(ns, podName, { ...labels, ...(kind === 'deploy' ? { 'pod-template-hash': hash } : {}) }, spec, obj);
    }
    // Rollout: the new pod is up before the old ones go, as with maxSurge.
    for (const p of stale) await this.client.delete(objectPath(R.pod, p.metadata.name, ns));
    for (const p of current.slice(replicas)) await this.client.delete(objectPath(R.pod, p.metadata.name, ns));
    const res = kind === 'deploy' ? R.deployment : R.statefulSet;
    const status =
      kind === 'deploy'
        ? {
            observedGeneration: obj.metadata.generation,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: nowIso(), lastTransitionTime: nowIso() },
              { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${obj.metadata.name}-${hash}" has successfully progressed.`, lastUpdateTime: nowIso(), lastTransitionTime: nowIso() },
            ],
          }
        : { observedGeneration: obj.metadata.generation, replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas };
    const old = obj.status as Record<string, unknown> | undefined;
    if (old?.observedGeneration !== obj.metadata.generation || old?.readyReplicas !== replicas) {
      await this.client.mergePatch(objectPath(res, obj.metadata.name, ns, 'status'), { status });
    }
  }

  private async createPod(ns: string, name: string, labels: Record<string, string>, spec: Record<string, unknown>, owner: Obj): Promise<void> {
    const containers = (spec.containers as Array<{ name: string; image?: string }> | undefined) ?? [];
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels, ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true }] },
      spec: { ...spec, nodeName: this.opts.nodeName },
    };
    await this.client.create(collectionPath(R.pod, ns), pod);
    const t = nowIso();
    await this.client.mergePatch(objectPath(R.pod, name, ns, 'status'), {
      status: {
        phase: 'Running',
        hostIP: this.address,
        podIP: this.address,
        startTime: t,
        qosClass: 'Burstable',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: t })),
        containerStatuses: containers.map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } })),
      },
    });
    // A small baseline until the process behind the pod reports its own usage.
    this.opts.metrics?.setPodMetrics(ns, name, containers.map((c) => ({ name: c.name, cpuMillicores: 2, memoryBytes: 20 * 1024 * 1024 })));
  }

  private async secretData(ns: string, name: string): Promise<Record<string, string> | undefined> {
    const s = await this.client.get(objectPath(R.secret, name, ns));
    const data = s?.data as Record<string, string> | undefined;
    return data ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : undefined;
  }

  /** Starts the namespace's workload API server once; returns false while inputs are missing. */
  private async ensureWorkloadServer(dep: Obj): Promise<boolean> {
    const ns = dep.metadata.namespace ?? '';
    if (this.servers.has(ns)) return (await this.servers.get(ns)) !== undefined;
    if (!this.opts.startWorkloadServer) return true;
    const cluster = dep.metadata.labels?.[LABEL_CLUSTER] ?? ns;
    const tls = await this.secretData(ns, 'apiserver');
    const ca = await this.secretData(ns, `${cluster}-ca`);
    const svc = this.informers[2]?.get(ns, APISERVER_SERVICE);
    if (!tls?.['tls.crt'] || !tls['tls.key'] || !ca?.['tls.crt'] || !svc) return false;
    const ports = field<Array<{ port?: number; nodePort?: number }>>(svc, 'spec', 'ports') ?? [];
    let port = field<string>(svc, 'spec', 'type') === 'NodePort' ? ports[0]?.nodePort : undefined;
    if (field<string>(svc, 'spec', 'type') === 'NodePort' && !port) {
      // No nodePort allocated by the API: pick a free one and record it, as the allocator would.
      port = await freePort();
      await this.client.mergePatch(objectPath(R.service, APISERVER_SERVICE, ns), { spec: { ports: ports.map((p, i) => (i === 0 ? { ...p, nodePort: port } : p)) } });
    }
    const start = this.opts.startWorkloadServer;
    const p = (async () => {
      try {
        const handle = await start({ name: `${cluster}-apiserver`, port: port ?? 0, host: this.address, builtinCrds: false, tls: { certPem: tls['tls.crt']!, keyPem: tls['tls.key']!, clientCaPem: ca['tls.crt'] } });
        this.opts.onWorkloadServer?.('started', ns, handle.port);
        return handle;
      } catch (err) {
        this.servers.delete(ns);
        throw err;
      }
    })();
    this.servers.set(ns, p);
    await p;
    return true;
  }

  private async deploymentGone(dep: KubeObject): Promise<void> {
    const ns = dep.metadata.namespace ?? '';
    if (dep.metadata.labels?.[LABEL_COMPONENT] !== WORKLOAD_APISERVER) return;
    const p = this.servers.get(ns);
    if (!p) return;
    this.servers.delete(ns);
    const h = await p.catch(() => undefined);
    if (h) {
      await h.stop();
      this.opts.onWorkloadServer?.('stopped', ns, h.port);
    }
  }
}

export { ApiError };
