// The simulated kubelet (plus the bits of kube-controller-manager a demo needs) for one
// API instance standing for a cluster (management or backing): Deployments and
// StatefulSets get Ready pods and available status; each Deployment labelled
// scale-tui.metal3.io/component=workload-apiserver gets a real embedded API server
// serving with the namespace's `apiserver` Secret, trusting `<cluster>-ca` for clients,
// reachable on 127.0.0.1:<nodePort> of its NodePort Service. It is an ordinary API
// client, like the controllers.
//
// It also serves the kubelet port (exec-server.ts: `kubectl exec` through the API server) and,
// with runEtcd, runs etcd containers as real etcd processes (pod-runtime.ts). In the demo it
// runs in-process on 127.0.0.1; the lab runs it as a process of its own (startKubelet) inside
// a node's network namespace, with that node's address.
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CLUSTER } from '../../manifests/labels.js';
import { Informer } from '../controllers/informer.js';
import { RestClient, ApiError } from '../controllers/rest.js';
import { R, collectionPath, objectPath, type Resource } from '../controllers/resources.js';
import { field, nowIso, randomSuffix, type Obj } from '../controllers/helpers.js';
import { createCA, issueCert } from '../../core/pki/index.js';
import { startExecServer, type ExecContainer, type ExecRefusal, type ExecServerHandle } from './exec-server.js';
import { RealPod, type ContainerSpec, type PodLike } from './pod-runtime.js';

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
  setPodMetrics(
    namespace: string,
    pod: string,
    containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>,
  ): void;
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
  /** The kubelet port for exec, on the node's address (10250 on a real node; default 0 = ephemeral). */
  kubeletPort?: number;
  /**
   * CA of the client certificates the kubelet port accepts (kubelet --client-ca-file): the API
   * server's kubelet-client certificate. Default: the CA in the kubeconfig.
   */
  clientCaPem?: string;
  /** Run the containers whose command is etcd (the etcd-system StatefulSet) as real etcd processes. */
  runEtcd?: boolean;
  /**
   * The kubelet's directory (pod volumes, persistent volumes, container logs). Default with
   * runEtcd: a fresh temporary directory, removed on stop(); a given one is kept, so persistent
   * volumes (etcd's data) survive a kubelet restart as they survive a node reboot.
   */
  rootDir?: string;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function templateHash(dep: KubeObject): string {
  return createHash('sha256')
    .update(JSON.stringify(field(dep, 'spec', 'template') ?? {}))
    .digest('hex')
    .slice(0, 10)
    .replace(/[aeiou]/g, 'x');
}

/** Whether a container is etcd: its command (or, without one, its first arg) runs an etcd binary. */
export function isEtcdContainer(c: ContainerSpec): boolean {
  const argv0 = c.command?.[0] ?? c.args?.[0];
  return argv0 !== undefined && basename(argv0) === 'etcd';
}

function kubeconfigCa(kc: KubeConfig): string | undefined {
  const c = kc.getCurrentCluster();
  if (c?.caData) return Buffer.from(c.caData, 'base64').toString('utf8');
  return c?.caFile ? readFileSync(c.caFile, 'utf8') : undefined;
}

