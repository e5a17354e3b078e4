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
// a node's network namespace, with that node's address.//
// The parts it drives live beside it: ./workload-pods.ts (Deployment and StatefulSet pods and
// status), ./workload-servers.ts (workload API servers), ./real-pods.ts (pods run as processes),
// ./kubelet-options.ts (what it is given) and ./pod-templates.ts (template helpers).
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import { Informer } from '../controllers/informer.js';
import { RestClient, ApiError } from '../controllers/rest.js';
import { R, collectionPath, objectPath } from '../controllers/resources.js';
import { nowIso, type Obj } from '../controllers/helpers.js';
import { createCA, issueCert } from '../../core/pki/index.js';
import { startExecServer, type ExecServerHandle } from './exec-server.js';
import type { PodLike } from './pod-runtime.js';
import { APISERVER_SERVICE, LABEL_COMPONENT, WORKLOAD_APISERVER, type KubeletOptions } from './kubelet-options.js';
import { RealPods } from './real-pods.js';
import { WorkloadServers } from './workload-servers.js';
import { WorkloadPods } from './workload-pods.js';

export {
  APISERVER_SERVICE,
  LABEL_COMPONENT,
  WORKLOAD_APISERVER,
  type KubeletOptions,
  type PodMetricsSink,
  type StartWorkloadServer,
  type WorkloadServerHandle,
  type WorkloadServerOptions,
} from './kubelet-options.js';
export { freePort } from './workload-servers.js';
export { isEtcdContainer } from './real-pods.js';

function kubeconfigCa(kc: KubeConfig): string | undefined {
  const c = kc.getCurrentCluster();
  if (c?.caData) return Buffer.from(c.caData, 'base64').toString('utf8');
  return c?.caFile ? readFileSync(c.caFile, 'utf8') : undefined;
}

export class Kubelet {
  private readonly client: RestClient;
  private readonly informers: Informer[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private stopped = false;
  private nodeTimer?: NodeJS.Timeout;
  private lastCpu = process.cpuUsage();
  private lastT = performance.now();
  private readonly realPods: RealPods;
  private readonly servers: WorkloadServers;
  private readonly pods: WorkloadPods;
  private execServer?: ExecServerHandle;
  private rootDir = '';
  private ownRootDir = false;

  constructor(private readonly opts: KubeletOptions) {
    this.client = new RestClient(opts.kubeconfig);
    const client = this.client;
    const address = this.address;
    this.realPods = new RealPods({
      client,
      nodeName: opts.nodeName,
      address,
      runEtcd: opts.runEtcd === true,
      rootDir: () => this.rootDir,
      stopped: () => this.stopped,
      onReadyChange: (pd) => this.ownerChanged(pd),
    });
    this.servers = new WorkloadServers({
      client,
      address,
      start: opts.startWorkloadServer,
      onWorkloadServer: opts.onWorkloadServer,
      service: (ns) => this.informers[2]?.get(ns, APISERVER_SERVICE),
    });
    this.pods = new WorkloadPods({
      client,
      nodeName: opts.nodeName,
      address,
      isRealPod: (p) => this.realPods.isRealPod(p),
      metrics: opts.metrics,
    });
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
    return this.realPods.pids(namespace, name);
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
      this.informers.push(new Informer(this.client, R.pod, (t, o) => this.realPods.podEvent(t, o as PodLike)));
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
    await this.servers.stopAll();
    await this.execServer?.stop();
    // Real containers end with the kubelet; their pods stay in the API, as a real node's do.
    await this.realPods.stopAll();
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
      resolve: (ns, pod, container) => this.realPods.execTarget(ns, pod, container),
    });
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
            ? this.servers.gone(obj)
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
      const ok = await this.servers.ensure(obj);
      if (!ok) {
        // Secrets or Service not there yet: the engine creates them around the Deployment.
        setTimeout(() => this.schedule('deploy', obj), 300);
        return;
      }
    }
    await this.pods.ensurePods(kind, obj);
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
