// What the fake workload API must hold for KCP and CAPM3 to consider a control plane
// ready (SEED-SCRIPTS §7, §17 item 1): the Node CAPM3 finds by metal3.io/uuid, the
// kubeadm-config ConfigMap (-> KCP "initialized"), and Running/Ready mirror pods of
// the control-plane components. Timestamps come from the caller (`now`), so the
// output is reproducible.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { EXTERNAL_ETCD_FILES, type EtcdMode } from './cluster.js';
import type { Ownership } from './labels.js';
import { meta } from './meta.js';
import type { KubeObject } from './types.js';

export const LABEL_METAL3_UUID = 'metal3.io/uuid';
export const LABEL_CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';
export const SYSTEM_NODE_CRITICAL = 'system-node-critical';
export const SYSTEM_NODE_CRITICAL_VALUE = 2000001000;

export interface NodeParams {
  /** = the control-plane Machine name. */
  name: string;
  /** The BareMetalHost's metadata.uid. */
  bmhUid: string;
  kubernetesVersion: string;
  /** RFC 3339 time for condition timestamps. */
  now: string;
  /** InternalIP address (the seed used 172.20.0.2). */
  internalIP?: string;
  podCidr?: string;
  /** Worker nodes (fake-controller) get no control-plane role label. */
  controlPlane?: boolean;
  ownership: Ownership;
}

const DEFAULT_NODE_IP = '172.20.0.2';

export function fakeNode(p: NodeParams): KubeObject {
  const ip = p.internalIP ?? DEFAULT_NODE_IP;
  const podCidr = p.podCidr ?? '10.244.0.0/24';
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': p.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/exclude-from-external-load-balancers': '',
    [LABEL_METAL3_UUID]: p.bmhUid,
  };
  if (p.controlPlane !== false) labels[LABEL_CONTROL_PLANE] = '';
  const resources = {
    cpu: '8',
    'ephemeral-storage': '488876072Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: '32599664Ki',
    pods: '110',
  };
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: p.now,
    lastTransitionTime: p.now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(p.name, undefined, p.ownership, labels, {
      'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
      'node.alpha.kubernetes.io/ttl': '0',
      'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    }),
    // No providerID: CAPM3 sets it after finding the Node by its metal3.io/uuid label.
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: p.name },
      ],
      allocatable: { ...resources },
      capacity: { ...resources },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: stableId(`boot/${p.name}`),
        containerRuntimeVersion: 'containerd://2.1.4',
        kernelVersion: '6.8.0-60-generic',
        kubeProxyVersion: p.kubernetesVersion,
        kubeletVersion: p.kubernetesVersion,
        machineID: stableId(`machine/${p.name}`).replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.2 LTS',
        systemUUID: p.bmhUid,
      },
    },
  };
}

/** A UUID-shaped id derived from a string (nodeInfo ids must be stable across re-creates). */
function stableId(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface KubeadmConfigParams {
  clusterName: string;
  endpoint: { host: string; port: number };
  kubernetesVersion: string;
  certSANs: string[];
  etcd: EtcdMode;
  podCidr: string;
  serviceCidr: string;
  ownership: Ownership;
}

/** kubeadm's config API: v1beta4 from Kubernetes 1.31 (which KCP v1.14 reads), v1beta3 before. */
export function kubeadmApiVersion(kubernetesVersion: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  const minor = m ? Number(m[2]) : 0;
  return m && Number(m[1]) === 1 && minor < 31 ? 'kubeadm.k8s.io/v1beta3' : 'kubeadm.k8s.io/v1beta4';
}

export function clusterConfigurationYaml(p: KubeadmConfigParams): string {
  const etcd =
    p.etcd.mode === 'external'
      ? { external: { endpoints: p.etcd.endpoints, ...EXTERNAL_ETCD_FILES } }
      : { local: { dataDir: '/var/lib/etcd' } };
  const doc = {
    apiVersion: kubeadmApiVersion(p.kubernetesVersion),
    kind: 'ClusterConfiguration',
    clusterName: p.clusterName,
    controlPlaneEndpoint: `${p.endpoint.host}:${p.endpoint.port}`,
    kubernetesVersion: p.kubernetesVersion,
    certificatesDir: '/etc/kubernetes/pki',
    imageRepository: 'registry.k8s.io',
    apiServer: { certSANs: p.certSANs },
    etcd,
    networking: { dnsDomain: 'cluster.local', podSubnet: p.podCidr, serviceSubnet: p.serviceCidr },
  };
  return stringify(doc, { lineWidth: 0 });
}

export function kubeadmConfigMap(p: KubeadmConfigParams): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('kubeadm-config', 'kube-system', p.ownership),
    data: { ClusterConfiguration: clusterConfigurationYaml(p) },
  };
}

export const MIRROR_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
/** etcd's mirror pod exists only with stacked (local) etcd; external etcd has none. */
export type MirrorComponent = (typeof MIRROR_COMPONENTS)[number] | 'etcd';
/** The etcd image kubeadm pins for the Kubernetes versions we target. */
const LOCAL_ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.4-0';

