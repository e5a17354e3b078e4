// REST paths for the kinds the emulated controllers touch. CAPI and CAPM3 at their storage
// version v1beta2 (CAPI v1.14, CAPM3 v1.13), BMO at v1alpha1 (v0.13).
export interface Resource {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

function r(apiVersion: string, kind: string, plural: string, namespaced = true): Resource {
  return { apiVersion, kind, plural, namespaced };
}

export const CAPI = 'cluster.x-k8s.io/v1beta2';
export const CAPM3 = 'infrastructure.cluster.x-k8s.io/v1beta2';
export const KCP_API = 'controlplane.cluster.x-k8s.io/v1beta2';
export const CABPK_API = 'bootstrap.cluster.x-k8s.io/v1beta2';
export const BMO_API = 'metal3.io/v1alpha1';

export const R = {
  cluster: r(CAPI, 'Cluster', 'clusters'),
  machine: r(CAPI, 'Machine', 'machines'),
  machineDeployment: r(CAPI, 'MachineDeployment', 'machinedeployments'),
  machineSet: r(CAPI, 'MachineSet', 'machinesets'),
  kubeadmConfigTemplate: r(CABPK_API, 'KubeadmConfigTemplate', 'kubeadmconfigtemplates'),
  metal3DataTemplate: r(CAPM3, 'Metal3DataTemplate', 'metal3datatemplates'),
  kcp: r(KCP_API, 'KubeadmControlPlane', 'kubeadmcontrolplanes'),
  kubeadmConfig: r(CABPK_API, 'KubeadmConfig', 'kubeadmconfigs'),
  metal3Cluster: r(CAPM3, 'Metal3Cluster', 'metal3clusters'),
  metal3Machine: r(CAPM3, 'Metal3Machine', 'metal3machines'),
  metal3MachineTemplate: r(CAPM3, 'Metal3MachineTemplate', 'metal3machinetemplates'),
  metal3DataClaim: r(CAPM3, 'Metal3DataClaim', 'metal3dataclaims'),
  metal3Data: r(CAPM3, 'Metal3Data', 'metal3datas'),
  bmh: r(BMO_API, 'BareMetalHost', 'baremetalhosts'),
  secret: r('v1', 'Secret', 'secrets'),
  event: r('v1', 'Event', 'events'),
  configMap: r('v1', 'ConfigMap', 'configmaps'),
  node: r('v1', 'Node', 'nodes', false),
  pod: r('v1', 'Pod', 'pods'),
  service: r('v1', 'Service', 'services'),
  deployment: r('apps/v1', 'Deployment', 'deployments'),
  statefulSet: r('apps/v1', 'StatefulSet', 'statefulsets'),
} as const;

function prefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Collection path; all namespaces when namespace is undefined. */
export function collectionPath(res: Resource, namespace?: string): string {
  if (res.namespaced && namespace) return `${prefix(res.apiVersion)}/namespaces/${namespace}/${res.plural}`;
  return `${prefix(res.apiVersion)}/${res.plural}`;
}

export function objectPath(res: Resource, name: string, namespace?: string, sub?: 'status'): string {
  return `${collectionPath(res, namespace)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

/** A CAPI object reference (spec.controlPlaneRef, infrastructureRef, bootstrap.configRef). */
export interface Ref {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

export function resourceFor(ref: Ref | undefined): Resource | undefined {
  switch (ref?.kind) {
    case 'KubeadmControlPlane':
      return R.kcp;
    case 'Metal3Cluster':
      return R.metal3Cluster;
    case 'Metal3Machine':
      return R.metal3Machine;
    case 'KubeadmConfig':
      return R.kubeadmConfig;
    case 'Metal3MachineTemplate':
      return R.metal3MachineTemplate;
    case 'KubeadmConfigTemplate':
      return R.kubeadmConfigTemplate;
    default:
      return undefined;
  }
}
