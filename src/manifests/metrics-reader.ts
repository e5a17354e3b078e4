// The identity scale-tui reads secure controller /metrics endpoints with: a ServiceAccount,
// a ClusterRole granting `get` on the non-resource URL /metrics (what controller-runtime's
// WithAuthenticationAndAuthorization filter asks SubjectAccessReview about), and the binding
// between them. Live verbosity (`tune --verbosity`) asks for a role that may also `put`
// /debug/flags/v, CAPI's live klog level; the metrics scrape never does. All three carry the managed-by label and their own component label, so the
// delete path selects exactly these and nothing a user made.
import { LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY_VALUE } from './labels.js';

/** 'metrics': get /metrics only; 'verbosity': also put /debug/flags/v. Each has its own name and label. */
export type DiagnosticsPurpose = 'metrics' | 'verbosity';

export const METRICS_READER_NAME = 'scale-tui-metrics-reader';
const NAMES: Record<DiagnosticsPurpose, string> = {
  metrics: METRICS_READER_NAME,
  verbosity: 'scale-tui-verbosity-writer',
};
const COMPONENTS: Record<DiagnosticsPurpose, string> = { metrics: 'metrics-reader', verbosity: 'verbosity-writer' };

export function diagnosticsAccountName(purpose: DiagnosticsPurpose): string {
  return NAMES[purpose];
}

/** Selects exactly the objects made for this purpose (the delete path uses nothing else). */
export function diagnosticsAccountSelector(purpose: DiagnosticsPurpose): string {
  return `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_COMPONENT}=${COMPONENTS[purpose]}`;
}

export interface MetricsReaderObjects {
  serviceAccount: Record<string, unknown>;
  clusterRole: Record<string, unknown>;
  clusterRoleBinding: Record<string, unknown>;
}

export const DEBUG_FLAGS_RULE = { nonResourceURLs: ['/debug/flags/v'], verbs: ['put'] };

export function metricsReaderObjects(namespace: string, purpose: DiagnosticsPurpose = 'metrics'): MetricsReaderObjects {
  const name = NAMES[purpose];
  const withDebugFlags = purpose === 'verbosity';
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_COMPONENT]: COMPONENTS[purpose] };
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    clusterRole: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }, ...(withDebugFlags ? [DEBUG_FLAGS_RULE] : [])],
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
