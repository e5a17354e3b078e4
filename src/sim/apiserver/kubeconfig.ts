// The admin kubeconfig an instance writes (the CA inline; a bearer token, or a client
// certificate as kind writes it).
import { stringify } from 'yaml';

export type KubeconfigCredential = { token: string } | { certPem: string; keyPem: string };

export function renderKubeconfig(
  p: { clusterName: string; server: string; caPem: string; userName: string } & KubeconfigCredential,
): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const user =
    'token' in p ? { token: p.token } : { 'client-certificate-data': b64(p.certPem), 'client-key-data': b64(p.keyPem) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': b64(p.caPem) } }],
    users: [{ name: p.userName, user }],
    contexts: [{ name: p.clusterName, context: { cluster: p.clusterName, user: p.userName } }],
    'current-context': p.clusterName,
    preferences: {},
  });
}