function isReady(p: Obj): boolean {
  const conds = field<Array<{ type?: string; status?: string }>>(p, 'status', 'conditions') ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The pod spec with a volume per volumeClaimTemplate (claim `<template>-<sts>-<ordinal>`),
 * as the StatefulSet controller adds them.
 */
function withClaims(sts: Obj, spec: Record<string, unknown>, ordinal: number): Record<string, unknown> {
  const templates = field<Array<{ metadata?: { name?: string } }>>(sts, 'spec', 'volumeClaimTemplates') ?? [];
  const volumes = [...((spec.volumes as Array<{ name: string }> | undefined) ?? [])];
  for (const t of templates) {
    const vol = t.metadata?.name;
    if (!vol || volumes.some((v) => v.name === vol)) continue;
    const claimName = `${vol}-${sts.metadata.name}-${ordinal}`;
    volumes.push({ name: vol, persistentVolumeClaim: { claimName } } as { name: string });
  }
  return volumes.length ? { ...spec, volumes } : spec;
}

function podTemplate(obj: KubeObject): { labels: Record<string, string>; spec: Record<string, unknown> } {
  const t =
    field<{ metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> }>(
      obj,
      'spec',
      'template',
    ) ?? {};
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
  private readonly realPods = new Map<string, RealPod>();
  private readonly stoppingPods = new Map<string, Promise<void>>();
  private execServer?: ExecServerHandle;
  private rootDir = '';
  private ownRootDir = false;

  constructor(private readonly opts: KubeletOptions) {
    this.client = new RestClient(opts.kubeconfig);
  }

  private get address(): string {
    return this.opts.address ?? '127.0.0.1';
  }

  get workloadServers(): number {
    return this.servers.size;
  }

  /** The kubelet port actually bound (after start()). */
  get kubeletPort(): number {
    return this.execServer?.port ?? 0;
  }

  /** The directory holding pod volumes, persistent volumes and logs (after start()). */
  get directory(): string {
    return this.rootDir;
  }

  /** Pids of the real container processes of a pod (empty when none runs). */
  podPids(namespace: string, name: string): number[] {
    return this.realPods.get(`${namespace}/${name}`)?.pids() ?? [];
  }

  async start(): Promise<void> {
    // Only real pods need a directory; a kubelet that simulates every pod leaves nothing on disk.
    this.ownRootDir = !this.opts.rootDir && this.opts.runEtcd === true;
    if (this.opts.rootDir) this.rootDir = this.opts.rootDir;
    else if (this.ownRootDir) this.rootDir = mkdtempSync(join(tmpdir(), `scale-tui-kubelet-${this.opts.nodeName}-`));
    await this.startExecServer();
    await this.ensureNode();
    const deps = new Informer(this.client, R.deployment, (t, o) =>
      this.schedule(t === 'delete' ? 'gone-deploy' : 'deploy', o),
    );
    const sts = new Informer(this.client, R.statefulSet, (t, o) =>
      this.schedule(t === 'delete' ? 'gone-sts' : 'sts', o),
    );
    const svcs = new Informer(this.client, R.service, (t, o) => {
      if (t !== 'delete' && o.metadata.name === APISERVER_SERVICE) this.kickNamespace(o.metadata.namespace ?? '');
    });
    this.informers.push(deps, sts, svcs);
    if (this.opts.runEtcd) {
      // Pods bound to this node, to stop their processes when they are deleted (directly, or by
      // garbage collection after their StatefulSet) and to start them again after a kubelet restart.
      // (Pushed last: the code above finds informers by index.)
      this.informers.push(new Informer(this.client, R.pod, (t, o) => this.podEvent(t, o as PodLike)));
    }
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
    await this.execServer?.stop();
    // Real containers end with the kubelet; their pods stay in the API, as a real node's do.
    await Promise.all([...this.realPods.keys()].map((k) => this.stopRealPod(k)));
    await Promise.all(this.stoppingPods.values());
    this.client.close();
    if (this.ownRootDir && this.rootDir) rmSync(this.rootDir, { recursive: true, force: true });
  }

  private async startExecServer(): Promise<void> {
    const clientCaPem = this.opts.clientCaPem ?? kubeconfigCa(this.opts.kubeconfig);
    if (!clientCaPem) throw new Error('kubelet: no client CA (the kubeconfig has no CA; pass clientCaPem)');
    // Like a kubelet without serving certificates configured: a self-signed CA and a serving
    // certificate for the node's name and address, made at start.
    const stamp = Math.floor(Date.now() / 1000);
    const ca = createCA(`${this.opts.nodeName}-ca@${stamp}`);
    const serving = issueCert(ca, {
      commonName: `${this.opts.nodeName}@${stamp}`,
      dnsNames: [this.opts.nodeName],
      ipAddresses: [this.address],
      usage: 'server',
    });
    this.execServer = await startExecServer({
      host: this.address,
      port: this.opts.kubeletPort ?? 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem },
      clientCaPem,
      resolve: (ns, pod, container) => this.execTarget(ns, pod, container),
    });
  }

  private execTarget(ns: string, pod: string, container: string): ExecContainer | ExecRefusal {
    const real = this.realPods.get(`${ns}/${pod}`);
    if (real) return real.execContainer(container);
    const message = `pod ${ns}/${pod} has no process on node ${this.opts.nodeName}: its containers are simulated`;
    return { code: 404, reason: 'NotFound', message };
  }

  private readonly runsContainer = (c: ContainerSpec): boolean => this.opts.runEtcd === true && isEtcdContainer(c);

  private isRealPod(p: { spec?: { containers?: ContainerSpec[] } }): boolean {
    return (p.spec?.containers ?? []).some((c) => this.runsContainer(c));
  }

  private podEvent(type: 'add' | 'update' | 'delete', p: PodLike): void {
    if (this.stopped || p.spec?.nodeName !== this.opts.nodeName || !this.isRealPod(p)) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const uid = p.metadata.uid;
    const current = this.realPods.get(key);
    if (type === 'delete' || p.metadata.deletionTimestamp) {
      if (current?.uid === uid) void this.stopRealPod(key);
      return;
    }
    // A new pod of this name, or one that nothing runs after a kubelet restart: start it.
    if (!current || current.uid !== uid) void this.startRealPod(p);
  }

  private async startRealPod(p: PodLike): Promise<void> {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const uid = p.metadata.uid;
    const old = this.realPods.get(key);
    if (old && old.uid === uid) return;
    if (old) void this.stopRealPod(key);
    const pod = new RealPod(p, {
      rootDir: this.rootDir,
      address: this.address,
      runs: this.runsContainer,
      secret: (ns, name) => this.objectData(R.secret, ns, name, 'base64'),
      configMap: (ns, name) => this.objectData(R.configMap, ns, name, 'utf8'),
      patchStatus: async (ns, name, status) => {
        await this.client.mergePatch(objectPath(R.pod, name, ns, 'status'), { status });
      },
      onReadyChange: (pd) => this.ownerChanged(pd),
    });
    this.realPods.set(key, pod);
    // The previous pod of this name (same ports, same persistent volume) must be gone first.
    await this.stoppingPods.get(key);
    if (this.stopped || this.realPods.get(key) !== pod) return;
    pod.start();
  }

  private stopRealPod(key: string): Promise<void> {
    const pod = this.realPods.get(key);
    if (!pod) return this.stoppingPods.get(key) ?? Promise.resolve();
    this.realPods.delete(key);
    const prev = this.stoppingPods.get(key) ?? Promise.resolve();
    const done = prev.then(() => pod.stop()).catch(() => {});
    this.stoppingPods.set(key, done);
    void done.then(() => {
      if (this.stoppingPods.get(key) === done) this.stoppingPods.delete(key);
    });
    return done;
  }

  /** A Secret's (base64) or ConfigMap's (text) data, decoded; undefined when the object is missing. */
  private async objectData(
    res: Resource,
    ns: string,
    name: string,
    enc: 'base64' | 'utf8',
  ): Promise<Record<string, Buffer> | undefined> {
    const o = await this.client.get(objectPath(res, name, ns));
    if (!o) return undefined;
    const data = (o as { data?: Record<string, string> }).data ?? {};
    const bin = (o as { binaryData?: Record<string, string> }).binaryData ?? {};
    return {
      ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, enc)])),
      ...Object.fromEntries(Object.entries(bin).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    };
  }

  /** A real pod's readiness changed: its StatefulSet's status follows. */
  private ownerChanged(p: PodLike): void {
    const owner = (p.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (owner?.kind !== 'StatefulSet') return;
    const sts = this.informers[1]?.get(p.metadata.namespace, owner.name);
    if (sts) this.schedule('sts', sts);
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
      metadata: {
        name: this.opts.nodeName,
        labels: { 'kubernetes.io/hostname': this.opts.nodeName, 'node-role.kubernetes.io/control-plane': '' },
      },
      spec: {},
      status: {
        addresses: [
          { type: 'InternalIP', address: this.address },
          { type: 'Hostname', address: this.opts.nodeName },
        ],
        // Where the API server finds this kubelet for exec.
        daemonEndpoints: { kubeletEndpoint: { Port: this.kubeletPort } },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastHeartbeatTime: nowIso(),
            lastTransitionTime: nowIso(),
          },
        ],
        capacity: { cpu: '2', memory: '8Gi', pods: '1100' },
        allocatable: { cpu: '2', memory: '8Gi', pods: '1100' },
      },
    };
    await this.client.create(collectionPath(R.node), node);
    await this.client
      .mergePatch(objectPath(R.node, this.opts.nodeName, undefined, 'status'), { status: node.status })
      .catch(() => {});
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
        const run =
          kind === 'gone-deploy'
            ? this.deploymentGone(obj)
            : kind === 'gone-sts'
              ? Promise.resolve()
              : this.sync(kind, key);
        run.catch(() => setTimeout(() => this.schedule(kind, obj), 500)).finally(() => this.busy.delete(key));
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
    if (kind === 'sts') return this.ensureStatefulSetPods(obj);
    const ns = obj.metadata.namespace ?? '';
    const replicas = field<number>(obj, 'spec', 'replicas') ?? 1;
    const { labels, spec } = podTemplate(obj);
    const hash = kind === 'deploy' ? templateHash(obj) : '';
    const selector = Object.entries(field<Record<string, string>>(obj, 'spec', 'selector', 'matchLabels') ?? labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = selector ? ((await this.client.list(collectionPath(R.pod, ns), selector)).items as Obj[]) : [];
    const current = pods.filter(
      (p) =>
        (kind === 'deploy' ? p.metadata.labels?.['pod-template-hash'] === hash : true) && !p.metadata.deletionTimestamp,
    );
    const stale = kind === 'deploy' ? pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash) : [];
    for (let i = current.length; i < replicas; i++) {
      const podName =
        kind === 'deploy' ? `${obj.metadata.name}-${hash}-${randomSuffix()}` : `${obj.metadata.name}-${i}`;
      await this.createPod(
        ns,
        podName,
        { ...labels, ...(kind === 'deploy' ? { 'pod-template-hash': hash } : {}) },
        spec,
        obj,
      );
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
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
                lastUpdateTime: nowIso(),
                lastTransitionTime: nowIso(),
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${obj.metadata.name}-${hash}" has successfully progressed.`,
                lastUpdateTime: nowIso(),
                lastTransitionTime: nowIso(),
              },
            ],
          }
        : {
            observedGeneration: obj.metadata.generation,
            replicas,
            readyReplicas: replicas,
            currentReplicas: replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
          };
    const old = obj.status as Record<string, unknown> | undefined;
    if (old?.observedGeneration !== obj.metadata.generation || old?.readyReplicas !== replicas) {
      await this.client.mergePatch(objectPath(res, obj.metadata.name, ns, 'status'), { status });
    }
  }

  /**
   * A StatefulSet's pods `<name>-<ordinal>`, each with the template's revision
   * (controller-revision-hash) and its claims' volumes; a pod of an older revision is replaced
   * (RollingUpdate, one name at a time). Ready counts come from the pods' Ready conditions,
   * which real (etcd) pods reach only when their probe passes.
   */
  private async ensureStatefulSetPods(sts: Obj): Promise<void> {
    const ns = sts.metadata.namespace ?? '';
    const name = sts.metadata.name;
    const replicas = field<number>(sts, 'spec', 'replicas') ?? 1;
    const { labels, spec } = podTemplate(sts);
    const revision = `${name}-${templateHash(sts)}`;
    const matchLabels = field<Record<string, string>>(sts, 'spec', 'selector', 'matchLabels') ?? labels;
    const selector = Object.entries(matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const listPods = async (): Promise<Obj[]> => {
      if (!selector) return [];
      const items = (await this.client.list(collectionPath(R.pod, ns), selector)).items as Obj[];
      return items.filter((p) => !p.metadata.deletionTimestamp);
    };
    const REV = 'controller-revision-hash';
    const byName = new Map((await listPods()).map((p) => [p.metadata.name, p]));
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      const existing = byName.get(podName);
      if (existing?.metadata.labels?.[REV] === revision) continue;
      if (existing) await this.client.delete(objectPath(R.pod, podName, ns));
      const podLabels = {
        ...labels,
        [REV]: revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(i),
      };
      await this.createPod(ns, podName, podLabels, withClaims(sts, spec, i), sts);
    }
    for (const p of byName.values()) {
      const ordinal = Number(p.metadata.name.slice(name.length + 1));
      if (!p.metadata.name.startsWith(`${name}-`) || !Number.isInteger(ordinal) || ordinal >= replicas) {
        await this.client.delete(objectPath(R.pod, p.metadata.name, ns));
      }
    }
    const pods = await listPods();
    const updated = pods.filter((p) => p.metadata.labels?.[REV] === revision).length;
    const ready = pods.filter(isReady).length;
    const old = (sts.status ?? {}) as Record<string, unknown>;
    const done = updated === replicas && ready === replicas;
    const status = {
      observedGeneration: sts.metadata.generation,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      currentRevision: done ? revision : ((old.currentRevision as string | undefined) ?? revision),
      updateRevision: revision,
    };
    const changed = (Object.keys(status) as Array<keyof typeof status>).some((k) => old[k] !== status[k]);
    if (changed) await this.client.mergePatch(objectPath(R.statefulSet, name, ns, 'status'), { status });
  }

  private async createPod(
    ns: string,
    name: string,
    labels: Record<string, string>,
    spec: Record<string, unknown>,
    owner: Obj,
  ): Promise<void> {
    const containers = (spec.containers as Array<{ name: string; image?: string }> | undefined) ?? [];
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.metadata.name,
            uid: owner.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: { ...spec, nodeName: this.opts.nodeName },
    };
    await this.client.create(collectionPath(R.pod, ns), pod);
    const t = nowIso();
    if (this.isRealPod(pod as { spec: { containers?: ContainerSpec[] } })) {
      // Its processes start from the pod watch (podEvent), which reports the status from here on.
      const waiting = { waiting: { reason: 'ContainerCreating' } };
      const statuses = containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: waiting,
      }));
      const addresses = { hostIP: this.address, podIP: this.address };
      const status = { phase: 'Pending', ...addresses, startTime: t, containerStatuses: statuses };
      await this.client.mergePatch(objectPath(R.pod, name, ns, 'status'), { status });
      return;
    }
    await this.client.mergePatch(objectPath(R.pod, name, ns, 'status'), {
      status: {
        phase: 'Running',
        hostIP: this.address,
        podIP: this.address,
        startTime: t,
        qosClass: 'Burstable',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastTransitionTime: t,
        })),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t } },
        })),
      },
    });
    // A small baseline until the process behind the pod reports its own usage.
    this.opts.metrics?.setPodMetrics(
      ns,
      name,
      containers.map((c) => ({ name: c.name, cpuMillicores: 2, memoryBytes: 20 * 1024 * 1024 })),
    );
  }

  private async secretData(ns: string, name: string): Promise<Record<string, string> | undefined> {
    const s = await this.client.get(objectPath(R.secret, name, ns));
    const data = s?.data as Record<string, string> | undefined;
    return data
      ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      : undefined;
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
      await this.client.mergePatch(objectPath(R.service, APISERVER_SERVICE, ns), {
        spec: { ports: ports.map((p, i) => (i === 0 ? { ...p, nodePort: port } : p)) },
      });
    }
    const start = this.opts.startWorkloadServer;
    const p = (async () => {
      try {
        const handle = await start({
          name: `${cluster}-apiserver`,
          port: port ?? 0,
          host: this.address,
          builtinCrds: false,
          tls: { certPem: tls['tls.crt']!, keyPem: tls['tls.key']!, clientCaPem: ca['tls.crt'] },
        });
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

export interface KubeletHandle {
  kubelet: Kubelet;
  /** The kubelet port bound on the node address (the Node reports it as its kubeletEndpoint). */
  kubeletPort: number;
  /** Pod volumes, persistent volumes and container logs. */
  directory: string;
  /** Stops the informers, the kubelet port, the workload API servers and every real container. */
  stop(): Promise<void>;
}

/**
 * Starts a kubelet (for `scale-tui sim kubelet` and tests). A failed start stops what it had
 * started, so no etcd or listener is left behind.
 */
export async function startKubelet(opts: KubeletOptions): Promise<KubeletHandle> {
  const kubelet = new Kubelet(opts);
  try {
    await kubelet.start();
  } catch (err) {
    await kubelet.stop().catch(() => {});
    throw err;
  }
  return { kubelet, kubeletPort: kubelet.kubeletPort, directory: kubelet.directory, stop: () => kubelet.stop() };
}

export { ApiError };
