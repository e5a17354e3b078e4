// The etcd-system objects of a backing cluster (SEED-SCRIPTS §6, §8.12), fixed: data on a
// PersistentVolume (§15.13), only the etcd CA *certificate* in the cluster (§15.28), and
// the generated root password in a Secret (never `rootpw`). Pure: PEMs and the password
// come from the caller.
// TODO(manifests): move to src/manifests/etcd.ts when that module lands; keep the names.
import { ownershipLabels, type Ownership } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import type { EtcdPki } from './etcd-pki.js';

export const ETCD = {
  namespace: 'etcd-system',
  statefulSet: 'etcd',
  pod: 'etcd-0',
  container: 'etcd',
  clientService: 'etcd-server',
  headlessService: 'etcd',
  caSecret: 'etcd-ca',
  serverSecret: 'etcd-server',
  peerSecret: 'etcd-peer',
  rootSecret: 'etcd-root',
  image: 'registry.k8s.io/etcd:3.6.4-0',
  /** Paths inside the pod, used by the in-pod etcdctl admin path. */
  mount: { ca: '/etc/etcd/pki/ca/ca.crt', cert: '/etc/etcd/pki/server/tls.crt', key: '/etc/etcd/pki/server/tls.key' },
} as const;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export interface EtcdObjectsParams {
  ownership: Ownership;
  pki: Pick<EtcdPki, 'ca' | 'server' | 'peer'>;
  rootPassword: string;
  storage?: string;
  storageClassName?: string;
}

export function etcdObjects(p: EtcdObjectsParams): KubeObject[] {
  const ns = ETCD.namespace;
  const labels = { ...ownershipLabels(p.ownership), app: 'etcd' };
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const tls = (name: string, pair: { cert: string; key: string }): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(name),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key), 'ca.crt': b64(p.pki.ca.cert) },
  });
  const peerUrl = `https://etcd-0.${ETCD.headlessService}.${ns}.svc.cluster.local:2380`;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: ownershipLabels(p.ownership) } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(ETCD.caSecret), type: 'Opaque', data: { 'ca.crt': b64(p.pki.ca.cert) } },
    tls(ETCD.serverSecret, p.pki.server),
    tls(ETCD.peerSecret, p.pki.peer),
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(ETCD.rootSecret), type: 'kubernetes.io/basic-auth', data: { username: b64('root'), password: b64(p.rootPassword) } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(ETCD.clientService),
      spec: { type: 'ClusterIP', selector: { app: 'etcd' }, ports: [{ name: 'client', port: 2379, targetPort: 2379 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(ETCD.headlessService),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: { app: 'etcd' },
        ports: [
          { name: 'client', port: 2379, targetPort: 2379 },
          { name: 'peer', port: 2380, targetPort: 2380 },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(ETCD.statefulSet),
      spec: {
        replicas: 1,
        serviceName: ETCD.headlessService,
        podManagementPolicy: 'OrderedReady',
        selector: { matchLabels: { app: 'etcd' } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: ETCD.container,
                image: ETCD.image,
                command: [
                  'etcd',
                  '--name=$(POD_NAME)',
                  '--data-dir=/var/lib/etcd/data',
                  `--initial-cluster=etcd-0=${peerUrl}`,
                  '--initial-cluster-state=new',
                  '--initial-cluster-token=etcd-cluster',
                  `--initial-advertise-peer-urls=${peerUrl}`,
                  '--listen-peer-urls=https://0.0.0.0:2380',
                  '--listen-client-urls=https://0.0.0.0:2379',
                  `--advertise-client-urls=https://etcd-0.${ETCD.headlessService}.${ns}.svc.cluster.local:2379,https://${ETCD.clientService}.${ns}.svc.cluster.local:2379`,
                  '--client-cert-auth=true',
                  `--trusted-ca-file=${ETCD.mount.ca}`,
                  `--cert-file=${ETCD.mount.cert}`,
                  `--key-file=${ETCD.mount.key}`,
                  '--peer-client-cert-auth=true',
                  `--peer-trusted-ca-file=${ETCD.mount.ca}`,
                  '--peer-cert-file=/etc/etcd/pki/peer/tls.crt',
                  '--peer-key-file=/etc/etcd/pki/peer/tls.key',
                  '--snapshot-count=8000',
                  '--auto-compaction-mode=periodic',
                  '--auto-compaction-retention=5m',
                  '--quota-backend-bytes=8589934592',
                  '--listen-metrics-urls=http://0.0.0.0:2381',
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [
                  { name: 'client', containerPort: 2379 },
                  { name: 'peer', containerPort: 2380 },
                  { name: 'metrics', containerPort: 2381 },
                ],
                readinessProbe: { httpGet: { path: '/readyz', port: 2381 }, periodSeconds: 5 },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/etcd' },
                  { name: 'ca', mountPath: '/etc/etcd/pki/ca', readOnly: true },
                  { name: 'server', mountPath: '/etc/etcd/pki/server', readOnly: true },
                  { name: 'peer', mountPath: '/etc/etcd/pki/peer', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'ca', secret: { secretName: ETCD.caSecret } },
              { name: 'server', secret: { secretName: ETCD.serverSecret } },
              { name: 'peer', secret: { secretName: ETCD.peerSecret } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(p.storageClassName ? { storageClassName: p.storageClassName } : {}),
              resources: { requests: { storage: p.storage ?? '10Gi' } },
            },
          },
        ],
      },
    },
  ];
}
