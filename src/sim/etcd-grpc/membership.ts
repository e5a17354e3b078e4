// One workload cluster's stacked etcd membership, as the fake etcd serves it: the members
// (one per control-plane node that joined, named after the node as kubeadm names them), which
// of them leads, and the names removed from the cluster.
//
// Why kept apart from the gRPC server: the membership is cluster state, not connection state.
// The farm keeps it per cluster and saves it with the cluster's objects, so a farm restart
// serves the same members and leader; the server only reads and changes it through the calls
// etcd has (MemberList, Status, MemberRemove, MoveLeader).
//
// Rules taken from etcd 3.5 (server/etcdserver, api/v3rpc/rpctypes), checked against Debian's
// etcd through etcdctl where one member can show them:
// - kubeadm init makes the first member, which leads; kubeadm join adds one (join());
// - MemberRemove of an id not in the cluster: NotFound "etcdserver: member not found";
//   removing the leader is allowed and another member takes over (a new raft term);
// - MoveLeader is served by the leader only (FailedPrecondition "etcdserver: not leader"),
//   to a member of the cluster (FailedPrecondition "etcdserver: bad leader transferee");
// - a removed member's etcd stops: it is never added again under the same name (a node
//   rejoining would need a fresh name, as CAPI's random Machine names give).
import type { Member } from './proto.js';
import { clusterIdOf, memberIdOf, memberUrls } from './member.js';

/** gRPC codes etcd answers these refusals with. */
export const GRPC_NOT_FOUND = 5;
export const GRPC_FAILED_PRECONDITION = 9;

export class EtcdMembershipError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the farm's state file holds (ids as decimal strings: JSON has no 64-bit integers). */
export interface EtcdMembershipSnapshot {
  members: Array<{ id: string; name: string; peerURL: string; clientURL: string }>;
  leader: string;
  raftTerm: number;
  removed: string[];
}

export type MembershipChange =
  | { kind: 'join'; member: Member }
  | { kind: 'remove'; member: Member; leaderBefore: bigint }
  | { kind: 'move-leader'; from: bigint; to: bigint };

export class EtcdMembership {
  readonly clusterId: bigint;
  private readonly byId = new Map<bigint, Member>();
  private readonly removedNames = new Set<string>();
  private leader = 0n;
  private term = 2n;
  private readonly listeners = new Set<(c: MembershipChange) => void>();

  constructor(
    readonly cluster: string,
    private readonly onChange: () => void = () => {},
  ) {
    this.clusterId = clusterIdOf(cluster);
  }

  /** Calls `fn` after each change (tests record the order of etcd operations with it). */
  subscribe(fn: (c: MembershipChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  members(): Member[] {
    return [...this.byId.values()].map((m) => ({ ...m, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs] }));
  }

  get leaderId(): bigint {
    return this.leader;
  }

  get raftTerm(): bigint {
    return this.term;
  }

  byName(name: string): Member | undefined {
    for (const m of this.byId.values()) if (m.name === name) return m;
    return undefined;
  }

  wasRemoved(name: string): boolean {
    return this.removedNames.has(name);
  }

  /** kubeadm init (the first member leads) or join; a known or removed name changes nothing. */
  join(name: string, nodeIp: string): Member | undefined {
    const known = this.byName(name);
    if (known || this.removedNames.has(name)) return known;
    const { peerURL, clientURL } = memberUrls(nodeIp);
    const member: Member = {
      id: memberIdOf(this.cluster, name),
      name,
      peerURLs: [peerURL],
      clientURLs: [clientURL],
      isLearner: false,
    };
    this.byId.set(member.id, member);
    if (this.leader === 0n) this.leader = member.id;
    this.changed({ kind: 'join', member });
    return member;
  }

  /** Cluster.MemberRemove; returns the members left. */
  remove(id: bigint): Member[] {
    const member = this.byId.get(id);
    if (!member) throw new EtcdMembershipError(GRPC_NOT_FOUND, 'etcdserver: member not found');
    const leaderBefore = this.leader;
    this.byId.delete(id);
    this.removedNames.add(member.name);
    if (this.leader === id) {
      // The old leader steps down; raft elects one of the others in a new term.
      this.leader = this.byId.keys().next().value ?? 0n;
      this.term++;
    }
    this.changed({ kind: 'remove', member, leaderBefore });
    return this.members();
  }

  /** Maintenance.MoveLeader as served by member `servedBy`. */
  moveLeader(servedBy: bigint, target: bigint): void {
    if (servedBy !== this.leader) throw new EtcdMembershipError(GRPC_FAILED_PRECONDITION, 'etcdserver: not leader');
    const to = this.byId.get(target);
    if (!to || to.isLearner)
      throw new EtcdMembershipError(GRPC_FAILED_PRECONDITION, 'etcdserver: bad leader transferee');
    if (target === this.leader) return;
    const from = this.leader;
    this.leader = target;
    this.term++;
    this.changed({ kind: 'move-leader', from, to: target });
  }

  snapshot(): EtcdMembershipSnapshot {
    return {
      members: [...this.byId.values()].map((m) => ({
        id: m.id.toString(),
        name: m.name,
        peerURL: m.peerURLs[0] ?? '',
        clientURL: m.clientURLs[0] ?? '',
      })),
      leader: this.leader.toString(),
      raftTerm: Number(this.term),
      removed: [...this.removedNames],
    };
  }

  /** Takes a saved membership back (a farm restart); no change is reported. */
  restore(s: EtcdMembershipSnapshot): void {
    this.byId.clear();
    this.removedNames.clear();
    for (const m of s.members)
      this.byId.set(BigInt(m.id), {
        id: BigInt(m.id),
        name: m.name,
        peerURLs: [m.peerURL],
        clientURLs: [m.clientURL],
        isLearner: false,
      });
    for (const n of s.removed) this.removedNames.add(n);
    this.leader = BigInt(s.leader);
    this.term = BigInt(s.raftTerm);
  }

  private changed(c: MembershipChange): void {
    this.onChange();
    for (const fn of this.listeners) fn(c);
  }
}
