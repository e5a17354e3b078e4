// What one fake etcd member is: its identity (names, ids, URLs) and the TLS material it serves
// with, plus the deterministic ids etcd would have given it. A workload cluster in the farm is
// a healthy single-member etcd: member name = the control-plane node's name (kubeadm names the
// member after the node, and KCP matches members to nodes by that name), cluster and member
// ids derived from the cluster's name so restarts answer the same.
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

export function memberFacts(m: EtcdMemberIdentity): EtcdMemberFacts {
  const host = m.nodeIp.includes(':') ? `[${m.nodeIp}]` : m.nodeIp;
  return {
    clusterId: id64(`cluster/${m.cluster}`),
    memberId: id64(`member/${m.cluster}/${m.memberName}`),
    peerURL: `https://${host}:2380`,
    clientURL: `https://${host}:2379`,
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
