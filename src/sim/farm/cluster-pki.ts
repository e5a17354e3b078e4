// Each farm cluster's certificates, issued from that cluster's own CAs the way kubeadm does on
// a real control-plane node: the API server's serving certificate and an admin client
// certificate (both from `<cluster>-ca`), and the etcd member's serving certificate (from
// `<cluster>-etcd`), which the etcd gRPC service behind port-forward presents.
//
// Why the farm holds certificates and no CA key: a farm may run on another machine (`farm
// add NAME --url URL`), and a CA key there would let that machine mint any identity the
// cluster trusts (a client certificate in system:masters, an etcd peer). To serve, a farm
// needs only its listeners' certificates with their keys, and the CA certificates to verify
// the client certificates it is shown (CAPI's kubeconfig, KCP's etcd client). So the caller
// that holds the CAs (the engine, from the `<cluster>-ca` and `<cluster>-etcd` Secrets)
// issues these with issueClusterCerts() and sends them; the farm keeps them, and only them,
// in its state. An FKAS-style caller that sends CA pairs anyway (`caKey`/`etcdKey`), or none
// at all (the farm makes throw-away CAs), gets the same: the certificates are issued at
// registration, and the keys are dropped with the request.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { createCA, generateKeyAsync, issueCert, type CertKeyPair, type GeneratedKey } from '../../core/pki/index.js';

/** What a farm serves one cluster with: certificates and their keys; CA certificates only. */
export interface ClusterCerts {
  /** `<cluster>-ca`'s certificate: client certificates are verified against it. */
  caCertPem: string;
  /** `<cluster>-etcd`'s certificate: etcd client certificates are verified against it. */
  etcdCaCertPem: string;
  /** The API server's serving certificate (port 6443 behind port-forward serves it too). */
  serving: CertKeyPair;
  /** The etcd member's serving certificate (pod etcd-*, port 2379 behind port-forward). */
  etcdServing: CertKeyPair;
  /** kubeadm's admin.conf identity, for the kubeconfig the farm hands out. */
  admin: CertKeyPair;
}

export interface IssueRequest {
  cluster: string;
  ca: CertKeyPair;
  etcdCa: CertKeyPair;
  /** Addresses and names the serving certificates must cover (the farm's advertised host). */
  altNames: string[];
}

function sansOf(altNames: string[]): { ips: string[]; dns: string[] } {
  return {
    ips: [...new Set(['127.0.0.1', ...altNames.filter((n) => isIP(n) !== 0)])],
    dns: altNames.filter((n) => isIP(n) === 0 && n !== ''),
  };
}

/**
 * Issues a cluster's serving, etcd serving and admin certificates from its CAs. Keys are made
 * off the main thread (libuv's pool): a farm or engine registering the next of 1000 clusters
 * must not stall its event loop.
 */
export async function issueClusterCerts(r: IssueRequest): Promise<ClusterCerts> {
  const [servingKey, etcdKey, adminKey] = await Promise.all([
    generateKeyAsync('ecdsa-p256'),
    generateKeyAsync('ecdsa-p256'),
    generateKeyAsync('ecdsa-p256'),
  ]);
  const { ips, dns } = sansOf(r.altNames);
  const serving = issueCert(r.ca, {
    key: servingKey,
    commonName: 'kube-apiserver',
    usage: 'server',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      ...dns,
    ],
    ipAddresses: ips,
  });
  const etcdServing = etcdServingOf(r.cluster, r.etcdCa, r.altNames, etcdKey);
  // kubeadm's admin.conf identity: a client certificate in the cluster-admins group.
  const admin = issueCert(r.ca, {
    key: adminKey,
    commonName: 'kubernetes-admin',
    organizations: ['kubeadm:cluster-admins', 'system:masters'],
    usage: 'client',
  });
  return { caCertPem: r.ca.certPem, etcdCaCertPem: r.etcdCa.certPem, serving, etcdServing, admin };
}

/**
 * The etcd member's serving certificate. kubeadm's covers localhost and the node; the node is
 * not known at registration, and neither KCP (it does not check the name) nor etcdctl through
 * a port-forward to 127.0.0.1 needs it.
 */
export function etcdServingOf(
  cluster: string,
  etcdCa: CertKeyPair,
  altNames: string[],
  key?: GeneratedKey,
): CertKeyPair {
  const { ips, dns } = sansOf(altNames);
  return issueCert(etcdCa, {
    key,
    commonName: `${cluster}-etcd`,
    usage: 'server-client',
    dnsNames: ['localhost', ...dns],
    ipAddresses: [...new Set([...ips, '::1'])],
  });
}

export interface PkiRequest {
  cluster: string;
  ca?: CertKeyPair;
  etcdCa?: CertKeyPair;
  altNames: string[];
}

/**
 * The farm's own issue, for a register that brought CA pairs (FKAS style) or nothing (the
 * farm makes the CAs, ECDSA: RSA keygen for 1000 clusters would take minutes). Either way
 * only the certificates are answered; the CA keys go out of scope here.
 */
export async function mintClusterCerts(r: PkiRequest): Promise<ClusterCerts> {
  const [caKey, etcdKey] = await Promise.all([
    r.ca ? undefined : generateKeyAsync('ecdsa-p256'),
    r.etcdCa ? undefined : generateKeyAsync('ecdsa-p256'),
  ]);
  const ca = r.ca ?? createCA(`${r.cluster}-ca`, { key: caKey });
  const etcdCa = r.etcdCa ?? createCA(`${r.cluster}-etcd`, { key: etcdKey });
  return issueClusterCerts({ cluster: r.cluster, ca, etcdCa, altNames: r.altNames });
}

/**
 * Why `certs` cannot be served, or undefined: each leaf must be signed by its CA, be no CA
 * itself, and come with its own key. Checked at registration so a wrong bundle is a 400,
 * not a TLS failure in KCP minutes later.
 */
export function certsProblem(certs: ClusterCerts): string | undefined {
  const check = (what: string, leaf: CertKeyPair, caPem: string): string | undefined => {
    let cert: X509Certificate;
    let ca: X509Certificate;
    try {
      cert = new X509Certificate(leaf.certPem);
      ca = new X509Certificate(caPem);
    } catch (err) {
      return `${what}: not a PEM certificate (${(err as Error).message})`;
    }
    if (cert.ca) return `${what}: is a CA certificate; send a leaf issued from the CA`;
    if (!cert.verify(ca.publicKey)) return `${what}: not issued by its CA`;
    try {
      if (!cert.checkPrivateKey(createPrivateKey(leaf.keyPem))) return `${what}: the key is not the certificate's`;
    } catch (err) {
      return `${what}: the key is not a PEM private key (${(err as Error).message})`;
    }
    return undefined;
  };
  return (
    check('serving', certs.serving, certs.caCertPem) ??
    check('admin', certs.admin, certs.caCertPem) ??
    check('etcdServing', certs.etcdServing, certs.etcdCaCertPem)
  );
}
