// The labels that mark what scale-tui created. Delete paths select on MANAGED_BY only,
// so objects we did not create (e.g. a user's own namespace `test-3`) are never touched.
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'scale-tui';
export const LABEL_RUN = 'scale-tui.metal3.io/run';
export const LABEL_CLUSTER = 'scale-tui.metal3.io/cluster';
export const LABEL_BATCH = 'scale-tui.metal3.io/batch';
/** CAPI's own label; CAPI v1beta2 requires it on user-provided certificate Secrets. */
export const LABEL_CAPI_CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';

export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`;

export interface Ownership {
  runId: string;
  cluster?: string;
  batchId?: string;
}

export function ownershipLabels(o: Ownership): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_RUN]: o.runId };
  if (o.cluster) labels[LABEL_CLUSTER] = o.cluster;
  if (o.batchId) labels[LABEL_BATCH] = o.batchId;
  return labels;
}

/** What an infrastructure object is for; the demo's simulated kubelet finds workload API servers by it. */
export const LABEL_COMPONENT = 'scale-tui.metal3.io/component';
export const COMPONENT_WORKLOAD_APISERVER = 'workload-apiserver';
export const COMPONENT_ETCD = 'etcd';
