// Starts the simulated world without the engine: one management API with the provider
// controller Deployments, the emulated controllers, K backing clusters (each its own API
// instance with etcd-system and an in-memory multi-tenant etcd), and a simulated
// kubelet per API instance that brings Deployments up and runs the workload API servers.
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../manifests/types.js';
import { RestClient } from '../sim/controllers/rest.js';
import { startControllers, type RunningControllers } from '../sim/controllers/index.js';
import type { PodSink } from '../sim/controllers/runtime.js';
import { Kubelet, type StartWorkloadServer } from '../sim/kubelet/kubelet.js';
import { MemoryEtcd } from '../sim/etcd-memory/memory-etcd.js';
import { createWorkloadFarm } from '../sim/farm/workload-host.js';
import { DEFAULT_COST_MODEL, type CostModel } from '../sim/cost-model/model.js';
import { backingObjects, managementObjects, type InitialArgs } from './manifests.js';

/** The subset of src/sim/apiserver's handle the demo uses. */
export interface SimApiServer {
  url: string;
  port: number;
  kubeconfigYaml: string;
  metrics: {
    setPodMetrics(
      ns: string,
      pod: string,
      containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>,
    ): void;
    setNodeMetrics(node: string, cpuMillicores: number, memoryBytes: number): void;
  };
  logs: { append(ns: string, pod: string, container: string, line: string): void };
  /** pods/proxy targets, when the server runs in this process. */
  podNetwork?: {
    servePort(
      ns: string,
      pod: string,
      port: number,
      target: { host: string; port: number; scheme: 'http' | 'https' },
    ): void;
    release(ns: string, pod: string, port: number): void;
  };
  stop(): Promise<void>;
}

export interface StartApiServerOptions {
  name?: string;
  port?: number;
  builtinCrds?: boolean;
  tls?: { certPem: string; keyPem: string; clientCaPem?: string };
}

export type StartApiServer = (opts: StartApiServerOptions) => Promise<SimApiServer>;

export interface SimulationOptions {
  startApiServer: StartApiServer;
  backing: number;
  model?: CostModel;
  /** Extra controller args (e.g. the seed's §10 tuning). */
  args?: InitialArgs;
}

export interface BackingSim {
  name: string;
  api: SimApiServer;
  etcd: MemoryEtcd;
  kubelet: Kubelet;
}

export interface Simulation {
  management: SimApiServer;
  managementKubelet: Kubelet;
  controllers: RunningControllers;
  backing: BackingSim[];
  /** Workload API servers running now, over all backing clusters. */
  workloadServers(): number;
  stop(): Promise<void>;
}

function kubeConfigOf(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}

async function apply(kc: KubeConfig, objects: KubeObject[]): Promise<void> {
  const client = new RestClient(kc);
  try {
    for (const o of objects) {
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
      const plural = `${o.kind.toLowerCase()}s`;
      const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const path = o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`;
      await client.create(path, o);
    }
  } finally {
    client.close();
  }
}

function sinkOf(api: SimApiServer): PodSink {
  return {
    appendLog: (ns, pod, container, line) => api.logs.append(ns, pod, container, line),
    setPodMetrics: (ns, pod, containers) => api.metrics.setPodMetrics(ns, pod, containers),
    // The controllers' diagnostics ports, reachable through the API server's pod proxy.
    servePort: (ns, pod, port, target) => api.podNetwork?.servePort(ns, pod, port, target),
    releasePort: (ns, pod, port) => api.podNetwork?.release(ns, pod, port),
  };
}

export async function startSimulation(opts: SimulationOptions): Promise<Simulation> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const management = await opts.startApiServer({ name: 'management' });
    stops.push(() => management.stop());
    const mgmtKc = kubeConfigOf(management.kubeconfigYaml);
    await apply(mgmtKc, managementObjects(opts.args));
    const managementKubelet = new Kubelet({
      kubeconfig: mgmtKc,
      nodeName: 'kind-control-plane',
      metrics: management.metrics,
    });
    await managementKubelet.start();
    stops.push(() => managementKubelet.stop());

    // Workload APIs are served by the farm (one light server per cluster, shared metrics and
    // port-forward), not by one embedded API server instance each.
    const workloadFarm = createWorkloadFarm();
    stops.push(() => workloadFarm.close());
    const startWorkload: StartWorkloadServer = workloadFarm.startWorkload;
    const backing = await Promise.all(
      Array.from({ length: opts.backing }, async (_, i): Promise<BackingSim> => {
        const name = `backing-${i + 1}`;
        const api = await opts.startApiServer({ name, builtinCrds: false });
        stops.push(() => api.stop());
        const kc = kubeConfigOf(api.kubeconfigYaml);
        await apply(kc, backingObjects());
        const etcd = new MemoryEtcd();
        await etcd.ensureRoot();
        const kubelet = new Kubelet({
          kubeconfig: kc,
          nodeName: `${name}-control-plane`,
          startWorkloadServer: startWorkload,
          metrics: api.metrics,
        });
        await kubelet.start();
        stops.push(() => kubelet.stop());
        return { name, api, etcd, kubelet };
      }),
    );

    const controllers = await startControllers({
      kubeconfig: mgmtKc,
      model: opts.model ?? DEFAULT_COST_MODEL,
      sink: sinkOf(management),
    });
    stops.push(() => controllers.stop());
    return {
      management,
      managementKubelet,
      controllers,
      backing,
      workloadServers: () => backing.reduce((n, b) => n + b.kubelet.workloadServers, 0),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
