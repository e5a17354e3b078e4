// The CAPI v1beta2 / CAPM3 v1beta2 objects of one workload cluster: the clusterctl
// template the seed downloaded (SEED-SCRIPTS §4.2), rebuilt as typed objects for
// today's APIs (§14): apiGroup/kind/name refs, kubeletExtraArgs as a list,
// Metal3Cluster.cloudProviderEnabled=false so CAPM3 sets providerID from the
// metal3.io/uuid Node label.
import { LABEL_CAPI_CLUSTER_NAME, type Ownership } from './labels.js';
import { meta } from './meta.js';
import type { KubeObject } from './types.js';

export const CAPI_GROUP = 'cluster.x-k8s.io';
export const CAPI_VERSION = `${CAPI_GROUP}/v1beta2`;
export const KCP_GROUP = 'controlplane.cluster.x-k8s.io';
export const BOOTSTRAP_GROUP = 'bootstrap.cluster.x-k8s.io';
export const INFRA_GROUP = 'infrastructure.cluster.x-k8s.io';
/** CAPM3 v1.13 serves v1beta1 and v1beta2; v1beta2 is the storage version. */
export const CAPM3_VERSION = `${INFRA_GROUP}/v1beta2`;

/** kubeadm's default pki paths for an external etcd client (what the seed's extra config set). */
export const EXTERNAL_ETCD_FILES = {
  caFile: '/etc/kubernetes/pki/etcd/ca.crt',
  certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
  keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
} as const;

/** CAPI v1beta2 caps a kubeadmConfigSpec.files[].content at this many bytes... */
export const MAX_FILE_CONTENT = 10240;
/** ...and kubeadmConfigSpec.files at this many entries. */
export const MAX_FILES = 200;

export type EtcdMode =
  | { mode: 'external'; endpoints: string[] }
  | { mode: 'local'; serverCertSANs?: string[]; peerCertSANs?: string[] };

export interface ImageParams {
  url: string;
  checksum: string;
  checksumType: 'md5' | 'sha256' | 'sha512';
  format: 'raw' | 'qcow2' | 'vdi' | 'vmdk' | 'live-iso';
}

export interface ClusterParams {
  name: string;
  namespace: string;
  endpoint: { host: string; port: number };
  kubernetesVersion: string;
  image: ImageParams;
  podCidr: string;
  serviceCidr: string;
  etcd: EtcdMode;
  certSANs: string[];
  ownership: Ownership;
  /** Adds files of this many bytes in total to kubeadmConfigSpec.files (the seed's cloud-init size test). */
  extraFileBytes?: number;
}

/** The nodeRegistration CAPM3's cloud-init fills from the Metal3Data metadata. */
function nodeRegistration(): Record<string, unknown> {
  return {
    name: '{{ ds.meta_data.name }}',
    kubeletExtraArgs: [{ name: 'node-labels', value: 'metal3.io/uuid={{ ds.meta_data.uuid }}' }],
  };
}

/**
 * Splits `bytes` into files under the 10 KiB per-file cap. Content is a fixed filler
 * (deterministic, no randomness) so that rendered objects are reproducible.
 */
export function extraFiles(bytes: number): Array<Record<string, unknown>> {
  if (!Number.isInteger(bytes) || bytes < 0)
    throw new RangeError(`extraFileBytes must be a non-negative integer, got ${bytes}`);
  if (bytes > MAX_FILES * MAX_FILE_CONTENT) {
    throw new RangeError(
      `extraFileBytes ${bytes} needs more than the ${MAX_FILES} files CAPI allows (max ${MAX_FILES * MAX_FILE_CONTENT} bytes)`,
    );
  }
  const files: Array<Record<string, unknown>> = [];
  for (let offset = 0, i = 0; offset < bytes; offset += MAX_FILE_CONTENT, i++) {
    const size = Math.min(MAX_FILE_CONTENT, bytes - offset);
    files.push({
      path: `/etc/scale-tui/filler-${i}.txt`,
      owner: 'root:root',
      permissions: '0644',
      content: 'x'.repeat(size),
    });
  }
  return files;
}

function clusterConfiguration(p: ClusterParams): Record<string, unknown> {
  const etcd =
    p.etcd.mode === 'external'
      ? { external: { endpoints: [...p.etcd.endpoints], ...EXTERNAL_ETCD_FILES } }
      : {
          local: {
            ...(p.etcd.serverCertSANs?.length ? { serverCertSANs: [...p.etcd.serverCertSANs] } : {}),
            ...(p.etcd.peerCertSANs?.length ? { peerCertSANs: [...p.etcd.peerCertSANs] } : {}),
          },
        };
  return {
    controlPlaneEndpoint: `${p.endpoint.host}:${p.endpoint.port}`,
    ...(p.certSANs.length ? { apiServer: { certSANs: [...p.certSANs] } } : {}),
    etcd,
  };
}

