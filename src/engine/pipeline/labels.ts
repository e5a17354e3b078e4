// The label the per-cluster kube-apiserver Deployment carries (the simulated kubelet and
// the engine's Deployment informer both select on it).
export const LABEL_COMPONENT = 'scale-tui.metal3.io/component';
export const WORKLOAD_APISERVER = 'workload-apiserver';
export const LABEL_COMPONENT_WORKLOAD_APISERVER = `${LABEL_COMPONENT}=${WORKLOAD_APISERVER}`;
