// The multi-tenant etcd that backs the fake workload API servers (SEED-SCRIPTS §6),
// with the seed's flags but two fixes: data lives on a PersistentVolumeClaim (the seed
// kept it in the container filesystem and lost every tenant and the auth config on a
// pod restart, §15 item 13), and the image is current.
import { COMPONENT_ETCD, LABEL_COMPONENT, type Ownership } from './labels.js';
import { b64, meta } from './meta.js';
import type { PemPair } from './pki-secrets.js';
import type { KubeObject } from './types.js';

export const ETCD_NAMESPACE = 'etcd-system';
/** etcd 3.6.4 is what kubeadm pins for Kubernetes v1.34. */
export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.4-0';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** Plain-HTTP metrics/health listener (no client certs needed), used by the probes. */
export const ETCD_METRICS_PORT = 2381;

export const ETCD_SECRET_NAMES = {
  ca: 'etcd-ca',
  server: 'etcd-server',
  peer: 'etcd-peer',
  root: 'etcd-root',
  rootClient: 'etcd-root-client',
} as const;

/**
 * Paths inside the etcd pod. The tenancy admin runs etcdctl with these over kubectl exec,
 * authenticating as root with the root client certificate (CN=root), so no password is
 * ever on a command line in the pod or on the machine running kubectl.
 */
export const ETCD_POD_PATHS = {
  ca: '/etc/etcd/pki/ca/ca.crt',
  serverCert: '/etc/etcd/pki/server/tls.crt',
  serverKey: '/etc/etcd/pki/server/tls.key',
  peerCert: '/etc/etcd/pki/peer/tls.crt',
  peerKey: '/etc/etcd/pki/peer/tls.key',
  rootClientCert: '/etc/etcd/pki/root-client/tls.crt',
  rootClientKey: '/etc/etcd/pki/root-client/tls.key',
  /** A subdirectory of the volume: a fresh volume's root may hold lost+found, which etcd rejects. */
  dataDir: '/var/lib/etcd/data',
  volume: '/var/lib/etcd',
} as const;

/** Names the engine needs to reach the etcd (kept identical to engine/backing's first cut). */
export const ETCD = {
  namespace: ETCD_NAMESPACE,
  statefulSet: 'etcd',
  pod: 'etcd-0',
  container: 'etcd',
  clientService: 'etcd-server',
  headlessService: 'etcd',
  caSecret: ETCD_SECRET_NAMES.ca,
  serverSecret: ETCD_SECRET_NAMES.server,
  peerSecret: ETCD_SECRET_NAMES.peer,
  rootSecret: ETCD_SECRET_NAMES.root,
  rootClientSecret: ETCD_SECRET_NAMES.rootClient,
  image: ETCD_IMAGE,
  mount: {
    ca: ETCD_POD_PATHS.ca,
    cert: ETCD_POD_PATHS.serverCert,
    key: ETCD_POD_PATHS.serverKey,
    rootCert: ETCD_POD_PATHS.rootClientCert,
    rootKey: ETCD_POD_PATHS.rootClientKey,
  },
  /** The pod volume holding the root client certificate; setup adds it to an older StatefulSet. */
  rootClientVolume: 'root-client',
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
    spec: {
      type: 'ClusterIP',
      selector: { ...APP },
      ports: [{ name: 'client', port: ETCD_CLIENT_PORT, targetPort: 'client' }],
    },
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
              name: ETCD.container,
              image: p.image ?? ETCD_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command,
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
                {
                  name: 'POD_NAMESPACE',
                  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                },
              ],
              ports: [
                { name: 'client', containerPort: ETCD_CLIENT_PORT, protocol: 'TCP' },
                { name: 'peer', containerPort: ETCD_PEER_PORT, protocol: 'TCP' },
                { name: 'metrics', containerPort: ETCD_METRICS_PORT, protocol: 'TCP' },
              ],
              // Readiness only: a liveness restart of the only member would be an outage.
              // etcd >= 3.5.11 serves /readyz on the metrics listener (no client cert needed).
              readinessProbe: {
                httpGet: { path: '/readyz', port: ETCD_METRICS_PORT, scheme: 'HTTP' },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              volumeMounts: [
                { name: 'data', mountPath: ETCD_POD_PATHS.volume },
                { name: 'ca', mountPath: '/etc/etcd/pki/ca', readOnly: true },
                { name: 'server', mountPath: '/etc/etcd/pki/server', readOnly: true },
                { name: 'peer', mountPath: '/etc/etcd/pki/peer', readOnly: true },
                { name: 'root-client', mountPath: '/etc/etcd/pki/root-client', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'ca', secret: { secretName: ETCD_SECRET_NAMES.ca } },
            { name: 'server', secret: { secretName: ETCD_SECRET_NAMES.server } },
            { name: 'peer', secret: { secretName: ETCD_SECRET_NAMES.peer } },
            // 0400: only etcd's own user reads the key that is root on this etcd.
            { name: 'root-client', secret: { secretName: ETCD_SECRET_NAMES.rootClient, defaultMode: 0o400 } },
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
  /** Only the etcd CA certificate goes into the cluster; its key stays with the engine (§15.28). */
  caCert: string;
  /** Serving cert (also used by etcdctl inside the pod as a client cert: needs clientAuth usage). */
  server: PemPair;
  peer: PemPair;
  /** Root client certificate (CN=root) for etcdctl in the pod: root without a password. */
  rootClient?: PemPair;
  /** Generated etcd root password (the seed used `rootpw`), kept so a re-run of setup sets the same one. */
  rootPassword?: string;
  ownership: Ownership;
}

export function etcdSecrets(p: EtcdSecretsParams): KubeObject[] {
  const ns = p.namespace ?? ETCD_NAMESPACE;
  const tls = (name: string, pair: PemPair): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(name, ns, p.ownership, { ...APP }),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key), 'ca.crt': b64(p.caCert) },
  });
  const out: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(ETCD_SECRET_NAMES.ca, ns, p.ownership, { ...APP }),
      type: 'Opaque',
      data: { 'ca.crt': b64(p.caCert) },
    },
    tls(ETCD_SECRET_NAMES.server, p.server),
    tls(ETCD_SECRET_NAMES.peer, p.peer),
  ];
  if (p.rootClient) out.push(tls(ETCD_SECRET_NAMES.rootClient, p.rootClient));
  if (p.rootPassword !== undefined) {
    if (p.rootPassword === '') throw new Error('etcd root password must not be empty');
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(ETCD_SECRET_NAMES.root, ns, p.ownership, { ...APP }),
      type: 'kubernetes.io/basic-auth',
      data: { username: b64('root'), password: b64(p.rootPassword) },
    });
  }
  return out;
}
