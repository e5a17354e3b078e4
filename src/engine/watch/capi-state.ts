// Reads CAPI / CAPM3 / BMO facts from watched objects. Accepts both the v1beta2 shapes
// (CAPI v1.14, CAPM3 v1.13) and the v1beta1 ones, so the same engine follows older
// controllers and the emulated ones.
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CAPI_CLUSTER_NAME } from '../../manifests/labels.js';

export const API = {
  cluster: { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster' },
  machine: { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine' },
  kcp: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlane' },
  kubeadmConfig: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfig' },
  m3m: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2', kind: 'Metal3Machine' },
  bmh: { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost' },
  namespace: { apiVersion: 'v1', kind: 'Namespace' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
} as const;

export const BMH_ANNOTATION = 'metal3.io/BareMetalHost';
export const EXPIRY_ANNOTATION = 'machine.cluster.x-k8s.io/certificates-expiry';

type Obj = KubeObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };

interface Condition {
  type?: string;
  status?: string;
}

function conditions(o: Obj): Condition[] {
  const st = o.status ?? {};
  const direct = Array.isArray(st.conditions) ? (st.conditions as Condition[]) : [];
  const dep = (st.deprecated as { v1beta1?: { conditions?: Condition[] } } | undefined)?.v1beta1?.conditions ?? [];
  return [...direct, ...dep];
}

export function conditionTrue(o: Obj, type: string): boolean {
  return conditions(o).some((c) => c.type === type && c.status === 'True');
}

export function clusterLabel(o: KubeObject): string | undefined {
  return o.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME];
}

/** BMO test mode: registering -> inspecting -> available; provisioned once CAPM3 deploys. */
export function hostAvailable(bmh: Obj): boolean {
  const state = (bmh.status?.provisioning as { state?: string } | undefined)?.state;
  return state === 'available' || state === 'provisioning' || state === 'provisioned' || state === 'ready';
}

/** The control-plane Machine of `cluster` in `namespace`, if it exists. */
export function isControlPlaneMachine(m: KubeObject, namespace: string, cluster: string): boolean {
  return (
    m.metadata.namespace === namespace &&
    clusterLabel(m) === cluster &&
    !(m.metadata as { deletionTimestamp?: string }).deletionTimestamp
  );
}

/** An M3M is associated once CAPM3 has recorded the BMH it took (annotation) or reports AssociateBMH. */
export function associatedHost(m3m: Obj): { namespace: string; name: string } | undefined {
  const ann = m3m.metadata.annotations?.[BMH_ANNOTATION];
  if (ann?.includes('/')) {
    const [ns, name] = ann.split('/', 2) as [string, string];
    return { namespace: ns, name };
  }
  if (ann) return { namespace: m3m.metadata.namespace ?? '', name: ann };
  return undefined;
}

export function kcpInitialized(kcp: Obj): boolean {
  const st = kcp.status ?? {};
  const init = (st.initialization as { controlPlaneInitialized?: boolean } | undefined)?.controlPlaneInitialized;
  return (
    init === true ||
    st.initialized === true ||
    conditionTrue(kcp, 'Initialized') ||
    conditionTrue(kcp, 'ControlPlaneInitialized')
  );
}

export function kcpReady(kcp: Obj): boolean {
  const st = kcp.status ?? {};
  const ready = typeof st.readyReplicas === 'number' ? st.readyReplicas : 0;
  return ready >= 1 || st.ready === true;
}

export function clusterReady(cluster: Obj): boolean {
  return (
    conditionTrue(cluster, 'Available') ||
    conditionTrue(cluster, 'Ready') ||
    (cluster.status?.phase === 'Provisioned' && conditionTrue(cluster, 'ControlPlaneReady'))
  );
}

export function deploymentAvailable(d: Obj): boolean {
  const st = d.status ?? {};
  return (typeof st.availableReplicas === 'number' && st.availableReplicas >= 1) || conditionTrue(d, 'Available');
}

export function machineProviderId(m: Obj): string | undefined {
  const id = m.spec?.providerID;
  return typeof id === 'string' && id ? id : undefined;
}
