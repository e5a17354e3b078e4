// One strategy interface for where a workload cluster's pieces live (DESIGN.md §3).
// The create pipeline is shared; a topology only answers "where" and "how reached".
import type { KubeClient } from '../../core/kube/client.js';
import type { PlacementTarget } from '../allocate/allocate.js';
import type { Topology } from '../../core/types.js';

/** The part of the etcd engineer's EtcdAdmin the pipeline uses (structural, so any implementation fits). */
export interface EtcdTenantAdmin {
  ensureTenant(cluster: string): Promise<void>;
  deleteTenant(cluster: string): Promise<{ deletedKeys: number }>;
}

/** A Kubernetes cluster that hosts workload API servers: the management cluster or a backing cluster. */
export interface Site {
  /** 'management' or the backing cluster's name. */
  name: string;
  client: KubeClient;
  etcd?: EtcdTenantAdmin;
  /** Host at which this site's NodePorts are reachable (node IP; 127.0.0.1 for the embedded cluster). */
  nodeHost: string;
  capacity?: number;
}

export const MANAGEMENT_SITE = 'management';

export interface ClusterPlace {
  name: string;
  number: number;
  /** Namespace of the cluster objects in the management cluster. */
  namespace: string;
  placement?: string;
}

export interface TopologyStrategy {
  readonly name: Topology;
  /** Namespace in the management cluster that holds this cluster's objects. */
  namespaceFor(cluster: string, placement: string | undefined): string;
  /** Candidate placements (backing clusters, shard namespaces); undefined = no placement. */
  placementTargets(used: Map<string, number>): PlacementTarget[] | undefined;
  /** Where this cluster's own kube-apiserver runs; undefined = one shared API (shared, sharded). */
  apiserverSite(c: ClusterPlace): Site | undefined;
  /** Whether the cluster has its own etcd tenant / workload API (certificate-expiry annotation is safe then). */
  readonly dedicatedApi: boolean;
  /**
   * Extra setup (shard KCP Deployments, a running farm, a provider check), at the engine's start
   * and again before each batch, resume and retry, since `delete --all`'s teardown() removes
   * what it made. Idempotent, and a few reads at most when nothing is missing.
   */
  setup(): Promise<void>;
  /** Removes what setup() added once no cluster is left. Idempotent. */
  teardown(): Promise<void>;
  /** Whether the namespace is shared by several clusters (sharded): then it is not deleted per cluster. */
  readonly sharedNamespace: boolean;
  /** Stops what the strategy runs in this process (the farm topology's in-process farm). */
  close?(): Promise<void>;
}