export interface MirrorPodParams {
  nodeName: string;
  kubernetesVersion: string;
  /** RFC 3339 time for status timestamps. */
  now: string;
  /** Host/pod IP (hostNetwork pods share the node's IP). */
  nodeIP?: string;
  ownership: Ownership;
}

export interface MirrorPod {
  pod: KubeObject;
  /** Body for a status-subresource patch: `{ status: ... }`. */
  status: { status: Record<string, unknown> };
}

function componentCommand(c: MirrorComponent, ip: string): string[] {
  switch (c) {
    case 'kube-apiserver':
      return [
        'kube-apiserver',
        `--advertise-address=${ip}`,
        '--allow-privileged=true',
        '--authorization-mode=Node,RBAC',
        '--client-ca-file=/etc/kubernetes/pki/ca.crt',
        '--etcd-servers=https://127.0.0.1:2379',
        '--secure-port=6443',
        '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
        '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
      ];
    case 'kube-controller-manager':
      return [
        'kube-controller-manager',
        '--bind-address=127.0.0.1',
        '--kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--leader-elect=true',
        '--use-service-account-credentials=true',
      ];
    case 'kube-scheduler':
      return [
        'kube-scheduler',
        '--bind-address=127.0.0.1',
        '--kubeconfig=/etc/kubernetes/scheduler.conf',
        '--leader-elect=true',
      ];
    case 'etcd':
      return [
        'etcd',
        `--advertise-client-urls=https://${ip}:2379`,
        '--data-dir=/var/lib/etcd',
        `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
        '--listen-metrics-urls=http://127.0.0.1:2381',
        '--client-cert-auth=true',
        '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
        '--key-file=/etc/kubernetes/pki/etcd/server.key',
        '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      ];
  }
}

const HEALTH: Record<MirrorComponent, { path: string; port: number; host: string | undefined }> = {
  'kube-apiserver': { path: '/livez', port: 6443, host: undefined },
  'kube-controller-manager': { path: '/healthz', port: 10257, host: '127.0.0.1' },
  'kube-scheduler': { path: '/healthz', port: 10259, host: '127.0.0.1' },
  etcd: { path: '/livez', port: 2381, host: '127.0.0.1' },
};

export function mirrorPod(component: MirrorComponent, p: MirrorPodParams): MirrorPod {
  const ip = p.nodeIP ?? DEFAULT_NODE_IP;
  const name = `${component}-${p.nodeName}`;
  const image = component === 'etcd' ? LOCAL_ETCD_IMAGE : `registry.k8s.io/${component}:${p.kubernetesVersion}`;
  // The kubelet's config hash of the static manifest; deterministic so re-creates match.
  const hash = createHash('md5').update(`${component}/${p.nodeName}/${p.kubernetesVersion}`).digest('hex');
  const health = HEALTH[component];
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(
      name,
      'kube-system',
      p.ownership,
      { component, tier: 'control-plane' },
      {
        'kubernetes.io/config.hash': hash,
        // config.mirror marks a mirror pod (and exempts it from service-account admission).
        'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': p.now,
        'kubernetes.io/config.source': 'file',
      },
    ),
    spec: {
      nodeName: p.nodeName,
      hostNetwork: true,
      priorityClassName: SYSTEM_NODE_CRITICAL,
      priority: SYSTEM_NODE_CRITICAL_VALUE,
      enableServiceLinks: true,
      restartPolicy: 'Always',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      containers: [
        {
          name: component,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: componentCommand(component, ip),
          resources: {
            requests: {
              cpu: component === 'kube-apiserver' ? '250m' : '100m',
              ...(component === 'etcd' ? { memory: '100Mi' } : {}),
            },
          },
          livenessProbe: {
            httpGet: {
              host: health.host ?? ip,
              path: health.path,
              port: health.port,
              scheme: component === 'etcd' ? 'HTTP' : 'HTTPS',
            },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
            failureThreshold: 8,
          },
        },
      ],
    },
  };
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: p.now });
  const status = {
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
      containerStatuses: [
        {
          name: component,
          image,
          imageID: `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`,
          containerID: `containerd://${createHash('sha256').update(`${name}/${p.now}`).digest('hex')}`,
          ready: true,
          started: true,
          restartCount: 0,
          lastState: {},
          state: { running: { startedAt: p.now } },
        },
      ],
      hostIP: ip,
      hostIPs: [{ ip }],
      podIP: ip,
      podIPs: [{ ip }],
      qosClass: 'Burstable',
      startTime: p.now,
    },
  };
  return { pod, status };
}

/** The control-plane mirror pods KCP checks; with `localEtcd` also etcd's (stacked etcd mode). */
export function mirrorPods(p: MirrorPodParams & { localEtcd?: boolean }): MirrorPod[] {
  const components: MirrorComponent[] = [...MIRROR_COMPONENTS, ...(p.localEtcd ? (['etcd'] as const) : [])];
  return components.map((c) => mirrorPod(c, p));
}

/** Created by a real kube-apiserver's bootstrap; written only if the workload API lacks it. */
export function systemNodeCriticalPriorityClass(ownership: Ownership): KubeObject {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: meta(SYSTEM_NODE_CRITICAL, undefined, ownership),
    value: SYSTEM_NODE_CRITICAL_VALUE,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
    description: 'Used for system critical pods that must not be moved from their current node.',
  };
}
