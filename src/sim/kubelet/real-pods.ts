// The pods of this node whose containers run as real processes (etcd, with runEtcd): which
// pods qualify, starting one when its Pod appears on this node (or is found again after a
// kubelet restart), stopping it when the Pod goes, waiting for a pod's predecessor of the same
// name to stop first (same ports, same persistent volume), and the exec target for a container.
// Each pod's own runtime is ./pod-runtime.ts.
import { basename } from 'node:path';
import type { RestClient } from '../controllers/rest.js';
import { R, objectPath, type Resource } from '../controllers/resources.js';
import type { ExecContainer, ExecRefusal } from './exec-server.js';
import { RealPod, type ContainerSpec, type PodLike } from './pod-runtime.js';

/** Whether a container is etcd: its command (or, without one, its first arg) runs an etcd binary. */
export function isEtcdContainer(c: ContainerSpec): boolean {
  const argv0 = c.command?.[0] ?? c.args?.[0];
  return argv0 !== undefined && basename(argv0) === 'etcd';
}

export interface RealPodsDeps {
  client: RestClient;
  nodeName: string;
  address: string;
  runEtcd: boolean;
  /** The kubelet's directory (known once it has started). */
  rootDir(): string;
  /** Whether the kubelet is stopping: no pod starts then. */
  stopped(): boolean;
  /** A real pod's Ready condition changed. */
  onReadyChange(pod: PodLike): void;
}

export class RealPods {
  private readonly running = new Map<string, RealPod>();
  private readonly stoppingPods = new Map<string, Promise<void>>();

  constructor(private readonly d: RealPodsDeps) {}

  /** Pids of the real container processes of a pod (empty when none runs). */
  pids(namespace: string, name: string): number[] {
    return this.running.get(`${namespace}/${name}`)?.pids() ?? [];
  }

  /** Stops every real container and waits for each to be gone. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((k) => this.stopRealPod(k)));
    await Promise.all(this.stoppingPods.values());
  }

  execTarget(ns: string, pod: string, container: string): ExecContainer | ExecRefusal {
    const real = this.running.get(`${ns}/${pod}`);
    if (real) return real.execContainer(container);
    const message = `pod ${ns}/${pod} has no process on node ${this.d.nodeName}: its containers are simulated`;
    return { code: 404, reason: 'NotFound', message };
  }

  private readonly runsContainer = (c: ContainerSpec): boolean => this.d.runEtcd && isEtcdContainer(c);

  isRealPod(p: { spec?: { containers?: ContainerSpec[] } }): boolean {
    return (p.spec?.containers ?? []).some((c) => this.runsContainer(c));
  }

  podEvent(type: 'add' | 'update' | 'delete', p: PodLike): void {
    if (this.d.stopped() || p.spec?.nodeName !== this.d.nodeName || !this.isRealPod(p)) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const uid = p.metadata.uid;
    const current = this.running.get(key);
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
    const old = this.running.get(key);
    if (old && old.uid === uid) return;
    if (old) void this.stopRealPod(key);
    const pod = new RealPod(p, {
      rootDir: this.d.rootDir(),
      address: this.d.address,
      runs: this.runsContainer,
      secret: (ns, name) => this.objectData(R.secret, ns, name, 'base64'),
      configMap: (ns, name) => this.objectData(R.configMap, ns, name, 'utf8'),
      patchStatus: async (ns, name, status) => {
        await this.d.client.mergePatch(objectPath(R.pod, name, ns, 'status'), { status });
      },
      onReadyChange: (pd) => this.d.onReadyChange(pd),
    });
    this.running.set(key, pod);
    // The previous pod of this name (same ports, same persistent volume) must be gone first.
    await this.stoppingPods.get(key);
    if (this.d.stopped() || this.running.get(key) !== pod) return;
    pod.start();
  }

  private stopRealPod(key: string): Promise<void> {
    const pod = this.running.get(key);
    if (!pod) return this.stoppingPods.get(key) ?? Promise.resolve();
    this.running.delete(key);
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
    const o = await this.d.client.get(objectPath(res, name, ns));
    if (!o) return undefined;
    const data = (o as { data?: Record<string, string> }).data ?? {};
    const bin = (o as { binaryData?: Record<string, string> }).binaryData ?? {};
    return {
      ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, enc)])),
      ...Object.fromEntries(Object.entries(bin).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    };
  }
}
