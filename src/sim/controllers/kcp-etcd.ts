// KCP's two looks into a workload cluster that go past the API: the etcd members (gRPC over
// TLS, through pods/portforward to `etcd-<node>`:2379; read, leadership moved, a member
// removed, as pkg/workload_cluster_etcd.go does) and the API server's serving
// certificate (TLS through pods/portforward to `kube-apiserver-<node>`:6443). Upstream KCP
// v1.14 does both this way (controlplane/kubeadm/internal: the etcd client generator dials
// each etcd pod through a port-forward dialer; GetAPIServerCertificateExpiry reads the peer
// certificate with CN kube-apiserver), so a cluster whose etcd pod is Ready but whose etcd
// refuses KCP's client certificate is not healthy here either.
//
// KCP's etcd client identity: a client certificate, CN cluster-api.x-k8s.io, signed by the
// cluster's `<cluster>-etcd` CA. Upstream keeps the client key per cluster (ClusterCache) and
// signs a certificate from it; here the minted pair is kept per CA certificate, so 1000
// clusters cost one mint each, not one per reconcile.
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { issueCert, type CertKeyPair } from '../../core/pki/index.js';
import { openPortForward, type PortForwardEndpoint } from '../portforward/client.js';
import { EtcdClient } from '../etcd-grpc/client.js';
import type { AlarmMember, Member } from '../etcd-grpc/proto.js';

export const ETCD_CLIENT_COMMON_NAME = 'cluster-api.x-k8s.io';
const KUBEADM_APISERVER_CN = 'kube-apiserver';
/** etcd's AlarmType names (etcdserverpb.AlarmType): NONE is no alarm. */
const ALARM_NAMES: Record<number, string> = { 0: 'NONE', 1: 'NOSPACE', 2: 'CORRUPT' };

const clientCerts = new Map<string, CertKeyPair>();

/** KCP's etcd client certificate for the cluster whose etcd CA this is. */
export function etcdClientIdentity(etcdCa: CertKeyPair): CertKeyPair {
  let c = clientCerts.get(etcdCa.certPem);
  if (!c) {
    c = issueCert(etcdCa, { commonName: ETCD_CLIENT_COMMON_NAME, usage: 'client' });
    clientCerts.set(etcdCa.certPem, c);
  }
  return c;
}

/** Forget a deleted cluster's etcd client certificate. */
export function forgetEtcdClientIdentity(etcdCaPem: string): void {
  clientCerts.delete(etcdCaPem);
}

const b64 = (v: string | undefined): string | undefined => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);

/** Where and how to port-forward, from the workload cluster's kubeconfig (the `<cluster>-kubeconfig` Secret). */
export function portForwardEndpoint(kc: KubeConfig): PortForwardEndpoint {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  return {
    server: cluster.server,
    caPem: b64(cluster.caData) ?? '',
    token: user?.token,
    certPem: b64(user?.certData),
    keyPem: b64(user?.keyData),
  };
}

export interface EtcdView {
  members: Member[];
  alarms: AlarmMember[];
  /** The leader's member id, as the answering member's Status reports it. */
  leaderId: bigint;
  /** The node whose etcd answered. */
  node: string;
}

/** Where KCP's etcd calls go: the workload API to port-forward through and the cluster's etcd CA. */
export interface EtcdAccess {
  endpoint: PortForwardEndpoint;
  etcdCa: CertKeyPair;
  deadlineMs: number;
}

/**
 * Upstream's etcd client generator forFirstAvailableNode: each node's etcd pod is tried in
 * turn (port-forward, TLS with KCP's client certificate, then Status, whose errors fail the
 * member, as the generator reads the leader id from it); `fn` runs on the first that answers.
 * The error names every failure.
 */
