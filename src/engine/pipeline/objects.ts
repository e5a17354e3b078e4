// What the pipeline asks for, per cluster, from the manifest generators and the PKI.
// Kept as an interface so the pipeline does not care how objects are rendered; the
// default implementation (default-objects.ts) binds src/manifests and src/engine/pki.
import type { KubeObject } from '../../manifests/types.js';
import type { Topology } from '../../core/types.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ClusterSpec {
  runId: string;
  batchId: string;
  topology: Topology;
  cluster: string;
  number: number;
  /** Namespace of the cluster objects in the management cluster. */
  namespace: string;
  /** What CAPI dials (Cluster.spec.controlPlaneEndpoint); its host is a SAN of the serving cert. */
  endpoint: Endpoint;
  /** Namespace of the apiserver Deployment at its site (dedicated/backing), if any. */
  apiserverNamespace?: string;
  /** Service type of the per-cluster apiserver. */
  serviceType: 'ClusterIP' | 'NodePort';
  /** Fixed NodePort (nodeport reach) so the endpoint is known before the Service exists. */
  nodePort?: number;
}

export interface WorkloadContent {
  /** Node, kubeadm-config ConfigMap, mirror Pods: created in this order. */
  objects: KubeObject[];
  /** Status written through the status subresource after creation (Node, mirror Pods). */
  statuses: Array<{ kind: 'Pod' | 'Node'; namespace?: string; name: string; status: unknown }>;
}

export interface ObjectSource {
  /** Management objects in creation order: namespace, BMC Secret + BMH, PKI Secrets, cluster objects. */
  management(spec: ClusterSpec): Promise<KubeObject[]>;
  /** Objects at the apiserver site: namespace, Secrets the apiserver mounts, Service, Deployment. */
  apiserver(spec: ClusterSpec): Promise<KubeObject[]>;
  /** Admin kubeconfig for the engine's own writes into the workload API at `server`. */
  adminKubeconfig(spec: ClusterSpec, server: string): Promise<string>;
  /** Content written into the workload API once the Machine and its BMH are known. */
  workload(spec: ClusterSpec, machine: { name: string; bmhUid: string }): WorkloadContent;
  /** RFC 3339 notAfter of the serving certificate actually minted for this cluster (SEED §15.16). */
  servingCertExpiry(spec: ClusterSpec): Promise<string>;
  /**
   * The cluster's CA and etcd CA with their keys (what `<cluster>-ca`/`<cluster>-etcd` carry),
   * for a workload API served elsewhere (the farm) that mints its certificates from them.
   */
  clusterCas?(spec: ClusterSpec): Promise<{ ca: { cert: string; key: string }; etcdCa: { cert: string; key: string } }>;
  /** Drops what the source kept for a deleted cluster (its key material in the state dir). */
  forget?(cluster: string): void;
}
