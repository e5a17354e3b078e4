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
// - etcd members: an etcd client through pods/portforward to etcd-<node>:2379 with KCP's
//   client certificate from the `<cluster>-etcd` CA (kcp-etcd.ts): Status, MemberList and
//   AlarmList from the first member that answers; each Machine's EtcdMemberHealthy says
//   whether its Node has a member and whether that member raised alarms, with upstream's
//   reasons (Healthy, NotHealthy, InspectionFailed) and messages;
// - the API server certificate's expiry, once per Machine, recorded as the
//   machine.cluster.x-k8s.io/certificates-expiry annotation on its KubeadmConfig (kcp.ts,
//   through apiServerCertificateExpiryVia).
import type { CertKeyPair } from '../../core/pki/index.js';
import type { RestClient } from './rest.js';
import { R, collectionPath, objectPath } from './resources.js';
import { condition, field, type Obj } from './helpers.js';
import { memberAlarms, portForwardEndpoint, readEtcdMembers } from './kcp-etcd.js';

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
  /** EtcdMemberHealthy as upstream words it (status Unknown when etcd could not be asked). */
  etcdMember?: ConditionDetail;
}

export interface ConditionDetail {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
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
  /** EtcdClusterHealthy's reason and message, as upstream aggregates them from the Machines. */
  etcd?: ConditionDetail;
}

export interface HealthInput {
  workload: RestClient;
  machines: Obj[];
  externalEtcd: boolean;
  alreadyInitialized: boolean;
  /** The `<cluster>-etcd` CA (cert and key); without it etcd cannot be inspected. */
  etcdCa?: CertKeyPair;
  /** Deadline of each port-forward, handshake and etcd call (default 5 s). */
  deadlineMs?: number;
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
    h.conditions.NodeKubeadmLabelsAndTaintsSet = Boolean(
      node?.metadata.labels && 'node-role.kubernetes.io/control-plane' in node.metadata.labels,
    );
    result.machines.set(m.metadata.name, h);
  }
  if (!externalEtcd) result.etcd = await inspectEtcd(input, result);
  const all = [...result.machines.values()];
  result.componentsHealthy =
    all.length > 0 &&
    all.every((h) =>
      ['APIServerPodHealthy', 'ControllerManagerPodHealthy', 'SchedulerPodHealthy'].every((c) => h.conditions[c]),
    );
  result.etcdHealthy = externalEtcd || result.etcd?.status === 'True';
  return result;
}

/**
 * Upstream's updateManagedEtcdConditions, for Machines with a Node: members and alarms from
 * the first etcd that answers, then one EtcdMemberHealthy per Machine, then EtcdClusterHealthy
 * aggregated (any False: NotHealthy; else any Unknown: HealthUnknown; else Healthy).
 */
async function inspectEtcd(input: HealthInput, result: ControlPlaneHealth): Promise<ConditionDetail> {
  const withNode = input.machines.filter(
    (m) => !m.metadata.deletionTimestamp && result.machines.get(m.metadata.name)?.nodeName,
  );
  const nodeOf = (m: Obj) => result.machines.get(m.metadata.name)!.nodeName!;
  const set = (m: Obj, d: ConditionDetail) => {
    const h = result.machines.get(m.metadata.name)!;
    h.etcdMember = d;
    h.conditions.EtcdMemberHealthy = d.status === 'True';
  };
  for (const m of input.machines) {
    // A deleting Machine's member is on its way out: upstream does not count it.
    if (withNode.includes(m) || m.metadata.deletionTimestamp || !result.machines.has(m.metadata.name)) continue;
    set(m, { status: 'Unknown', reason: 'InspectionFailed', message: 'Waiting for a Node to host the etcd member' });
  }
  if (withNode.length > 0) {
    const nodes = withNode.map(nodeOf);
    try {
      if (!input.etcdCa) throw new Error(`the etcd CA Secret has no tls.crt/tls.key`);
      const view = await readEtcdMembers(
        portForwardEndpoint(input.workload.config),
        input.etcdCa,
        nodes,
        input.deadlineMs ?? 5_000,
      );
      const names = view.members.map((x) => x.name).join(', ');
      for (const m of withNode) {
        const member = view.members.find((x) => x.name === nodeOf(m));
        const alarms = member ? memberAlarms(view, member) : [];
        if (!member)
          set(m, {
            status: 'False',
            reason: 'NotHealthy',
            message: `Etcd reports the cluster is composed by ${names}, but the etcd member hosted on Machine ${m.metadata.name} (${nodeOf(m)}) is not included`,
          });
        else if (alarms.length > 0)
          set(m, { status: 'False', reason: 'NotHealthy', message: `Etcd reports alarms: ${alarms.join(', ')}` });
        else set(m, { status: 'True', reason: 'Healthy' });
      }
    } catch (err) {
      const message = `Failed to connect to etcd: ${err instanceof Error ? err.message : String(err)}`;
      for (const m of withNode) set(m, { status: 'Unknown', reason: 'InspectionFailed', message });
    }
  }
  const details = input.machines
    .map((m) => [m.metadata.name, result.machines.get(m.metadata.name)?.etcdMember] as const)
    .filter((x): x is readonly [string, ConditionDetail] => x[1] !== undefined);
  const bad = details.filter(([, d]) => d.status === 'False');
  const unknown = details.filter(([, d]) => d.status === 'Unknown');
  const summary = (list: ReadonlyArray<readonly [string, ConditionDetail]>) =>
    list.map(([name, d]) => `* Machine ${name}:\n  * EtcdMemberHealthy: ${d.message ?? ''}`).join('\n');
  if (details.length === 0)
    return { status: 'Unknown', reason: 'HealthUnknown', message: 'No Machine hosts an etcd member' };
  if (bad.length > 0) return { status: 'False', reason: 'NotHealthy', message: summary(bad) };
  if (unknown.length > 0) return { status: 'Unknown', reason: 'HealthUnknown', message: summary(unknown) };
  return { status: 'True', reason: 'Healthy' };
}
