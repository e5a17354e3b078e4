// KCP's cluster certificates and kubeconfig (CAPI v1.14 reconcileClusterCertificates and
// reconcileKubeconfig). KCP looks up <c>-ca, <c>-etcd, <c>-sa and <c>-proxy and generates
// the missing ones as Secrets of type cluster.x-k8s.io/secret, labelled only with the
// cluster name and controller-owned by the KCP. With external etcd the etcd CA and the
// API server's etcd client certificate (<c>-apiserver-etcd-client) belong to the user:
// KCP must find both and never makes them. <c>-kubeconfig holds an admin client
// certificate signed by <c>-ca for the controlPlaneEndpoint.
import type { ControllerContext } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import { field, ownerRef, type Obj } from './helpers.js';
import { newCa, newClientCert, newRsaKey } from './pki.js';

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The Secret as upstream's secret.Certificate.AsSecret writes it: one label, KCP as controller. */
export function clusterSecret(
  name: string,
  namespace: string,
  cluster: string,
  owner: Obj,
  data: Record<string, string>,
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'cluster.x-k8s.io/secret',
    metadata: {
      name,
      namespace,
      labels: { [CLUSTER_NAME_LABEL]: cluster },
      ownerReferences: [ownerRef(owner)],
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

export function isExternalEtcd(kcp: Obj): boolean {
  return Boolean(field(kcp, 'spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'external'));
}

/** Ensures the cluster certificates; returns the cluster CA. Throws while a user-owned one is missing. */
export async function ensureCertificates(
  ctx: ControllerContext,
  kcp: Obj,
  cluster: string,
): Promise<{ cert: string; key: string }> {
  const ns = kcp.metadata.namespace ?? '';
  const external = isExternalEtcd(kcp);
  let ca: { cert: string; key: string } | undefined;
  const purposes = external ? ['ca', 'etcd', 'apiserver-etcd-client', 'sa', 'proxy'] : ['ca', 'etcd', 'sa', 'proxy'];
  for (const purpose of purposes) {
    const name = `${cluster}-${purpose}`;
    const existing = await ctx.client.get(objectPath(R.secret, name, ns));
    if (existing) {
      const d = (existing.data ?? {}) as Record<string, string>;
      if (purpose === 'ca' && d['tls.crt'] && d['tls.key'])
        ca = {
          cert: Buffer.from(d['tls.crt'], 'base64').toString(),
          key: Buffer.from(d['tls.key'], 'base64').toString(),
        };
      continue;
    }
    if (external && (purpose === 'etcd' || purpose === 'apiserver-etcd-client'))
      throw new Error(`secret ${ns}/${name} not found: external etcd needs it pre-created`);
    let data: Record<string, string>;
    if (purpose === 'sa') {
      const k = await newRsaKey();
      data = { 'tls.crt': k.publicKeyPem, 'tls.key': k.privateKeyPem };
    } else {
      const c = await newCa(purpose === 'proxy' ? 'front-proxy-ca' : purpose === 'etcd' ? 'etcd-ca' : 'kubernetes');
      data = { 'tls.crt': c.certPem, 'tls.key': c.keyPem };
      if (purpose === 'ca') ca = { cert: c.certPem, key: c.keyPem };
    }
    await ctx.client.create(collectionPath(R.secret, ns), clusterSecret(name, ns, cluster, kcp, data));
  }
  if (!ca) throw new Error(`secret ${ns}/${cluster}-ca has no tls.crt/tls.key`);
  return ca;
}

/** Writes <c>-kubeconfig once the endpoint is known; false while it is not. */
export async function ensureKubeconfig(
  ctx: ControllerContext,
  kcp: Obj,
  cluster: Obj,
  ca: { cert: string; key: string },
): Promise<boolean> {
  const ns = kcp.metadata.namespace ?? '';
  const c = cluster.metadata.name;
  const name = `${c}-kubeconfig`;
  if (await ctx.client.get(objectPath(R.secret, name, ns))) return true;
  const ep = field<{ host?: string; port?: number }>(cluster, 'spec', 'controlPlaneEndpoint');
  if (!ep?.host) return false;
  const admin = await newClientCert(ca.cert, ca.key, 'kubernetes-admin', 'system:masters');
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${c}`,
    '  cluster:',
    `    server: https://${ep.host}:${ep.port ?? 6443}`,
    `    certificate-authority-data: ${b64(ca.cert)}`,
    'users:',
    `- name: ${c}-admin`,
    '  user:',
    `    client-certificate-data: ${b64(admin.certPem)}`,
    `    client-key-data: ${b64(admin.keyPem)}`,
    'contexts:',
    `- name: ${c}-admin@${c}`,
    '  context:',
    `    cluster: ${c}`,
    `    user: ${c}-admin`,
    `current-context: ${c}-admin@${c}`,
    '',
  ].join('\n');
  await ctx.client.create(collectionPath(R.secret, ns), clusterSecret(name, ns, c, kcp, { value: yaml }));
  return true;
}
