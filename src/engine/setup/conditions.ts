// Readiness conditions setup and attach wait on, phrased as "why not yet" strings.
import type { KubeObject } from '../../manifests/types.js';
import type { ObjectReader } from '../../core/kube/object-reader.js';
import { rolloutPending, type DeploymentLike } from '../../core/tune/rollout.js';

export interface SetupKube extends ObjectReader {
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts?: { namespace?: string; labelSelector?: string },
  ): Promise<T[]>;
  mergePatch(obj: KubeObject): Promise<KubeObject>;
  createOrSkip(obj: KubeObject): Promise<boolean>;
}

export async function deploymentPending(kube: SetupKube, namespace: string, name: string): Promise<string | undefined> {
  const d = await kube.get<DeploymentLike>('apps/v1', 'Deployment', name, namespace);
  if (!d) return `Deployment ${namespace}/${name} does not exist`;
  const reason = rolloutPending(d, (d.metadata as { generation?: number }).generation ?? 0);
  if (reason) return `Deployment ${namespace}/${name}: ${reason}`;
  const available = d.status?.conditions?.find((c) => c.type === 'Available');
  if (available && available.status !== 'True')
    return `Deployment ${namespace}/${name} not Available: ${available.message ?? available.reason ?? ''}`.trim();
  return undefined;
}

export async function crdPending(kube: SetupKube, name: string): Promise<string | undefined> {
  const crd = await kube.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    name,
  );
  if (!crd) return `CRD ${name} does not exist`;
  const est = crd.status?.conditions?.find((c) => c.type === 'Established');
  // Servers that do not report conditions (none we know of) count as established once the CRD exists.
  if (est && est.status !== 'True') return `CRD ${name} not Established yet`;
  return undefined;
}

export async function containerArgs(
  kube: SetupKube,
  namespace: string,
  name: string,
  container: string,
): Promise<string[] | undefined> {
  const d = await kube.get<DeploymentLike>('apps/v1', 'Deployment', name, namespace);
  return d?.spec?.template?.spec?.containers?.find((c) => c.name === container)?.args;
}

export const CERT_MANAGER = {
  namespace: 'cert-manager',
  deployments: ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'],
} as const;
export const METRICS_SERVER = {
  namespace: 'kube-system',
  deployment: 'metrics-server',
  container: 'metrics-server',
} as const;
export const PROVIDER_CRDS = [
  'clusters.cluster.x-k8s.io',
  'machines.cluster.x-k8s.io',
  'kubeadmconfigs.bootstrap.cluster.x-k8s.io',
  'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io',
  'metal3clusters.infrastructure.cluster.x-k8s.io',
  'metal3machines.infrastructure.cluster.x-k8s.io',
  'ippools.ipam.metal3.io',
  'baremetalhosts.metal3.io',
] as const;
