// What KCP does to a stacked etcd when a control-plane Machine goes (CAPI v1.14.0,
// reconcilers/kubeadmcontrolplane/kubeadmcontrolplane_controller.go and remediation.go):
// - forwardEtcdLeadership: before KCP deletes a Machine (scale down, rollout) and again in
//   its pre-terminate hook, leadership leaves the Machine's member if it leads, for the
//   first candidate that takes it: Machines with a Node, not deleting, not this one, those
//   with a healthy etcd member first, then up-to-date ones, then the newest;
// - the pre-terminate hook (kcp-scale.ts) removes the Machine's member, once the etcd left
//   behind keeps its quorum (targetEtcdClusterHealthy), through another node's etcd;
// - reconcileEtcdMembers: while EtcdClusterHealthy is not True, a member whose name is no
//   Machine's Node is removed (the first by name), one per reconcile, unless a Machine still
//   waits for its Node (the member may be that Machine's).
// Member names are node names (kubeadm), so every match here is by node name.
import type { ControllerContext } from './runtime.js';
import { field, type Obj } from './helpers.js';
import { forwardEtcdLeadership, removeEtcdMember, type EtcdAccess } from './kcp-etcd.js';
import type { ControlPlaneHealth } from './kcp-health.js';
import type { Member } from '../etcd-grpc/proto.js';

export interface EtcdStep {
  kcp: Obj;
  /** The KCP's Machines, deleting ones included. */
  machines: Obj[];
  health: ControlPlaneHealth;
  /** How to reach the workload cluster's etcd; absent when its kubeconfig or etcd CA is missing. */
  access?: EtcdAccess;
  /** Whether a Machine matches the KCP's spec (MachineUpToDate). */
  upToDate(m: Obj): boolean;
}

const nodeOf = (m: Obj) => field<string>(m, 'status', 'nodeRef', 'name');
const createdAt = (m: Obj) => Date.parse(m.metadata.creationTimestamp ?? '') || 0;
const ref = (m: Obj) => `${m.metadata.namespace}/${m.metadata.name}`;

function needAccess(s: EtcdStep): EtcdAccess {
  if (!s.access) throw new Error('cannot reach the workload cluster’s etcd: no kubeconfig or etcd CA yet');
  return s.access;
}

/** getCandidatesForEtcdLeadership: the most reliable first. */
function leadershipCandidates(s: EtcdStep, deleting: Obj): Obj[] {
  const memberHealthy = (m: Obj) => s.health.machines.get(m.metadata.name)?.etcdMember?.status === 'True';
  return s.machines
    .filter((m) => nodeOf(m) && !m.metadata.deletionTimestamp && m.metadata.name !== deleting.metadata.name)
    .sort(
      (a, b) =>
        Number(memberHealthy(b)) - Number(memberHealthy(a)) ||
        Number(s.upToDate(b)) - Number(s.upToDate(a)) ||
        createdAt(b) - createdAt(a),
    );
}

/** forwardEtcdLeadership: throws when the leader is unknown or no candidate takes over. */
export async function forwardLeadershipFrom(ctx: ControllerContext, s: EtcdStep, deleting: Obj): Promise<void> {
  const leader = s.health.etcdLeader;
  if (!leader) throw new Error('unable to move etcd leadership, failed to detect etcd leader');
  const node = nodeOf(deleting);
  if (!node || node !== leader.name) return;
  const candidates = leadershipCandidates(s, deleting);
  if (candidates.length === 0)
    throw new Error('unable to move etcd leadership, no candidate machines for etcd leadership found');
  const access = needAccess(s);
  for (const m of candidates) {
    try {
      await forwardEtcdLeadership(access, node, nodeOf(m)!);
    } catch (err) {
      ctx.log(
        `"Failed to move etcd leadership" err="${err instanceof Error ? err.message : String(err)}" currentLeaderMachine="${ref(deleting)}" candidateLeaderMachine="${ref(m)}"`,
      );
      continue;
    }
    ctx.log(`"Moved etcd leadership" previousLeaderMachine="${ref(deleting)}" newLeaderMachine="${ref(m)}"`);
    // The view this reconcile holds follows the move, so a second look in it does not move again.
    const next = s.health.etcdMembers?.find((x) => x.name === nodeOf(m));
    if (next) s.health.etcdLeader = next;
    return;
  }
  throw new Error('failed to move etcd leadership');
}