async function forFirstAvailableNode<T>(
  access: EtcdAccess,
  nodeNames: string[],
  fn: (etcd: EtcdClient, leaderId: bigint, node: string) => Promise<T>,
): Promise<T> {
  const { endpoint, etcdCa, deadlineMs } = access;
  const client = etcdClientIdentity(etcdCa);
  const errors: string[] = [];
  for (const node of nodeNames) {
    let etcd: EtcdClient | undefined;
    let connected = false;
    try {
      const stream = await openPortForward({
        ...endpoint,
        namespace: 'kube-system',
        pod: `etcd-${node}`,
        port: 2379,
        deadlineMs,
      });
      try {
        etcd = await EtcdClient.connect({
          stream,
          caPem: etcdCa.certPem,
          certPem: client.certPem,
          keyPem: client.keyPem,
          deadlineMs,
        });
      } catch (err) {
        stream.destroy();
        throw err;
      }
      const status = await etcd.status();
      if (status.errors.length > 0)
        throw new Error(`etcd endpoint etcd-${node} reports errors: ${status.errors.join(', ')}`);
      connected = true;
      return await fn(etcd, status.leader, node);
    } catch (err) {
      // Only a failure to reach a member moves on to the next node; a failed call is the answer.
      if (connected) throw err;
      errors.push(`etcd-${node}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      etcd?.close();
    }
  }
  throw new Error(errors.length > 0 ? errors.join('; ') : 'no Node hosts an etcd member');
}

/** Members, alarms and the leader from the first etcd pod that answers (getCurrentEtcdMembersAndAlarms). */
export async function readEtcdMembers(
  endpoint: PortForwardEndpoint,
  etcdCa: CertKeyPair,
  nodeNames: string[],
  deadlineMs: number,
): Promise<EtcdView> {
  return forFirstAvailableNode({ endpoint, etcdCa, deadlineMs }, nodeNames, async (etcd, leaderId, node) => {
    const members = (await etcd.memberList()).members;
    const alarms = (await etcd.alarmList()).alarms;
    return { members, alarms, leaderId, node };
  });
}

/**
 * Upstream Workload.ForwardEtcdLeadership: on the etcd of `fromMember`'s node (MoveLeader
 * must reach the leader), a no-op unless that member leads; otherwise leadership moves to
 * `toMember`. Returns whether it moved.
 */
export async function forwardEtcdLeadership(
  access: EtcdAccess,
  fromMember: string,
  toMember: string,
): Promise<boolean> {
  return forFirstAvailableNode(access, [fromMember], async (etcd, leaderId) => {
    const members = (await etcd.memberList()).members;
    const current = members.find((m) => m.name === fromMember);
    if (!current || current.id !== leaderId) return false;
    const next = members.find((m) => m.name === toMember);
    if (!next) throw new Error(`failed to get etcd member for leader candidate "${toMember}"`);
    try {
      await etcd.moveLeader(next.id);
    } catch (err) {
      throw new Error(`failed to move leader: ${err instanceof Error ? err.message : String(err)}`);
    }
    return true;
  });
}

/**
 * Upstream Workload.RemoveEtcdMember: through the first of the other nodes' etcd that
 * answers; an id already gone is done; the last member is never removed.
 */
export async function removeEtcdMember(
  access: EtcdAccess,
  member: { id: bigint; name: string },
  controlPlaneNodes: string[],
): Promise<'removed' | 'already-gone'> {
  const remaining = controlPlaneNodes.filter((n) => n !== member.name);
  return forFirstAvailableNode(access, remaining, async (etcd) => {
    const members = (await etcd.memberList()).members;
    if (!members.some((m) => m.id === member.id)) return 'already-gone';
    if (members.length === 1) throw new Error('cannot remove the last etcd member in the cluster');
    try {
      await etcd.memberRemove(member.id);
    } catch (err) {
      throw new Error(`failed to remove member from etcd: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 'removed';
  });
}

/** The names of a member's raised alarms (NONE left out). */
export function memberAlarms(view: EtcdView, member: Member): string[] {
  return view.alarms
    .filter((a) => a.memberId === member.id && a.alarm !== 0)
    .map((a) => ALARM_NAMES[a.alarm] ?? String(a.alarm));
}

/**
 * The notAfter (RFC 3339) of the certificate kube-apiserver on this node serves, read through
 * a port-forward to its pod's 6443; the certificate is picked from the chain by kubeadm's
 * CN, as upstream does. Verification is off: only the date is read.
 */
export async function apiServerCertificateExpiryVia(
  endpoint: PortForwardEndpoint,
  nodeName: string,
  deadlineMs: number,
): Promise<string> {
  const stream = await openPortForward({
    ...endpoint,
    namespace: 'kube-system',
    pod: `kube-apiserver-${nodeName}`,
    port: 6443,
    deadlineMs,
  });
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ socket: stream, rejectUnauthorized: false, servername: 'kubernetes' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS handshake with kube-apiserver-${nodeName} did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`TLS with kube-apiserver-${nodeName}: ${err.message}`));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<PeerCertificate>();
      while (cert && !seen.has(cert) && cert.subject?.CN !== KUBEADM_APISERVER_CN) {
        seen.add(cert);
        cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
      }
      socket.destroy();
      if (!cert || cert.subject?.CN !== KUBEADM_APISERVER_CN || !cert.valid_to)
        reject(
          new Error(`couldn't get peer certificate with cn="${KUBEADM_APISERVER_CN}" from kube-apiserver-${nodeName}`),
        );
      else resolve(new Date(cert.valid_to).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    });
  });
}
