// Everything a per-cluster create or delete needs, handed in by the Engine.
import type { KubeObject } from '../../manifests/types.js';
import type { ExperimentConfig } from '../config/schema.js';
import type { KubeClient } from '../../core/kube/client.js';
import type { ForwardSupervisor } from '../forward/supervisor.js';
import type { Informer } from '../../core/kube/informer.js';
import type { Site, TopologyStrategy } from '../topology/types.js';
import type { Phase } from '../../core/types.js';
import type { ObjectSource } from './objects.js';
import type { WorkloadReach } from './reach.js';

export interface ManagementWatches {
  cluster: Informer;
  kcp: Informer;
  machine: Informer;
  m3m: Informer;
  bmh: Informer;
  namespace: Informer;
}

export interface Timeouts {
  /** Waiting for a controller (host, machine, association, init, ready). */
  controllerMs: number;
  /** Waiting for the apiserver Deployment and its API to answer. */
  apiMs: number;
  /** Waiting for CAPI to finish deleting a Cluster, and namespaces to go. */
  deleteMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { controllerMs: 10 * 60_000, apiMs: 5 * 60_000, deleteMs: 10 * 60_000 };

export interface PipelineContext {
  config: ExperimentConfig;
  runId: string;
  topology: TopologyStrategy;
  management: Site;
  sites: Map<string, Site>;
  objects: ObjectSource;
  watches: ManagementWatches;
  /** Deployment informers per site (workload-apiserver label), for "apiserver available". */
  deployments(site: Site): Informer;
  namespaces(site: Site): Informer;
  reach: WorkloadReach;
  forwards: ForwardSupervisor;
  timeouts: Timeouts;
  signal: AbortSignal;
  record(cluster: string, phase: Phase, failure?: { step: string; reason: string }): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Workload clients are made from an admin kubeconfig; injectable for tests. */
  workloadClient(kubeconfigYaml: string): KubeClient;
  /** Writes one object, create-or-skip; counted for the request benchmark. */
  create(client: KubeClient, obj: KubeObject): Promise<boolean>;
}