/**
 * targetEtcdClusterHealthy for a removal: without `toDelete`, the members left must keep a
 * quorum of healthy voters (a member with a Machine by its EtcdMemberHealthy, one without
 * a Machine is taken as healthy: its alarms are not kept here).
 */
export function targetEtcdClusterHealthy(s: EtcdStep, toDelete: string): boolean {
  const members = s.health.etcdMembers ?? [];
  let voters = 0;
  let healthy = 0;
  for (const member of members) {
    if (member.name === toDelete) continue;
    if (member.name === '') continue; // still starting: a learner, not healthy
    if (!member.isLearner) voters++;
    const machine = s.machines.find((m) => nodeOf(m) === member.name);
    const ok = machine ? s.health.machines.get(machine.metadata.name)?.etcdMember?.status === 'True' : true;
    if (ok) healthy++;
  }
  return healthy >= Math.floor(voters / 2) + 1;
}

/**
 * The etcd part of the pre-terminate hook: move leadership away again, then remove the
 * Machine's member. Returns false to wait (the etcd left behind would lose its quorum).
 */
export async function removeMemberOfDeletingMachine(
  ctx: ControllerContext,
  s: EtcdStep,
  deleting: Obj,
): Promise<boolean> {
  const members = s.health.etcdMembers;
  if (!members || members.length === 0)
    throw new Error('unable to remove pre-terminate hook, etcd member list is empty');
  const node = nodeOf(deleting);
  const member = node ? members.find((m) => m.name === node) : undefined;
  if (!member) return true; // tryGetEtcdMemberName found none: nothing to remove
  if (!targetEtcdClusterHealthy(s, member.name)) {
    ctx.log(
      `"Cannot delete control plane Machine ${ref(deleting)}, the operation can lead to etcd quorum loss. Please check the etcd status"`,
    );
    return false;
  }
  await forwardLeadershipFrom(ctx, s, deleting);
  await removeEtcdMember(needAccess(s), member, s.health.nodeNames ?? []);
  return true;
}

/** reconcileEtcdMembers; true when a member was removed (upstream requeues after 1 s). */
export async function reconcileEtcdMembers(ctx: ControllerContext, s: EtcdStep): Promise<boolean> {
  const members = s.health.etcdMembers;
  if (s.machines.length === 0 || !members || members.length === 0) return false;
  if (s.health.etcd?.status === 'True') return false;
  const provisioning = s.machines.filter((m) => !nodeOf(m)).map((m) => m.metadata.name);
  const expected = new Set(s.machines.map(nodeOf).filter((n): n is string => Boolean(n)));
  const unexpected: Member[] = members
    .filter((m) => !expected.has(m.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (unexpected.length === 0) return false;
  const names = unexpected.map((m) => m.name || '(Name not yet assigned)').join(', ');
  if (provisioning.length > 0) {
    ctx.log(
      `"Etcd members ${names} without corresponding Machines, potential match with provisioning machines ${provisioning.join(', ')}"`,
    );
    return false;
  }
  const victim = unexpected[0]!;
  ctx.log(`"Etcd members ${names} without corresponding Machines, removing member ${victim.name}"`);
  if (victim.name !== '' && !targetEtcdClusterHealthy(s, victim.name))
    throw new Error(
      `etcd member ${victim.name} does not have a corresponding Machine, it must be removed from the cluster but this operation can lead to quorum loss. Please check the etcd status`,
    );
  await removeEtcdMember(needAccess(s), victim, s.health.nodeNames ?? []);
  ctx.log(`"Etcd member without a corresponding Machine removed from the cluster" member="${victim.name}"`);
  return true;
}
