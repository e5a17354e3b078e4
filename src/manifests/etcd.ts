// The multi-tenant etcd that backs the fake workload API servers (SEED-SCRIPTS §6),
// with the seed's flags but two fixes: data lives on a PersistentVolumeClaim (the seed
// kept it in the container filesystem and lost every tenant and the auth config on a
// pod restart, §15 item 13), and the image is current.
import { COMPONENT_ETCD, LABEL_COMPONENT, type Ownership } from './labels.js';
import { meta } from './meta.js';
import { tlsSecret, type PemPair } from './pki-secrets.js';
import type { KubeObject } from './types.js';

export const ETCD_NAMESPACE = 'etcd-system';
/** etcd 3.6.4 is what kubeadm pins for Kubernetes v1.34. */
export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.4-0';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** Plain-HTTP metrics/health listener (no client certs needed), used by the probes. */
export const ETCD_METRICS_PORT = 2381;

export const ETCD_SECRET_NAMES = { ca: 'etcd-ca', server: 'etcd-server', peer: 'etcd-peer' } as const;

/** Paths inside the etcd pod; the etcd tenancy admin runs etcdctl with these over kubectl exec. */
export const ETCD_POD_PATHS = {
  ca: '/etc/kubernetes/pki/ca/tls.crt',
  serverCert: '/etc/kubernetes/pki/etcd/tls.crt',
  serverKey: '/etc/kubernetes/pki/etcd/tls.key',
  peerCert: '/etc/kubernetes/pki/etcd-peer/tls.crt',
  peerKey: '/etc/kubernetes/pki/etcd-peer/tls.key',
  dataDir: '/var/lib/etcd',
} as const;

export interface EtcdParams {
  namespace?: string;
  image?: string;
  /** PVC size (default 10Gi) and class (default: the cluster's default StorageClass). */
  storage?: { size?: string; storageClassName?: string };
  /** --quota-backend-bytes; the seed used 8 GiB. */
  quotaBackendBytes?: number;
  ownership: Ownership;
}

const APP = { app: 'etcd' };

/** In-cluster DNS name of the client Service; what the API servers' --etcd-servers point at. */
export const etcdClientUrl = (namespace: string = ETCD_NAMESPACE): string =>
  `https://etcd-server.${namespace}.svc.cluster.local:${ETCD_CLIENT_PORT}`;

