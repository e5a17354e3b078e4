// The certificate Secrets KCP must find before it generates its own (SEED-SCRIPTS §4.3,
// §5.3): with external etcd, CAPI treats <cluster>-etcd and <cluster>-apiserver-etcd-client
// as user-provided, and CAPI v1beta2 only adopts user Secrets labelled
// cluster.x-k8s.io/cluster-name. PEMs come from the caller (src/engine/pki).
import { LABEL_CAPI_CLUSTER_NAME, type Ownership } from './labels.js';
import { b64, meta } from './meta.js';
import type { KubeObject } from './types.js';

export interface PemPair {
  cert: string;
  key: string;
}

export interface PkiSecretsParams {
  cluster: string;
  namespace: string;
  ownership: Ownership;
  /** Kubernetes CA (cert + key): KCP signs the admin kubeconfig with it. */
  ca: PemPair;
  /** etcd CA; the key is optional (KCP only needs the cert for external etcd; the seed shipped the key too). */
  etcdCa: { cert: string; key?: string };
  /** Client cert with CN = the etcd tenant user (the cluster name). */
  apiserverEtcdClient: PemPair;
  /**
   * The fake API server's serving cert, signed by `ca`. Omitted: no `apiserver` Secret
   * (shared topology: the one shared API server's Secret lives in its own namespace).
   */
  apiserver?: PemPair;
  /**
   * Service-account key pair: public key PEM in tls.crt, private key in tls.key (as CAPI
   * writes <cluster>-sa). Omitted: KCP generates <cluster>-sa itself.
   */
  serviceAccount?: { publicKey: string; privateKey: string };
}

export const secretNames = (cluster: string) =>
  ({
    ca: `${cluster}-ca`,
    etcdCa: `${cluster}-etcd`,
    apiserverEtcdClient: `${cluster}-apiserver-etcd-client`,
    apiserver: 'apiserver',
    serviceAccount: `${cluster}-sa`,
  }) as const;

export function tlsSecret(
  name: string,
  namespace: string,
  ownership: Ownership,
  cert: string,
  key: string | undefined,
  extraLabels: Record<string, string> = {},
): KubeObject {
  // kubernetes.io/tls requires both keys to be present; an absent key is stored empty.
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(name, namespace, ownership, extraLabels),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(cert), 'tls.key': b64(key ?? '') },
  };
}

export function pkiSecrets(p: PkiSecretsParams): KubeObject[] {
  const names = secretNames(p.cluster);
  const own: Ownership = { ...p.ownership, cluster: p.ownership.cluster ?? p.cluster };
  const capi = { [LABEL_CAPI_CLUSTER_NAME]: p.cluster };
  const s = (name: string, cert: string, key: string | undefined) => tlsSecret(name, p.namespace, own, cert, key, capi);
  const out = [
    s(names.ca, p.ca.cert, p.ca.key),
    s(names.etcdCa, p.etcdCa.cert, p.etcdCa.key),
    s(names.apiserverEtcdClient, p.apiserverEtcdClient.cert, p.apiserverEtcdClient.key),
  ];
  if (p.apiserver) out.push(s(names.apiserver, p.apiserver.cert, p.apiserver.key));
  if (p.serviceAccount) out.push(s(names.serviceAccount, p.serviceAccount.publicKey, p.serviceAccount.privateKey));
  return out;
}
