// The per-cluster kube-apiserver Service + Deployment (SEED §8.9, v2 flags).
// TODO(manifests): replace with src/manifests/apiserver.ts when it lands (same names,
// same component label, which the simulated kubelet and the engine's informer select on).
import { ownershipLabels, type Ownership } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_COMPONENT, WORKLOAD_APISERVER } from './labels.js';

export interface ApiserverParams {
  cluster: string;
  namespace: string;
  ownership: Ownership;
  serviceType: 'ClusterIP' | 'NodePort';
  nodePort?: number;
  kubernetesVersion: string;
  etcdEndpoint: string;
  serviceCidr: string;
}

export const APISERVER_NAME = 'test-kube-apiserver';

export function apiserverObjects(p: ApiserverParams): KubeObject[] {
  const labels = { ...ownershipLabels(p.ownership), [LABEL_COMPONENT]: WORKLOAD_APISERVER };
  const app = { app: APISERVER_NAME };
  const port: Record<string, unknown> = { name: 'https', port: 6443, targetPort: 6443, protocol: 'TCP' };
  if (p.serviceType === 'NodePort' && p.nodePort) port.nodePort = p.nodePort;
  const vol = (name: string, secretName: string) => ({ name, secret: { secretName } });
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: APISERVER_NAME, namespace: p.namespace, labels },
      spec: { type: p.serviceType, selector: app, ports: [port] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: APISERVER_NAME, namespace: p.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: app },
        template: {
          metadata: { labels: { ...app, [LABEL_COMPONENT]: WORKLOAD_APISERVER } },
          spec: {
            containers: [
              {
                name: 'kube-apiserver',
                image: `registry.k8s.io/kube-apiserver:${p.kubernetesVersion}`,
                command: [
                  'kube-apiserver',
                  '--allow-privileged=true',
                  '--authorization-mode=Node,RBAC',
                  '--client-ca-file=/etc/kubernetes/pki/ca/tls.crt',
                  '--enable-admission-plugins=AlwaysAdmit',
                  '--enable-bootstrap-token-auth=true',
                  '--etcd-cafile=/etc/kubernetes/pki/etcd-ca/tls.crt',
                  '--etcd-certfile=/etc/kubernetes/pki/etcd/tls.crt',
                  '--etcd-keyfile=/etc/kubernetes/pki/etcd/tls.key',
                  `--etcd-servers=${p.etcdEndpoint}`,
                  `--etcd-prefix=/${p.cluster}`,
                  '--etcd-compaction-interval=0',
                  '--profiling=false',
                  '--watch-cache=false',
                  '--enable-garbage-collector=false',
                  '--enable-priority-and-fairness=false',
                  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
                  '--service-account-key-file=/etc/kubernetes/pki/sa/tls.crt',
                  '--service-account-signing-key-file=/etc/kubernetes/pki/sa/tls.key',
                  `--service-cluster-ip-range=${p.serviceCidr}`,
                  '--tls-cert-file=/etc/kubernetes/pki/k8s/tls.crt',
                  '--tls-private-key-file=/etc/kubernetes/pki/k8s/tls.key',
                ],
                ports: [{ containerPort: 6443, name: 'https' }],
                volumeMounts: [
                  { name: 'etcd-ca', mountPath: '/etc/kubernetes/pki/etcd-ca', readOnly: true },
                  { name: 'etcd', mountPath: '/etc/kubernetes/pki/etcd', readOnly: true },
                  { name: 'ca', mountPath: '/etc/kubernetes/pki/ca', readOnly: true },
                  { name: 'sa', mountPath: '/etc/kubernetes/pki/sa', readOnly: true },
                  { name: 'k8s', mountPath: '/etc/kubernetes/pki/k8s', readOnly: true },
                ],
              },
            ],
            volumes: [vol('etcd-ca', `${p.cluster}-etcd`), vol('etcd', `${p.cluster}-apiserver-etcd-client`), vol('ca', `${p.cluster}-ca`), vol('sa', `${p.cluster}-sa`), vol('k8s', 'apiserver')],
          },
        },
      },
    },
  ];
}
