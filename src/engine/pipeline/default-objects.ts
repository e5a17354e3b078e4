// The default ObjectSource: binds the pure generators in src/manifests and the PKI to the
// pipeline's ClusterSpec. Deterministic per cluster (material is persisted), so resume
// re-renders identical objects.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../manifests/types.js';
import { clusterObjects } from '../../manifests/cluster.js';
import { hostObjects } from '../../manifests/hosts.js';
import { pkiSecrets } from '../../manifests/pki-secrets.js';
import { namespaceObject } from '../../manifests/namespace.js';
import { fakeNode, kubeadmConfigMap, mirrorPods } from '../../manifests/workload.js';
import type { Ownership } from '../../manifests/labels.js';
import type { ExperimentConfig } from '../config/schema.js';
import { apiserverObjects } from '../../manifests/apiserver.js';
import { ClusterPkiStore, renderKubeconfig } from './cluster-pki.js';
import { loadOrCreateEtcdPki } from '../backing/etcd-pki.js';
import type { ClusterSpec, ObjectSource, WorkloadContent } from './objects.js';

/**
 * Test-mode BMO never logs in to the BMC, but the Secret is a credential all the same: each
 * host gets a random one rather than a guessable pattern (resume keeps the Secret it finds).
 */
function bmcCredentials(): { username: string; password: string } {
  return { username: 'admin', password: randomBytes(18).toString('base64url') };
}

/** etcd endpoint the per-cluster apiservers use (the multi-tenant etcd of their site). */
export const ETCD_ENDPOINT = 'https://etcd-server.etcd-system.svc.cluster.local:2379';

export function defaultObjectSource(config: ExperimentConfig, stateDir: string): ObjectSource {
  const pki = new ClusterPkiStore(stateDir);
  const own = (s: ClusterSpec): Ownership => ({ runId: s.runId, cluster: s.cluster, batchId: s.batchId });
  const material = (s: ClusterSpec) => pki.cluster(s.cluster, s.apiserverNamespace ?? s.namespace, s.endpoint.host);
  const sans = (s: ClusterSpec) => [...new Set(['localhost', '127.0.0.1', s.endpoint.host])];
  const secrets = async (s: ClusterSpec, namespace: string): Promise<KubeObject[]> => {
    const m = await material(s);
    return pkiSecrets({
      cluster: s.cluster,
      namespace,
      ownership: own(s),
      ca: m.ca,
      etcdCa: m.etcdCa,
      apiserverEtcdClient: m.apiserverEtcdClient,
      apiserver: m.apiserver,
      serviceAccount: m.serviceAccount,
    });
  };

  return {
    async management(s) {
      // The cluster number makes each host's MAC/BMC address unique (SEED §15.25).
      const hosts = hostObjects({
        index: s.number,
        name: 'worker-1',
        namespace: s.namespace,
        credentials: bmcCredentials(),
        variant: 'available',
        ownership: own(s),
      });
      const ns = s.topology === 'sharded' ? [] : [namespaceObject(s.namespace, own(s))];
      const shardedHostName =
        s.topology === 'sharded'
          ? hostObjects({
              index: s.number,
              name: `${s.cluster}-host`,
              namespace: s.namespace,
              credentials: bmcCredentials(),
              variant: 'available',
              ownership: own(s),
            })
          : hosts;
      return [
        ...ns,
        ...shardedHostName,
        ...(await secrets(s, s.namespace)),
        ...clusterObjects({
          name: s.cluster,
          namespace: s.namespace,
          endpoint: s.endpoint,
          kubernetesVersion: config.cluster.kubernetesVersion,
          image: {
            url: config.cluster.imageUrl,
            checksum: config.cluster.imageChecksum,
            checksumType: config.cluster.imageChecksumType,
            format: config.cluster.imageFormat,
          },
          podCidr: config.cluster.podCidr,
          serviceCidr: config.cluster.serviceCidr,
          etcd: { mode: 'external', endpoints: [ETCD_ENDPOINT] },
          certSANs: sans(s),
          ownership: own(s),
          extraFileBytes: config.cluster.extraFileBytes,
        }),
      ];
    },

    async apiserver(s) {
      const ns = s.apiserverNamespace ?? s.namespace;
      return [
        namespaceObject(ns, own(s)),
        ...(await secrets(s, ns)),
        ...apiserverObjects({
          cluster: s.cluster,
          namespace: ns,
          ownership: own(s),
          serviceType: s.serviceType,
          nodePort: s.nodePort,
          kubernetesVersion: config.cluster.kubernetesVersion,
          etcdServers: [ETCD_ENDPOINT],
          serviceCidr: config.cluster.serviceCidr,
        }),
      ];
    },

    async adminKubeconfig(s, server) {
      const m = await material(s);
      return renderKubeconfig(s.cluster, server, m.ca.cert, m.admin);
    },

    workload(s, machine): WorkloadContent {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const ownership = own(s);
      const pods = mirrorPods({
        nodeName: machine.name,
        kubernetesVersion: config.cluster.kubernetesVersion,
        now,
        ownership,
      });
      const node = fakeNode({
        name: machine.name,
        bmhUid: machine.bmhUid,
        kubernetesVersion: config.cluster.kubernetesVersion,
        now,
        controlPlane: true,
        ownership,
      });
      return {
        objects: [
          // A bare embedded API server may lack kube-system; a real one has it (409 skip) and
          // also bootstraps the system-node-critical PriorityClass the mirror pods use.
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
          node,
          kubeadmConfigMap({
            clusterName: s.cluster,
            endpoint: s.endpoint,
            kubernetesVersion: config.cluster.kubernetesVersion,
            certSANs: sans(s),
            etcd: { mode: 'external', endpoints: [ETCD_ENDPOINT] },
            podCidr: config.cluster.podCidr,
            serviceCidr: config.cluster.serviceCidr,
            ownership,
          }),
          ...pods.map((p) => p.pod),
        ],
        statuses: [
          { kind: 'Node' as const, name: machine.name, status: node.status },
          ...pods.map((p) => ({
            kind: 'Pod' as const,
            namespace: p.pod.metadata.namespace ?? 'kube-system',
            name: p.pod.metadata.name,
            status: p.status.status,
          })),
        ],
      };
    },

    async clusterCas(s) {
      const m = await material(s);
      return { ca: m.ca, etcdCa: loadOrCreateEtcdPki(stateDir).ca };
    },
    async servingCertExpiry(s) {
      return (await material(s)).servingNotAfter;
    },
    forget(cluster) {
      pki.forget(cluster);
    },
  };
}