export function etcdObjects(p: EtcdParams): KubeObject[] {
  const ns = p.namespace ?? ETCD_NAMESPACE;
  const labels = { ...APP, [LABEL_COMPONENT]: COMPONENT_ETCD };
  const member = `https://etcd-0.etcd.${ns}.svc.cluster.local`;
  const client: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('etcd-server', ns, p.ownership, labels),
    spec: { type: 'ClusterIP', selector: { ...APP }, ports: [{ name: 'client', port: ETCD_CLIENT_PORT, targetPort: 'client' }] },
  };
  const headless: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('etcd', ns, p.ownership, labels),
    spec: {
      clusterIP: 'None',
      // Peer DNS must resolve before the member is ready, or etcd cannot bootstrap.
      publishNotReadyAddresses: true,
      selector: { ...APP },
      ports: [
        { name: 'client', port: ETCD_CLIENT_PORT },
        { name: 'peer', port: ETCD_PEER_PORT },
      ],
    },
  };
  const command = [
    'etcd',
    `--data-dir=${ETCD_POD_PATHS.dataDir}`,
    '--name=$(POD_NAME)',
    '--initial-cluster-state=new',
    `--initial-cluster=etcd-0=${member}:${ETCD_PEER_PORT}`,
    `--initial-advertise-peer-urls=https://$(POD_NAME).etcd.${ns}.svc.cluster.local:${ETCD_PEER_PORT}`,
    '--initial-cluster-token=etcd-cluster',
    `--listen-client-urls=https://0.0.0.0:${ETCD_CLIENT_PORT}`,
    `--advertise-client-urls=${member}:${ETCD_CLIENT_PORT},${etcdClientUrl(ns)}`,
    `--listen-metrics-urls=http://0.0.0.0:${ETCD_METRICS_PORT}`,
    // Tenancy: a client cert's CN is the etcd user once auth is enabled (SEED-SCRIPTS §6).
    '--client-cert-auth=true',
    `--trusted-ca-file=${ETCD_POD_PATHS.ca}`,
    `--cert-file=${ETCD_POD_PATHS.serverCert}`,
    `--key-file=${ETCD_POD_PATHS.serverKey}`,
    `--listen-peer-urls=https://0.0.0.0:${ETCD_PEER_PORT}`,
    '--peer-client-cert-auth=true',
    `--peer-trusted-ca-file=${ETCD_POD_PATHS.ca}`,
    `--peer-cert-file=${ETCD_POD_PATHS.peerCert}`,
    `--peer-key-file=${ETCD_POD_PATHS.peerKey}`,
    '--snapshot-count=8000',
    // The API servers run with --etcd-compaction-interval=0; etcd compacts itself.
    '--auto-compaction-mode=periodic',
    '--auto-compaction-retention=5m',
    `--quota-backend-bytes=${p.quotaBackendBytes ?? 8 * 1024 ** 3}`,
  ];
  const sts: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('etcd', ns, p.ownership, labels),
    spec: {
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      serviceName: 'etcd',
      selector: { matchLabels: { ...APP } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'etcd',
              image: p.image ?? ETCD_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command,
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
              ],
              ports: [
                { name: 'client', containerPort: ETCD_CLIENT_PORT, protocol: 'TCP' },
                { name: 'peer', containerPort: ETCD_PEER_PORT, protocol: 'TCP' },
                { name: 'metrics', containerPort: ETCD_METRICS_PORT, protocol: 'TCP' },
              ],
              // Readiness only: a liveness restart of the only member would be an outage.
              readinessProbe: { httpGet: { path: '/health', port: ETCD_METRICS_PORT, scheme: 'HTTP' }, periodSeconds: 5, failureThreshold: 3 },
              volumeMounts: [
                { name: 'data', mountPath: ETCD_POD_PATHS.dataDir },
                { name: 'etcd-server', mountPath: '/etc/kubernetes/pki/etcd', readOnly: true },
                { name: 'etcd-ca', mountPath: '/etc/kubernetes/pki/ca', readOnly: true },
                { name: 'etcd-peer', mountPath: '/etc/kubernetes/pki/etcd-peer', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'etcd-server', secret: { secretName: ETCD_SECRET_NAMES.server } },
            // Only the CA certificate: the CA key never needs to reach the pod.
            { name: 'etcd-ca', secret: { secretName: ETCD_SECRET_NAMES.ca, items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
            { name: 'etcd-peer', secret: { secretName: ETCD_SECRET_NAMES.peer } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: { ...APP } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(p.storage?.storageClassName ? { storageClassName: p.storage.storageClassName } : {}),
            resources: { requests: { storage: p.storage?.size ?? '10Gi' } },
          },
        },
      ],
    },
  };
  return [client, headless, sts];
}

export interface EtcdSecretsParams {
  namespace?: string;
  /** The etcd CA; its key is optional here (only the engine's signer needs it). */
  ca: { cert: string; key?: string };
  /** Serving cert (also used by etcdctl inside the pod as a client cert: needs clientAuth usage). */
  server: PemPair;
  peer: PemPair;
  ownership: Ownership;
}

export function etcdSecrets(p: EtcdSecretsParams): KubeObject[] {
  const ns = p.namespace ?? ETCD_NAMESPACE;
  return [
    tlsSecret(ETCD_SECRET_NAMES.ca, ns, p.ownership, p.ca.cert, p.ca.key),
    tlsSecret(ETCD_SECRET_NAMES.server, ns, p.ownership, p.server.cert, p.server.key),
    tlsSecret(ETCD_SECRET_NAMES.peer, ns, p.ownership, p.peer.cert, p.peer.key),
  ];
}
