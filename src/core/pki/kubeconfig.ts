// A kubeconfig with inline data (no file references), as kubeadm and CAPI write them.
import { stringify } from 'yaml';
import { UserError } from '../errors.js';

export interface KubeconfigParams {
  clusterName: string;
  server: string;
  caPem: string;
  userName: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(p: KubeconfigParams): string {
  let url: URL;
  try {
    url = new URL(p.server);
  } catch {
    throw new UserError(
      `kubeconfig server "${p.server}" is not a URL`,
      'use https://<host>:<port>, e.g. https://127.0.0.1:6443',
    );
  }
  if (url.protocol !== 'https:')
    throw new UserError(
      `kubeconfig server "${p.server}" is not https`,
      'the API server is dialled over TLS: use an https:// URL',
    );
  if (Boolean(p.clientCertPem) !== Boolean(p.clientKeyPem)) {
    throw new UserError(
      `kubeconfig user "${p.userName}" has a client certificate without its key (or the reverse)`,
      'pass both clientCertPem and clientKeyPem',
    );
  }
  if (!p.clientCertPem && !p.token) {
    throw new UserError(
      `kubeconfig user "${p.userName}" has no credentials`,
      'pass a client certificate and key, or a bearer token',
    );
  }
  const user: Record<string, string> = {};
  if (p.clientCertPem && p.clientKeyPem) {
    user['client-certificate-data'] = b64(p.clientCertPem);
    user['client-key-data'] = b64(p.clientKeyPem);
  }
  if (p.token) user.token = p.token;
  const context = `${p.userName}@${p.clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': b64(p.caPem) } }],
    users: [{ name: p.userName, user }],
    contexts: [{ name: context, context: { cluster: p.clusterName, user: p.userName } }],
    'current-context': context,
    preferences: {},
  });
}
