import type { ClusterParams } from '../../src/manifests/cluster.js';
import { RUN } from './helpers.js';

export const image = {
  url: 'http://172.22.0.1/images/rhcos-ootpa-latest.qcow2',
  checksum: '97830b21ed272a3d854615beb54cf004',
  checksumType: 'md5',
  format: 'raw',
} as const;
export const base = {
  kubernetesVersion: 'v1.34.1',
  image,
  podCidr: '192.168.0.0/18',
  serviceCidr: '10.96.0.0/12',
  ownership: { runId: RUN, batchId: 'b1' },
};

/** Params per topology as the engine fills them (SEED-SCRIPTS §4.1, modernised). */
export const TOPOLOGY_PARAMS: Record<string, ClusterParams> = {
  shared: {
    ...base,
    name: 'test-3',
    namespace: 'test-3',
    endpoint: { host: 'test-kube-apiserver.metal3.svc.cluster.local', port: 6443 },
    certSANs: ['localhost', '127.0.0.1', '0.0.0.0', 'test-kube-apiserver.metal3.svc.cluster.local'],
    etcd: { mode: 'external', endpoints: ['https://etcd-server.metal3.svc.cluster.local:2379'] },
  },
  sharedFirstLocal: {
    ...base,
    name: 'test',
    namespace: 'metal3',
    endpoint: { host: 'test-kube-apiserver.metal3.svc.cluster.local', port: 6443 },
    certSANs: ['localhost', '127.0.0.1', '0.0.0.0', 'test-kube-apiserver.metal3.svc.cluster.local'],
    etcd: {
      mode: 'local',
      serverCertSANs: ['etcd-server.metal3.svc.cluster.local'],
      peerCertSANs: ['etcd-0.etcd.metal3.svc.cluster.local'],
    },
  },
  dedicated: {
    ...base,
    name: 'test-12',
    namespace: 'test-12',
    endpoint: { host: 'test-kube-apiserver.test-12.svc.cluster.local', port: 6443 },
    certSANs: ['localhost', '127.0.0.1', '0.0.0.0', 'test-kube-apiserver.test-12.svc.cluster.local'],
    etcd: { mode: 'external', endpoints: ['https://etcd-server.etcd-system.svc.cluster.local:2379'] },
  },
  backing: {
    ...base,
    name: 'test-101',
    namespace: 'test-101',
    endpoint: { host: '10.201.10.56', port: 10101 },
    certSANs: ['localhost', '127.0.0.1', '0.0.0.0', '172.17.0.1', '10.201.10.56'],
    etcd: { mode: 'external', endpoints: ['https://etcd-server:2379'] },
  },
  sharded: {
    ...base,
    name: 'test-7',
    namespace: 'test-2',
    endpoint: { host: 'test-kube-apiserver.metal3.svc.cluster.local', port: 6443 },
    certSANs: ['localhost', '127.0.0.1', '0.0.0.0', 'test-kube-apiserver.metal3.svc.cluster.local'],
    etcd: { mode: 'external', endpoints: ['https://etcd-server.metal3.svc.cluster.local:2379'] },
    extraFileBytes: 30 * 1024,
  },
};
