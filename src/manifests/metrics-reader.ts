// The identity scale-tui reads secure controller /metrics endpoints with: a ServiceAccount,
// a ClusterRole granting only `get` on the non-resource URL /metrics (what controller-runtime's
// WithAuthenticationAndAuthorization filter asks SubjectAccessReview about), and the binding
// between them. All three carry the managed-by label and their own component label, so the
// delete path selects exactly these and nothing a user made.
import { LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY_VALUE } from './labels.js';

export const METRICS_READER_NAME = 'scale-tui-metrics-reader';
export const COMPONENT_METRICS_READER = 'metrics-reader';
export const METRICS_READER_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_COMPONENT}=${COMPONENT_METRICS_READER}`;

export interface MetricsReaderObjects {
  serviceAccount: Record<string, unknown>;
  clusterRole: Record<string, unknown>;
  clusterRoleBinding: Record<string, unknown>;
}

export function metricsReaderObjects(namespace: string, name = METRICS_READER_NAME): MetricsReaderObjects {
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_COMPONENT]: COMPONENT_METRICS_READER };
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    clusterRole: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
    },
    clusterRoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  };
}
