// KCP's look into the workload cluster, behind one function (checkControlPlaneHealth) so a
// different way of reaching etcd and certificates (port-forward to the etcd pods, as real
// KCP does) is a change to this file only.
//
// What upstream KCP v1.14 reads on each reconcile (controlplane/kubeadm/internal/workload):
// - kube-system/kubeadm-config exists: the control plane is initialized;
// - per control-plane Machine, its Node and the static pods kube-apiserver-<node>,
//   kube-controller-manager-<node>, kube-scheduler-<node> and, with stacked etcd, etcd-<node>:
//   a pod is healthy when its Ready condition is True (a Running pod that is not Ready is
//   not healthy);
// - etcd members (through an etcd client over port-forward). Here the member check reads the
//   etcd pod's Ready condition: the embedded farm's etcd pods are Ready exactly when their
//   member serves. That is the part the port-forward change replaces.
// - the API server certificate's expiry, once per Machine, recorded as the
//   machine.cluster.x-k8s.io/certificates-expiry annotation on its KubeadmConfig.
import tls from 'node:tls';
import type { RestClient } from './rest.js';
import { R, collectionPath, objectPath } from './resources.js';
import { condition, field, type Obj } from './helpers.js';

export const MACHINE_POD_CONDITIONS = {
  'kube-apiserver': 'APIServerPodHealthy',
  'kube-controller-manager': 'ControllerManagerPodHealthy',
  'kube-scheduler': 'SchedulerPodHealthy',
  etcd: 'EtcdPodHealthy',
} as const;

export interface MachineHealth {
  nodeName?: string;
  nodeReady: boolean;
  /** Machine condition type (APIServerPodHealthy, ...) -> healthy. */
  conditions: Record<string, boolean>;
}

export interface ControlPlaneHealth {
  /** The workload API answered. */
  reachable: boolean;
  initialized: boolean;
  machines: Map<string, MachineHealth>;
  /** Every machine's control-plane pods Ready. */
  componentsHealthy: boolean;
  /** Every machine's etcd member healthy (always true with external etcd). */
  etcdHealthy: boolean;
}

export interface HealthInput {
  workload: RestClient;
  machines: Obj[];
  externalEtcd: boolean;
  alreadyInitialized: boolean;
}

const podReady = (pod: Obj | undefined): boolean => condition(pod, 'Ready')?.status === 'True';

/** One pass over the workload cluster, as KCP's reconcile does. Throws when the API does not answer. */
export async function checkControlPlaneHealth(input: HealthInput): Promise<ControlPlaneHealth> {
  const { workload, machines, externalEtcd } = input;
  const initialized =
    input.alreadyInitialized || Boolean(await workload.get(objectPath(R.configMap, 'kubeadm-config', 'kube-system')));
  const result: ControlPlaneHealth = {
    reachable: true,
    initialized,
    machines: new Map(),
    componentsHealthy: false,
    etcdHealthy: false,
  };
  if (!initialized) return result;
  const nodes = (await workload.list(collectionPath(R.node), 'node-role.kubernetes.io/control-plane')).items as Obj[];
  const pods = (await workload.list(collectionPath(R.pod, 'kube-system'), 'tier=control-plane')).items as Obj[];
  const components = Object.keys(MACHINE_POD_CONDITIONS).filter((c) => !(externalEtcd && c === 'etcd')) as Array<
    keyof typeof MACHINE_POD_CONDITIONS
  >;
  for (const m of machines) {
    const nodeName = field<string>(m, 'status', 'nodeRef', 'name');
    const node = nodes.find((n) => n.metadata.name === nodeName);
    const h: MachineHealth = {
      nodeName,
      nodeReady: condition(node, 'Ready')?.status === 'True',
      conditions: {},
    };
    for (const comp of components) {
      const pod = node ? pods.find((p) => p.metadata.name === `${comp}-${node.metadata.name}`) : undefined;
      h.conditions[MACHINE_POD_CONDITIONS[comp]] = podReady(pod);
    }
    if (!externalEtcd) h.conditions.EtcdMemberHealthy = h.conditions.EtcdPodHealthy === true;
    h.conditions.NodeKubeadmLabelsAndTaintsSet = Boolean(
      node?.metadata.labels && 'node-role.kubernetes.io/control-plane' in node.metadata.labels,
    );
    result.machines.set(m.metadata.name, h);
  }
  const all = [...result.machines.values()];
  result.componentsHealthy =
    all.length > 0 &&
    all.every((h) =>
      ['APIServerPodHealthy', 'ControllerManagerPodHealthy', 'SchedulerPodHealthy'].every((c) => h.conditions[c]),
    );
  result.etcdHealthy = externalEtcd || (all.length > 0 && all.every((h) => h.conditions.EtcdMemberHealthy));
  return result;
}

/** The API server certificate's notAfter (RFC 3339), read off a TLS handshake with a deadline. */
export function apiServerCertificateExpiry(server: string, timeoutMs = 5_000): Promise<string | undefined> {
  const u = new URL(server);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: u.hostname,
      port: Number(u.port || 443),
      servername: /^[\d.]+$/.test(u.hostname) ? undefined : u.hostname,
      rejectUnauthorized: false,
    });
    const done = (v: string | undefined) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('secureConnect', () => {
      const notAfter = socket.getPeerCertificate()?.valid_to;
      done(notAfter ? new Date(notAfter).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);
    });
  });
}
