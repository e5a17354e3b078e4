// The fake workload API server: a real kube-apiserver Deployment + Service per cluster
// (dedicated/backing topologies, SEED-SCRIPTS §8.9) or one shared instance (v1, §8.2).
// Nothing else of Kubernetes runs for a workload cluster, so the flags strip what a
// lone API server does not need (watch cache, GC, APF, admission) to save memory.
import { COMPONENT_WORKLOAD_APISERVER, LABEL_CLUSTER, LABEL_COMPONENT, type Ownership } from './labels.js';
import { meta } from './meta.js';
import { etcdObjects } from './etcd.js';
import { secretNames } from './pki-secrets.js';
import type { KubeObject } from './types.js';

export const APISERVER_NAME = 'test-kube-apiserver';
export const APISERVER_PORT = 6443;

/**
 * The etcd key prefix of a cluster's API server and its etcd tenant role. With the
 * trailing slash, `--etcd-prefix=/test-1/` makes every key the server writes start with
 * `/test-1/`, so a role granted (and a delete done) on `/test-1/` covers all of them
 * and never touches `/test-10/` (the seed's prefix-deletion bug, §15 item 14).
 */
export function etcdPrefix(cluster: string): string {
  return `/${cluster}/`;
}

export interface ApiserverSecretNames {
  /** Secret with the etcd CA cert (tls.crt). */
  etcdCa: string;
  /** Client cert/key for etcd (CN = tenant user). */
  etcdClient: string;
  /** Kubernetes CA (tls.crt used as --client-ca-file). */
  ca: string;
  /** SA key pair: public in tls.crt, private in tls.key. */
  serviceAccount: string;
  /** Serving cert/key. */
  serving: string;
}

export interface ApiserverParams {
  cluster: string;
  namespace: string;
  kubernetesVersion: string;
  etcdServers: string[];
  serviceType: 'ClusterIP' | 'NodePort';
  /** Fixed NodePort (30000-32767) when serviceType is NodePort; otherwise Kubernetes picks one. */
  nodePort?: number;
  /** --service-cluster-ip-range of the workload API (the seed used 10.96.0.0/16). */
  serviceCidr?: string;
  /** Defaults to etcdPrefix(cluster). */
  etcdPrefix?: string;
  /** Defaults to the per-cluster names of pki-secrets.ts. */
  secrets?: ApiserverSecretNames;
  ownership: Ownership;
}

export function defaultApiserverSecrets(cluster: string): ApiserverSecretNames {
  const n = secretNames(cluster);
  return {
    etcdCa: n.etcdCa,
    etcdClient: n.apiserverEtcdClient,
    ca: n.ca,
    serviceAccount: n.serviceAccount,
    serving: n.apiserver,
  };
}

/** Admission plugins a lone fake API server does not need (the default-on list of its version). */
export function disabledAdmissionPlugins(kubernetesVersion: string): string[] {
  const m = /^v?1\.(\d+)/.exec(kubernetesVersion);
  const minor = m ? Number(m[1]) : 99;
  const plugins = [
    'NamespaceLifecycle',
    'LimitRanger',
    'ServiceAccount',
    'TaintNodesByCondition',
    'PodSecurity',
    'Priority',
    'DefaultTolerationSeconds',
    'DefaultStorageClass',
    'StorageObjectInUseProtection',
    'PersistentVolumeClaimResize',
    'RuntimeClass',
    'CertificateApproval',
    'CertificateSigning',
    'CertificateSubjectRestriction',
    'DefaultIngressClass',
    'MutatingAdmissionWebhook',
    'ValidatingAdmissionWebhook',
    'ResourceQuota',
  ];
  // Unknown names make kube-apiserver refuse to start, so only list what the version has.
  if (minor >= 26) plugins.push('ValidatingAdmissionPolicy');
  if (minor >= 27) plugins.push('ClusterTrustBundleAttest');
  if (minor >= 32) plugins.push('MutatingAdmissionPolicy');
  return plugins;
}

const PKI = '/etc/kubernetes/pki';

export function apiserverCommand(p: ApiserverParams): string[] {
  return [
    'kube-apiserver',
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${PKI}/ca/tls.crt`,
    '--enable-bootstrap-token-auth=true',
    `--etcd-cafile=${PKI}/etcd-ca/tls.crt`,
    `--etcd-certfile=${PKI}/etcd/tls.crt`,
    `--etcd-keyfile=${PKI}/etcd/tls.key`,
    `--etcd-servers=${p.etcdServers.join(',')}`,
    `--etcd-prefix=${p.etcdPrefix ?? etcdPrefix(p.cluster)}`,
    // etcd compacts itself (--auto-compaction-*); 1000 API servers compacting would be load.
    '--etcd-compaction-interval=0',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${PKI}/sa/tls.crt`,
    `--service-account-signing-key-file=${PKI}/sa/tls.key`,
    `--service-cluster-ip-range=${p.serviceCidr ?? '10.96.0.0/16'}`,
    `--secure-port=${APISERVER_PORT}`,
    `--tls-cert-file=${PKI}/k8s/tls.crt`,
    `--tls-private-key-file=${PKI}/k8s/tls.key`,
    // Memory savers (the seed measured ~200 MiB per server with these).
    '--profiling=false',
    '--watch-cache=false',
    '--etcd-count-metric-poll-period=0',
    '--etcd-db-metric-poll-interval=0',
    '--enable-garbage-collector=false',
    '--enable-priority-and-fairness=false',
    '--runtime-config=api/alpha=false',
    '--enable-admission-plugins=AlwaysAdmit',
    `--disable-admission-plugins=${disabledAdmissionPlugins(p.kubernetesVersion).join(',')}`,
  ];
}

