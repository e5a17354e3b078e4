// What a kubeadm-made single-node workload cluster holds that CAPI v1.14 / CAPM3 v1.13 read,
// as pure functions (no I/O): the farm seeds each cluster's store with these.
//
// Why these objects: KCP's workload-cluster code reads the `kubeadm-config` ConfigMap
// (ClusterConfiguration), the `kubelet-config` ConfigMap, the Role/RoleBinding kubeadm
// creates so nodes can read them, the CoreDNS Deployment and Corefile ConfigMap (image
// upgrades) and the kube-proxy DaemonSet (image upgrades); its ControlPlaneComponentsHealthy
// condition GETs the static pods `kube-system/<component>-<node>` and wants them Running
// with Ready=True; the ClusterCache probes `GET /`; CAPM3 finds the Node by its
// `metal3.io/uuid` label to set spec.providerID. Everything else a real cluster has is left
// out: each object costs memory 1000 times over.
import type { JsonObject } from '../apiserver/patch.js';

export interface WorkloadClusterSpec {
  cluster: string;
  namespace: string;
  /** e.g. v1.32.1: what kubeadm-config and the Node's kubeletVersion say. */
  kubernetesVersion: string;
  /** host:port CAPI dials (controlPlaneEndpoint). */
  endpoint: string;
}

export interface NodeSpec {
  name: string;
  /** The BareMetalHost's uid: CAPM3 matches the Node by the `metal3.io/uuid` label. */
  uuid?: string;
  providerID?: string;
  controlPlane: boolean;
  /** InternalIP written in status.addresses (data only: nothing dials it). */
  address: string;
  labels?: Record<string, string>;
  /** RFC 3339, fixed so a re-seeded object is the same object. */
  createdAt: string;
}

export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
] as const;

const KS = 'kube-system';
const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3';

function cm(name: string, data: Record<string, string>): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: KS }, data };
}

function role(name: string, rules: JsonObject[], namespace?: string): JsonObject {
  const kind = namespace ? 'Role' : 'ClusterRole';
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: namespace ? { name, namespace } : { name },
    rules,
  };
}

function binding(name: string, roleName: string, subjects: JsonObject[], namespace?: string): JsonObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: namespace ? { name, namespace } : { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: namespace ? 'Role' : 'ClusterRole', name: roleName },
    subjects,
  };
}

const group = (name: string): JsonObject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });

/** kubeadm's ClusterConfiguration as `kubeadm init` uploads it (v1beta4, Kubernetes >= 1.31). */
export function clusterConfigurationYaml(s: WorkloadClusterSpec): string {
  return [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ClusterConfiguration',
    `clusterName: ${s.cluster}`,
    `controlPlaneEndpoint: ${s.endpoint}`,
    'certificatesDir: /etc/kubernetes/pki',
    'imageRepository: registry.k8s.io',
    `kubernetesVersion: ${s.kubernetesVersion}`,
    'dns: {}',
    'etcd:',
    '  local:',
    '    dataDir: /var/lib/etcd',
    'networking:',
    '  dnsDomain: cluster.local',
    '  podSubnet: 192.168.0.0/18',
    '  serviceSubnet: 10.96.0.0/12',
    'apiServer: {}',
    'controllerManager: {}',
    'scheduler: {}',
    '',
  ].join('\n');
}

const KUBELET_CONFIG = [
  'apiVersion: kubelet.config.k8s.io/v1beta1',
  'kind: KubeletConfiguration',
  'cgroupDriver: systemd',
  'clusterDNS:',
  '- 10.96.0.10',
  'clusterDomain: cluster.local',
  'rotateCertificates: true',
  'staticPodPath: /etc/kubernetes/manifests',
  '',
].join('\n');

