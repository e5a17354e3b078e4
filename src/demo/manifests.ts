// The objects a real management cluster and a real backing cluster would hold before an
// experiment: the provider controller Deployments (where clusterctl and BMO put them),
// metrics-server, and a backing cluster's etcd-system. Pure functions.
import type { KubeObject } from '../manifests/types.js';
import type { ControllerId } from '../core/types.js';
import { CONTROLLERS } from '../core/tune/flags.js';
import { seedPatchArgs } from '../engine/tune/seed-patch.js';
import { bmoTestModeArg } from '../engine/setup/bmo.js';

/** The BMO release the demo's Deployment names; its test-mode argument follows it. */
const BMO_VERSION = 'v0.13.2';

const IMAGES: Record<ControllerId, string> = {
  capi: 'registry.k8s.io/cluster-api/cluster-api-controller:v1.14.0',
  'kubeadm-bootstrap': 'registry.k8s.io/cluster-api/kubeadm-bootstrap-controller:v1.14.0',
  kcp: 'registry.k8s.io/cluster-api/kubeadm-control-plane-controller:v1.14.0',
  capm3: 'quay.io/metal3-io/cluster-api-provider-metal3:v1.13.2',
  ipam: 'quay.io/metal3-io/ip-address-manager:v1.13.2',
  bmo: `quay.io/metal3-io/baremetal-operator:${BMO_VERSION}`,
};

function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function deployment(
  ns: string,
  name: string,
  container: string,
  image: string,
  args: string[],
  labels: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: container, image, args }] } },
    },
  };
}

/** Extra args per controller, e.g. the seed's §10 tuning for a fast 1000-cluster run. */
export type InitialArgs = Partial<Record<ControllerId, string[]>>;

export function managementObjects(extraArgs: InitialArgs = {}): KubeObject[] {
  const out: KubeObject[] = [];
  const seen = new Set<string>();
  for (const [id, spec] of Object.entries(CONTROLLERS) as Array<[ControllerId, (typeof CONTROLLERS)[ControllerId]]>) {
    if (!seen.has(spec.namespace)) {
      out.push(namespace(spec.namespace));
      seen.add(spec.namespace);
    }
    const base =
      id === 'bmo'
        ? [bmoTestModeArg(BMO_VERSION), '--health-addr=:9440']
        : ['--leader-elect', '--diagnostics-address=:8443'];
    out.push(
      deployment(spec.namespace, spec.deployment, spec.container, IMAGES[id], [...base, ...(extraArgs[id] ?? [])], {
        'control-plane': 'controller-manager',
        'app.kubernetes.io/name': spec.deployment,
      }),
    );
  }
  out.push(namespace('kube-system'));
  out.push(
    deployment(
      'kube-system',
      'metrics-server',
      'metrics-server',
      'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
      ['--kubelet-insecure-tls', '--secure-port=10250'],
      { 'k8s-app': 'metrics-server' },
    ),
  );
  return out;
}

/** What setup-backing-cluster.sh leaves in a backing cluster: etcd-system with one etcd. */
export function backingObjects(): KubeObject[] {
  const labels = { app: 'etcd' };
  return [
    namespace('etcd-system'),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'etcd', namespace: 'etcd-system', labels },
      spec: {
        replicas: 1,
        serviceName: 'etcd',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'etcd',
                image: 'registry.k8s.io/etcd:3.6.4-0',
                args: ['--client-cert-auth', '--auth-token=simple'],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'etcd-server', namespace: 'etcd-system', labels },
      spec: { selector: labels, ports: [{ name: 'client', port: 2379, targetPort: 2379 }] },
    },
  ];
}

/**
 * The seed's §10 patch as flags (concurrency 100 on CAPI's Cluster, Machine, MachineSet and
 * MachineDeployment reconcilers, CABPK and KCP; QPS 200, burst 300), from the same table
 * `scale-tui tune --seed-patch` applies.
 */
export const SEED_PATCH_ARGS: InitialArgs = seedPatchArgs();
