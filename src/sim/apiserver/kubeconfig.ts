// The admin kubeconfig an instance writes (bearer token; the CA inline).
import { stringify } from 'yaml';

export function renderKubeconfig(p: { clusterName: string; server: string; caPem: string; userName: string; token: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': Buffer.from(p.caPem).toString('base64') } }],
    users: [{ name: p.userName, user: { token: p.token } }],
    contexts: [{ name: p.clusterName, context: { cluster: p.clusterName, user: p.userName } }],
    'current-context': p.clusterName,
    preferences: {},
  });
}
