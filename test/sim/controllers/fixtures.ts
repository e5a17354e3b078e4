// One seed-style workload cluster's objects (v1beta2), the workload-side content the
// engine writes (SEED-SCRIPTS §7), and a serving certificate signed by the cluster CA.
import forge from 'node-forge';
import type { KubeObject } from '../../../src/manifests/types.js';
import { newCa, newRsaKey } from '../../../src/sim/controllers/pki.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export interface ClusterPki {
  ca: { certPem: string; keyPem: string };
  etcdCa: { certPem: string; keyPem: string };
  serving: { certPem: string; keyPem: string };
}

export async function clusterPki(): Promise<ClusterPki> {
  const ca = await newCa('kubernetes');
  const etcdCa = await newCa('etcd-ca');
  const key = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(forge.pki.certificateFromPem(ca.certPem).subject.attributes);
  cert.setExtensions([
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { ca, etcdCa, serving: { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem } };
}

export function clusterObjects(ns: string, cluster: string, port: number, pki: ClusterPki): KubeObject[] {
  const labels = { 'cluster.x-k8s.io/cluster-name': cluster };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'worker-1-bmc-secret', namespace: ns },
      type: 'Opaque',
      data: { username: b64('admin'), password: b64('password') },
    },
    {
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'worker-1', namespace: ns },
      spec: {
        online: true,
        bootMACAddress: '00:60:2f:31:81:01',
        bmc: { address: `ipmi://192.168.111.1:${6230 + (port % 100)}`, credentialsName: 'worker-1-bmc-secret' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'cluster.x-k8s.io/secret',
      metadata: { name: `${cluster}-ca`, namespace: ns, labels },
      data: { 'tls.crt': b64(pki.ca.certPem), 'tls.key': b64(pki.ca.keyPem) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'cluster.x-k8s.io/secret',
      metadata: { name: `${cluster}-etcd`, namespace: ns, labels },
      data: { 'tls.crt': b64(pki.etcdCa.certPem), 'tls.key': b64(pki.etcdCa.keyPem) },
    },
    {
      // With external etcd, KCP also requires the API server's etcd client certificate (the engine writes it).
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'cluster.x-k8s.io/secret',
      metadata: { name: `${cluster}-apiserver-etcd-client`, namespace: ns, labels },
      data: { 'tls.crt': b64(pki.etcdCa.certPem), 'tls.key': b64(pki.etcdCa.keyPem) },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: cluster, namespace: ns },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/18'] }, services: { cidrBlocks: ['10.96.0.0/12'] } },
        controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name: cluster },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3Cluster', name: cluster },
      },
    },
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'Metal3Cluster',
      metadata: { name: cluster, namespace: ns },
      spec: { controlPlaneEndpoint: { host: '127.0.0.1', port }, cloudProviderEnabled: false },
    },
    {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlane',
      metadata: { name: cluster, namespace: ns },
      spec: {
        replicas: 1,
        version: 'v1.34.1',
        machineTemplate: {
          spec: {
            infrastructureRef: {
              apiGroup: 'infrastructure.cluster.x-k8s.io',
              kind: 'Metal3MachineTemplate',
              name: `${cluster}-controlplane`,
            },
          },
        },
        kubeadmConfigSpec: {
          clusterConfiguration: {
            etcd: {
              external: {
                endpoints: ['https://etcd-server:2379'],
                caFile: '/etc/kubernetes/pki/etcd/ca.crt',
                certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
                keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
              },
            },
          },
        },
      },
    },
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'Metal3MachineTemplate',
      metadata: { name: `${cluster}-controlplane`, namespace: ns },
      spec: {
        template: {
          spec: {
            automatedCleaningMode: 'metadata',
            image: {
              url: 'http://172.22.0.1/images/rhcos-ootpa-latest.qcow2',
              checksum: '97830b21ed272a3d854615beb54cf004',
              checksumType: 'md5',
              format: 'raw',
            },
          },
        },
      },
    },
  ];
}

/** What the engine writes into the workload API once the machine is associated (§7). */
/**
 * Another host beside the fixture's worker-1, with worker-1's BMC credentials. The caller
 * names its MAC and BMC port, so the hosts of suites that share one server do not clash.
 */
export function extraHost(ns: string, name: string, bootMACAddress: string, bmcPort: number): KubeObject {
  return {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: { name, namespace: ns },
    spec: {
      online: true,
      bootMACAddress,
      bmc: { address: `ipmi://192.168.111.1:${bmcPort}`, credentialsName: 'worker-1-bmc-secret' },
    },
  };
}

export function workloadObjects(nodeName: string, bmhUid: string): KubeObject[] {
  const t = new Date().toISOString();
  const mirror = (component: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': 'x', 'kubernetes.io/config.source': 'file' },
    },
    spec: {
      nodeName,
      hostNetwork: true,
      containers: [{ name: component, image: `registry.k8s.io/${component}:v1.34.1` }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: {
          'metal3.io/uuid': bmhUid,
          'kubernetes.io/hostname': nodeName,
          'node-role.kubernetes.io/control-plane': '',
        },
      },
      spec: {},
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t, lastTransitionTime: t },
        ],
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: '' },
    },
    mirror('kube-apiserver'),
    mirror('kube-controller-manager'),
    mirror('kube-scheduler'),
  ];
}