/** Objects a cluster has from `kubeadm init` on, before any node joins (no Node, no static pods). */
export function clusterObjects(s: WorkloadClusterSpec): JsonObject[] {
  const minor = /^v?(\d+\.\d+)/.exec(s.kubernetesVersion)?.[1] ?? '1.32';
  const getNodes = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }];
  return [
    cm('kubeadm-config', { ClusterConfiguration: clusterConfigurationYaml(s) }),
    cm('kubelet-config', { kubelet: KUBELET_CONFIG }),
    cm('kube-proxy', {
      'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\n',
    }),
    cm('coredns', {
      Corefile:
        '.:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n',
    }),
    cm('kube-root-ca.crt', { 'ca.crt': '' }),
    // kubeadm's bootstrap-token RBAC (`kubeadm init` phase bootstrap-token) and upload-config RBAC.
    role('kubeadm:get-nodes', getNodes),
    binding('kubeadm:get-nodes', 'kubeadm:get-nodes', [group('system:bootstrappers:kubeadm:default-node-token')]),
    binding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [
      group('system:bootstrappers:kubeadm:default-node-token'),
    ]),
    binding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      group('system:bootstrappers:kubeadm:default-node-token'),
    ]),
    binding(
      'kubeadm:node-autoapprove-certificate-rotation',
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [group('system:nodes')],
    ),
    binding('kubeadm:node-proxier', 'system:node-proxier', [
      { kind: 'ServiceAccount', name: 'kube-proxy', namespace: KS },
    ]),
    binding('kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')]),
    role(
      'kubeadm:nodes-kubeadm-config',
      [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kubeadm-config'], verbs: ['get'] }],
      KS,
    ),
    binding(
      'kubeadm:nodes-kubeadm-config',
      'kubeadm:nodes-kubeadm-config',
      [group('system:bootstrappers:kubeadm:default-node-token'), group('system:nodes')],
      KS,
    ),
    role(
      'kubeadm:kubelet-config',
      [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kubelet-config'], verbs: ['get'] }],
      KS,
    ),
    binding(
      'kubeadm:kubelet-config',
      'kubeadm:kubelet-config',
      [group('system:nodes'), group('system:bootstrappers:kubeadm:default-node-token')],
      KS,
    ),
    role(
      'kube-proxy',
      [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kube-proxy'], verbs: ['get'] }],
      KS,
    ),
    binding('kube-proxy', 'kube-proxy', [group('system:bootstrappers:kubeadm:default-node-token')], KS),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: KS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: KS } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: KS, labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        clusterIP: '10.96.0.10',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: KS, labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-dns' } },
          spec: {
            serviceAccountName: 'coredns',
            containers: [{ name: 'coredns', image: COREDNS_IMAGE, args: ['-conf', '/etc/coredns/Corefile'] }],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: KS, labels: { 'k8s-app': 'kube-proxy' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-proxy' } },
          spec: {
            serviceAccountName: 'kube-proxy',
            hostNetwork: true,
            containers: [
              {
                name: 'kube-proxy',
                image: `registry.k8s.io/kube-proxy:${s.kubernetesVersion.startsWith('v') ? s.kubernetesVersion : `v${minor}.0`}`,
                command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'],
              },
            ],
          },
        },
      },
    },
  ];
}

/** The Node as the kubelet registers it, Ready, with the labels CAPM3 and KCP select on. */
export function nodeObject(n: NodeSpec, kubernetesVersion: string): JsonObject {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    ...(n.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...(n.uuid ? { 'metal3.io/uuid': n.uuid } : {}),
    ...(n.labels ?? {}),
  };
  const cond = (type: string, status: string, reason: string, message: string): JsonObject => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: n.createdAt,
    lastTransitionTime: n.createdAt,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels },
    spec: {
      ...(n.providerID ? { providerID: n.providerID } : {}),
      ...(n.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: n.address },
        { type: 'Hostname', address: n.name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: kubernetesVersion,
        kubeProxyVersion: kubernetesVersion,
        containerRuntimeVersion: 'containerd://1.7.24',
        osImage: 'Ubuntu 24.04 LTS',
        kernelVersion: '6.8.0',
        machineID: '',
        systemUUID: n.uuid ?? '',
        bootID: '',
      },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  };
}

/** kubeadm's static pod for one control-plane component, as the kubelet mirrors it: Running, Ready. */
export function mirrorPod(
  component: (typeof CONTROL_PLANE_COMPONENTS)[number],
  node: NodeSpec,
  nodeUid: string,
  kubernetesVersion: string,
): JsonObject {
  const image =
    component === 'etcd'
      ? 'registry.k8s.io/etcd:3.5.16-0'
      : `registry.k8s.io/${component}:${kubernetesVersion.startsWith('v') ? kubernetesVersion : `v${kubernetesVersion}`}`;
  const at = node.createdAt;
  const ready = (type: string): JsonObject => ({ type, status: 'True', lastTransitionTime: at });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node.name}`,
      namespace: KS,
      labels: { component, tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.source': 'file',
        'kubernetes.io/config.mirror': 'scale-tui-farm',
        'kubernetes.io/config.hash': 'scale-tui-farm',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: nodeUid, controller: true }],
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      containers: [{ name: component, image }],
    },
    status: {
      phase: 'Running',
      hostIP: node.address,
      podIP: node.address,
      podIPs: [{ ip: node.address }],
      startTime: at,
      qosClass: 'Burstable',
      conditions: [
        ready('PodReadyToStartContainers'),
        ready('Initialized'),
        ready('Ready'),
        ready('ContainersReady'),
        ready('PodScheduled'),
      ],
      containerStatuses: [
        {
          name: component,
          image,
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at } },
        },
      ],
    },
  };
}
