// Each farm cluster's certificates, minted from that cluster's own CA, the way kubeadm
// does on a real control-plane node: the serving certificate (signed by `<cluster>-ca`) and
// an admin client certificate for the kubeconfig the farm hands out; the etcd CA
// (`<cluster>-etcd`) is kept for the etcd gRPC service behind port-forward.
//
// Why the CA comes from outside when it can: CAPI writes the `<cluster>-kubeconfig` Secret
// with a client certificate signed by `<cluster>-ca` and trusts only that CA for the
// server, so a farm cluster must serve with a certificate from the very same CA and accept
// client certificates it signed. When nobody hands a CA in (a bare `farm serve` + FKAS
// `/register` without secrets), the farm mints one (ECDSA: RSA keygen for 1000 clusters
// would take minutes) and the caller reads it back from the cluster record.
import { isIP } from 'node:net';
import { createCA, generateKeyAsync, issueCert, type CertKeyPair } from '../../core/pki/index.js';

export interface ClusterPki {
  ca: CertKeyPair;
  etcdCa: CertKeyPair;
  serving: CertKeyPair;
  admin: CertKeyPair;
}

export interface PkiRequest {
  cluster: string;
  ca?: CertKeyPair;
  etcdCa?: CertKeyPair;
  /** Addresses and names the serving certificate must cover (the advertised host). */
  altNames: string[];
}

/**
 * Keys are made off the main thread (libuv's pool): a farm answering health probes for
 * 1000 clusters must not stall its event loop while it registers the next one.
 */
export async function mintClusterPki(r: PkiRequest): Promise<ClusterPki> {
  const [caKey, etcdKey, servingKey, adminKey] = await Promise.all([
    r.ca ? undefined : generateKeyAsync('ecdsa-p256'),
    r.etcdCa ? undefined : generateKeyAsync('ecdsa-p256'),
    generateKeyAsync('ecdsa-p256'),
    generateKeyAsync('ecdsa-p256'),
  ]);
  const ca = r.ca ?? createCA(`${r.cluster}-ca`, { key: caKey });
  const etcdCa = r.etcdCa ?? createCA(`${r.cluster}-etcd`, { key: etcdKey });
  const ips = ['127.0.0.1', ...r.altNames.filter((n) => isIP(n) !== 0)];
  const dns = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    ...r.altNames.filter((n) => isIP(n) === 0 && n !== ''),
  ];
  const serving = issueCert(ca, {
    key: servingKey,
    commonName: 'kube-apiserver',
    usage: 'server',
    dnsNames: dns,
    ipAddresses: [...new Set(ips)],
  });
  // kubeadm's admin.conf identity: a client certificate in the cluster-admins group.
  const admin = issueCert(ca, {
    key: adminKey,
    commonName: 'kubernetes-admin',
    organizations: ['kubeadm:cluster-admins', 'system:masters'],
    usage: 'client',
  });
  return { ca, etcdCa, serving, admin };
}
