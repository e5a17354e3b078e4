// The Kubernetes built-in kinds the embedded server serves. Shared (read-only) by all instances.
import { makeType, type ResourceType } from './resource.js';

const READ_ONLY = ['get', 'list'];

/** An apps/v1 workload with a /scale subresource (Deployment, StatefulSet, ReplicaSet): one shape. */
function scalableWorkload(kind: string, plural: string, shortName: string): ResourceType {
  return makeType({
    group: 'apps',
    version: 'v1',
    kind,
    plural,
    namespaced: true,
    shortNames: [shortName],
    status: true,
    categories: ['all'],
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  });
}

let cached: ResourceType[] | undefined;

export function builtinKinds(): ResourceType[] {
  cached ??= [
    makeType({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      status: true,
    }),
    makeType({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
    }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      status: true,
      categories: ['all'],
    }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'Endpoints',
      plural: 'endpoints',
      namespaced: true,
      shortNames: ['ep'],
    }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      namespaced: true,
      shortNames: ['sa'],
    }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      shortNames: ['po'],
      status: true,
      categories: ['all'],
      extraSubresources: ['log', 'exec'],
    }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      status: true,
    }),
    makeType({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] }),
    makeType({
      group: '',
      version: 'v1',
      kind: 'PersistentVolumeClaim',
      plural: 'persistentvolumeclaims',
      namespaced: true,
      shortNames: ['pvc'],
      status: true,
    }),
    makeType({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
    }),
    scalableWorkload('Deployment', 'deployments', 'deploy'),
    scalableWorkload('StatefulSet', 'statefulsets', 'sts'),
    scalableWorkload('ReplicaSet', 'replicasets', 'rs'),
    makeType({
      group: 'apps',
      version: 'v1',
      kind: 'DaemonSet',
      plural: 'daemonsets',
      namespaced: true,
      shortNames: ['ds'],
      status: true,
      categories: ['all'],
    }),
    makeType({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true }),
    makeType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'RoleBinding',
      plural: 'rolebindings',
      namespaced: true,
    }),
    makeType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'ClusterRole',
      plural: 'clusterroles',
      namespaced: false,
    }),
    makeType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'ClusterRoleBinding',
      plural: 'clusterrolebindings',
      namespaced: false,
    }),
    makeType({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
    makeType({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      status: true,
      categories: ['api-extensions'],
    }),
    makeType({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      kind: 'PodMetrics',
      plural: 'pods',
      namespaced: true,
      verbs: READ_ONLY,
      virtual: true,
    }),
    makeType({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      kind: 'NodeMetrics',
      plural: 'nodes',
      namespaced: false,
      verbs: READ_ONLY,
      virtual: true,
    }),
  ];
  return cached;
}
