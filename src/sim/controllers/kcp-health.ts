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
import type { Member } from '../etcd-grpc/proto.js';

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
  /**
   * For the Available condition: every Machine not being deleted has a healthy etcd member
   * and the members match the Machines (always true with external etcd).
   */
  etcdHealthy: boolean;
  /** EtcdClusterHealthy's reason and message, as upstream aggregates them from the Machines. */
  etcd?: ConditionDetail;
  /** Stacked etcd, when a member answered: its members and leader (ControlPlane.EtcdMembers, EtcdLeader). */
  etcdMembers?: Member[];
  etcdLeader?: Member;
  /** Every member has a Machine, or a Machine still waits for its Node (EtcdMembersAndMachinesAreMatching). */
  etcdMembersMatch?: boolean;
  /** The workload cluster's control-plane Nodes (ControlPlane.Nodes), by name. */
  nodeNames?: string[];
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
  result.nodeNames = nodes.map((n) => n.metadata.name);
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
  if (externalEtcd) result.etcdHealthy = true;
  return result;
}

/**
 * Upstream's updateManagedEtcdConditions (pkg/workload_cluster_conditions.go), one
 * EtcdMemberHealthy per Machine:
 * - a Machine without a Node: Unknown (InspectionFailed), waiting for it;
 * - a deleting Machine: False (Deleting), "Machine is deleting";
 * - the others: members, leader and alarms from the first of their nodes' etcd that answers;
 *   a Machine whose node has no member, or whose member raised alarms, is False (NotHealthy);
 * then compareMachinesAndMembers: a Machine with a Node but no member is False ("Etcd doesn't
 * have an etcd member for Node ..."), a member without a Machine is an error of the KCP as a
 * whole; and EtcdClusterHealthy aggregated from both (aggregateConditionsFromMachinesToKCP).
 */
async function inspectEtcd(input: HealthInput, result: ControlPlaneHealth): Promise<ConditionDetail> {
  const nodeOf = (m: Obj) => result.machines.get(m.metadata.name)?.nodeName;
  const set = (m: Obj, d: ConditionDetail) => {
    const h = result.machines.get(m.metadata.name);
    if (!h) return;
    h.etcdMember = d;
    h.conditions.EtcdMemberHealthy = d.status === 'True';
  };
  for (const m of input.machines) {
    if (nodeOf(m)) continue;
    const providerID = field<string>(m, 'spec', 'providerID');
    const infraKind = field<string>(m, 'spec', 'infrastructureRef', 'kind') ?? 'the infrastructure';
    set(m, {
      status: 'Unknown',
      reason: 'InspectionFailed',
      message: providerID
        ? `Waiting for a Node with spec.providerID ${providerID} to exist`
        : `Waiting for ${infraKind} to report spec.providerID`,
    });
  }
  for (const m of input.machines)
    if (m.metadata.deletionTimestamp && nodeOf(m))
      set(m, { status: 'False', reason: 'Deleting', message: 'Machine is deleting' });
  const inspected = input.machines.filter((m) => !m.metadata.deletionTimestamp && nodeOf(m));
  let members: Member[] | undefined;
  if (inspected.length > 0) {
    try {
      if (!input.etcdCa) throw new Error(`the etcd CA Secret has no tls.crt/tls.key`);
      const view = await readEtcdMembers(
        portForwardEndpoint(input.workload.config),
        input.etcdCa,
        inspected.map((m) => nodeOf(m)!),
        input.deadlineMs ?? 5_000,
      );
      const leader = view.members.find((x) => x.id === view.leaderId);
      if (!leader) throw new Error('failed to get etcd leader');
      members = view.members;
      result.etcdMembers = view.members;
      result.etcdLeader = leader;
      const names = view.members.map((x) => x.name).join(', ');
      for (const m of inspected) {
        const member = view.members.find((x) => x.name === nodeOf(m));
        const alarms = member ? memberAlarms(view, member) : [];
        if (!member)
          set(m, {
            status: 'False',
            reason: 'NotHealthy',
            message: `Etcd reports the cluster is composed by ${names}, but the etcd member hosted on Machine ${m.metadata.name} (${nodeOf(m)}) is not included`,
          });
        else if (member.isLearner)
          set(m, { status: 'False', reason: 'NotHealthy', message: 'Waiting for learner etcd member to be promoted' });
        else if (alarms.length > 0)
          set(m, { status: 'False', reason: 'NotHealthy', message: `Etcd reports alarms: ${alarms.join(', ')}` });
        else set(m, { status: 'True', reason: 'Healthy' });
      }
    } catch (err) {
      const message = `Failed to connect to etcd: ${err instanceof Error ? err.message : String(err)}`;
      for (const m of inspected) set(m, { status: 'Unknown', reason: 'InspectionFailed', message });
    }
  }
  const kcpErrors: string[] = [];
  if (members) {
    for (const m of input.machines) {
      const node = nodeOf(m);
      if (node && !members.some((x) => x.name === node))
        set(m, { status: 'False', reason: 'NotHealthy', message: `Etcd doesn't have an etcd member for Node ${node}` });
    }
    for (const member of members)
      if (!input.machines.some((m) => nodeOf(m) === member.name))
        kcpErrors.push(
          `Etcd member ${member.name || `${member.id} (Name not yet assigned)`} does not have a corresponding Machine`,
        );
  }
  // A member without a Machine while a Machine waits for its Node may be that Machine's:
  // upstream does not count it against availability (EtcdMembersAndMachinesAreMatching).
  const provisioning = input.machines.some((m) => !nodeOf(m));
  result.etcdMembersMatch = kcpErrors.length === 0 || provisioning;
  const live = aggregate(
    input.machines.filter((m) => !m.metadata.deletionTimestamp),
    result,
    result.etcdMembersMatch ? [] : kcpErrors,
  );
  result.etcdHealthy = live.status === 'True';
  return aggregate(input.machines, result, kcpErrors);
}

/** aggregateConditionsFromMachinesToKCP for EtcdMemberHealthy; Unknown before a providerID counts as fine. */
function aggregate(machines: Obj[], result: ControlPlaneHealth, kcpErrors: string[]): ConditionDetail {
  const bad: string[] = [];
  const unknown: string[] = [];
  let fine = 0;
  for (const m of machines) {
    const d = result.machines.get(m.metadata.name)?.etcdMember;
    if (!d) continue;
    const line = `* Machine ${m.metadata.name}:\n  * EtcdMemberHealthy: ${d.message || `condition is ${d.status}`}`;
    if (d.status === 'False') bad.push(line);
    else if (d.status === 'Unknown' && field<string>(m, 'spec', 'providerID')) unknown.push(line);
    else fine++;
  }
  const message = [...bad, ...unknown, ...kcpErrors.map((e) => `* ${e}`)].join('\n');
  if (bad.length > 0 || kcpErrors.length > 0) return { status: 'False', reason: 'NotHealthy', message };
  if (unknown.length > 0) return { status: 'Unknown', reason: 'HealthUnknown', message };
  if (fine > 0) return { status: 'True', reason: 'Healthy' };
  return { status: 'Unknown', reason: 'HealthUnknown', message: 'No Machines reporting etcd member status' };
}