export function clusterObjects(p: ClusterParams): KubeObject[] {
  const { name, namespace } = p;
  const own: Ownership = { ...p.ownership, cluster: p.ownership.cluster ?? name };
  const capiLabel = { [LABEL_CAPI_CLUSTER_NAME]: name };
  const cp = `${name}-controlplane`;
  const workers = `${name}-workers`;
  const files = p.extraFileBytes ? extraFiles(p.extraFileBytes) : [];

  const cluster: KubeObject = {
    apiVersion: CAPI_VERSION,
    kind: 'Cluster',
    metadata: meta(name, namespace, own, capiLabel),
    spec: {
      clusterNetwork: { pods: { cidrBlocks: [p.podCidr] }, services: { cidrBlocks: [p.serviceCidr] } },
      controlPlaneRef: { apiGroup: KCP_GROUP, kind: 'KubeadmControlPlane', name },
      infrastructureRef: { apiGroup: INFRA_GROUP, kind: 'Metal3Cluster', name },
    },
  };

  const metal3Cluster: KubeObject = {
    apiVersion: CAPM3_VERSION,
    kind: 'Metal3Cluster',
    metadata: meta(name, namespace, own, capiLabel),
    spec: { controlPlaneEndpoint: { host: p.endpoint.host, port: p.endpoint.port }, cloudProviderEnabled: false },
  };

  const kcp: KubeObject = {
    apiVersion: `${KCP_GROUP}/v1beta2`,
    kind: 'KubeadmControlPlane',
    metadata: meta(name, namespace, own, capiLabel),
    spec: {
      replicas: 1,
      version: p.kubernetesVersion,
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
      machineTemplate: {
        spec: {
          infrastructureRef: { apiGroup: INFRA_GROUP, kind: 'Metal3MachineTemplate', name: cp },
          deletion: { nodeDrainTimeoutSeconds: 0 },
        },
      },
      kubeadmConfigSpec: {
        clusterConfiguration: clusterConfiguration(p),
        initConfiguration: { nodeRegistration: nodeRegistration() },
        joinConfiguration: { controlPlane: {}, nodeRegistration: nodeRegistration() },
        ...(files.length ? { files } : {}),
      },
    },
  };

  const m3mt = (n: string, dataTemplate: string): KubeObject => ({
    apiVersion: CAPM3_VERSION,
    kind: 'Metal3MachineTemplate',
    metadata: meta(n, namespace, own, capiLabel),
    spec: {
      nodeReuse: false,
      template: {
        spec: {
          automatedCleaningMode: 'metadata',
          dataTemplate: { name: dataTemplate },
          image: {
            url: p.image.url,
            checksum: p.image.checksum,
            checksumType: p.image.checksumType,
            diskFormat: p.image.format,
          },
        },
      },
    },
  });

  const m3dt = (n: string): KubeObject => ({
    apiVersion: CAPM3_VERSION,
    kind: 'Metal3DataTemplate',
    metadata: meta(n, namespace, own, capiLabel),
    spec: { clusterName: name },
  });

  const kct: KubeObject = {
    apiVersion: `${BOOTSTRAP_GROUP}/v1beta2`,
    kind: 'KubeadmConfigTemplate',
    metadata: meta(workers, namespace, own, capiLabel),
    spec: { template: { spec: { joinConfiguration: { nodeRegistration: nodeRegistration() } } } },
  };

  const poolLabels = { [LABEL_CAPI_CLUSTER_NAME]: name, nodepool: 'nodepool-0' };
  const md: KubeObject = {
    apiVersion: CAPI_VERSION,
    kind: 'MachineDeployment',
    metadata: meta(name, namespace, own, poolLabels),
    spec: {
      clusterName: name,
      replicas: 0,
      selector: { matchLabels: { ...poolLabels } },
      template: {
        metadata: { labels: { ...poolLabels } },
        spec: {
          clusterName: name,
          version: p.kubernetesVersion,
          bootstrap: { configRef: { apiGroup: BOOTSTRAP_GROUP, kind: 'KubeadmConfigTemplate', name: workers } },
          infrastructureRef: { apiGroup: INFRA_GROUP, kind: 'Metal3MachineTemplate', name: workers },
          deletion: { nodeDrainTimeoutSeconds: 0 },
        },
      },
    },
  };

  return [
    cluster,
    metal3Cluster,
    kcp,
    m3mt(cp, `${cp}-template`),
    md,
    m3mt(workers, `${workers}-template`),
    kct,
    m3dt(`${cp}-template`),
    m3dt(`${workers}-template`),
  ];
}
