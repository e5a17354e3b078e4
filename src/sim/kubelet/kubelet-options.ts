// What a Kubelet is given: its options (node name and address, kubelet port, runEtcd, the
// directory for volumes and logs), the ports it reports through (pod and node metrics, workload
// API server start/stop), how it starts a workload API server, and the labels and Service
// name that mark a cluster's workload API server Deployment.
import type { KubeConfig } from '@kubernetes/client-node';
import type { CertKeyPair } from '../../core/pki/index.js';

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
  /**
   * The cluster's `<cluster>-etcd` CA when its Secret carries the key: a farm workload host
   * serves the fake etcd (through pod port-forward) with certificates from it, so KCP's etcd
   * client certificate, minted from the same Secret, is trusted.
   */
  etcdCa?: CertKeyPair;
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
