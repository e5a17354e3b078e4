// What one fake etcd member is: its identity (names, ids, URLs) and the TLS material it serves
// with, plus the deterministic ids etcd would have given it. Member name = the control-plane
// node's name (kubeadm names the member after the node, and KCP matches members to nodes by
// that name); cluster and member ids derive from the cluster's and node's names, so restarts
// answer the same. Which members a cluster has is membership.ts's.
import { createHash } from 'node:crypto';
import { issueCert, type CertKeyPair } from '../../core/pki/index.js';

export interface EtcdMemberIdentity {
  /** The workload cluster (namespace/name or any stable key): ids derive from it. */
  cluster: string;
  /** The control-plane node's name; the member's name. */
  memberName: string;
  /** The node's address, used in the member's URLs (kubeadm: https://<ip>:2379 and :2380). */
  nodeIp: string;
  /** The cluster's etcd CA certificate: client certificates must chain to it. */
  caPem: string;
  /** The member's serving certificate and key, issued by that CA (see etcdServingCert). */
  certPem: string;
  keyPem: string;
  /** What Status reports as the server version (kubeadm 1.32 ships etcd 3.5.16). */
  version?: string;
}

export interface EtcdMemberFacts {
  clusterId: bigint;
  memberId: bigint;
  peerURL: string;
  clientURL: string;
  version: string;
}

function id64(text: string): bigint {
  const h = createHash('sha256').update(text).digest();
  const v = h.readBigUInt64BE(0);
  return v === 0n ? 1n : v;
}

/** The id etcd gives the member of this name in this cluster (stable across restarts). */
export function memberIdOf(cluster: string, memberName: string): bigint {
  return id64(`member/${cluster}/${memberName}`);
}

export function clusterIdOf(cluster: string): bigint {
  return id64(`cluster/${cluster}`);
}

/** kubeadm's member URLs for a node address: https://<ip>:2380 (peer) and :2379 (client). */
export function memberUrls(nodeIp: string): { peerURL: string; clientURL: string } {
  const host = nodeIp.includes(':') ? `[${nodeIp}]` : nodeIp;
  return { peerURL: `https://${host}:2380`, clientURL: `https://${host}:2379` };
}

export function memberFacts(m: EtcdMemberIdentity): EtcdMemberFacts {
  return {
    clusterId: clusterIdOf(m.cluster),
    memberId: memberIdOf(m.cluster, m.memberName),
    ...memberUrls(m.nodeIp),
    version: m.version ?? '3.5.16',
  };
}

/**
 * The etcd serving certificate kubeadm would issue from the cluster's etcd CA (the
 * `<cluster>-etcd` Secret's tls.crt/tls.key): CN = node name, SANs node name, localhost,
 * the node IP, 127.0.0.1 and ::1, usable for server and client auth.
 */
export function etcdServingCert(etcdCa: CertKeyPair, nodeName: string, nodeIp: string): CertKeyPair {
  const dnsNames = [nodeName.toLowerCase(), 'localhost'];
  return issueCert(etcdCa, {
    commonName: nodeName,
    dnsNames,
    ipAddresses: [...new Set([nodeIp, '127.0.0.1', '::1'])],
    usage: 'server-client',
  });
}