export function apiserverObjects(p: ApiserverParams): KubeObject[] {
  const own: Ownership = { ...p.ownership, cluster: p.ownership.cluster ?? p.cluster };
  const secrets = p.secrets ?? defaultApiserverSecrets(p.cluster);
  const selector = { app: APISERVER_NAME, [LABEL_CLUSTER]: p.cluster };
  const labels = { app: APISERVER_NAME, [LABEL_COMPONENT]: COMPONENT_WORKLOAD_APISERVER };
  if (p.nodePort !== undefined && (p.serviceType !== 'NodePort' || p.nodePort < 30000 || p.nodePort > 32767)) {
    throw new RangeError(`nodePort ${p.nodePort} needs serviceType NodePort and a port in 30000-32767`);
  }
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(APISERVER_NAME, p.namespace, own, labels),
    spec: {
      type: p.serviceType,
      selector,
      ports: [
        {
          name: 'https',
          port: APISERVER_PORT,
          targetPort: 'https',
          protocol: 'TCP',
          ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        },
      ],
    },
  };
  const certOnly = [{ key: 'tls.crt', path: 'tls.crt' }];
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(APISERVER_NAME, p.namespace, own, labels),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...selector } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          // No resource requests on purpose: 1000 of these would not schedule on the
          // test machine with even a modest request; the seed ran them unbounded too.
          containers: [
            {
              name: 'kube-apiserver',
              image: `registry.k8s.io/kube-apiserver:${p.kubernetesVersion}`,
              imagePullPolicy: 'IfNotPresent',
              command: apiserverCommand(p),
              ports: [{ name: 'https', containerPort: APISERVER_PORT, protocol: 'TCP' }],
              // "Available" must mean "answers": the engine writes into it right after.
              readinessProbe: {
                httpGet: { path: '/readyz', port: APISERVER_PORT, scheme: 'HTTPS' },
                periodSeconds: 2,
                failureThreshold: 3,
              },
              volumeMounts: [
                { name: 'etcd-ca', mountPath: `${PKI}/etcd-ca`, readOnly: true },
                { name: 'etcd-client', mountPath: `${PKI}/etcd`, readOnly: true },
                { name: 'ca', mountPath: `${PKI}/ca`, readOnly: true },
                { name: 'sa', mountPath: `${PKI}/sa`, readOnly: true },
                { name: 'serving', mountPath: `${PKI}/k8s`, readOnly: true },
              ],
            },
          ],
          volumes: [
            // CA Secrets hold keys too; only the certificates are projected into the pod.
            { name: 'etcd-ca', secret: { secretName: secrets.etcdCa, items: certOnly } },
            { name: 'etcd-client', secret: { secretName: secrets.etcdClient } },
            { name: 'ca', secret: { secretName: secrets.ca, items: certOnly } },
            { name: 'sa', secret: { secretName: secrets.serviceAccount } },
            { name: 'serving', secret: { secretName: secrets.serving } },
          ],
        },
      },
    },
  };
  return [service, deployment];
}

export interface SharedApiserverParams {
  /** The v1 namespace (metal3) holding the shared API server and its etcd. */
  namespace: string;
  /** The first cluster whose CA/SA Secrets the shared server uses (the seed's `test`). */
  cluster: string;
  kubernetesVersion: string;
  serviceType: 'ClusterIP' | 'NodePort';
  nodePort?: number;
  ownership: Ownership;
}

/**
 * The shared (v1) variant: one API server for all clusters, backed by the etcd in the
 * same namespace, with the default `/registry` prefix (no tenancy: one API, one keyspace).
 */
export function sharedApiserverObjects(p: SharedApiserverParams): KubeObject[] {
  const n = secretNames(p.cluster);
  return apiserverObjects({
    cluster: p.cluster,
    namespace: p.namespace,
    kubernetesVersion: p.kubernetesVersion,
    etcdServers: [`https://etcd-server.${p.namespace}.svc.cluster.local:2379`],
    serviceType: p.serviceType,
    ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    etcdPrefix: '/registry',
    secrets: {
      etcdCa: n.etcdCa,
      etcdClient: 'apiserver-etcd-client',
      ca: n.ca,
      serviceAccount: n.serviceAccount,
      serving: n.apiserver,
    },
    ownership: p.ownership,
  });
}

/**
 * The whole shared (v1) fake API: its etcd (same namespace, one keyspace, no tenants) and
 * the one API server. Secrets come separately (etcdSecrets + pkiSecrets for `cluster`).
 */
export function sharedApiStack(
  p: SharedApiserverParams & { etcdStorage?: { size?: string; storageClassName?: string } },
): KubeObject[] {
  return [
    ...etcdObjects({
      namespace: p.namespace,
      ownership: p.ownership,
      ...(p.etcdStorage ? { storage: p.etcdStorage } : {}),
    }),
    ...sharedApiserverObjects(p),
  ];
}
