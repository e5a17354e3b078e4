// The compact registry of the CAPI / CAPM3 / BMO / IPAM kinds (CAPI v1.14, CAPM3 v1.13, BMO v0.13),
// so `scale-tui demo` serves them without the full CRD YAML. Names, scopes, versions and
// subresources mirror the upstream CRDs; schemas are not carried, except the partial ones in
// builtin-schemas.ts (rules a real server enforces and a writer here could break).
import { makeType, type OpenApiSchema, type ResourceType, type ScaleSpec } from './resource.js';
import { BUILTIN_SCHEMAS } from './builtin-schemas.js';

const REPLICAS: ScaleSpec = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

interface Row {
  group: string;
  kind: string;
  plural: string;
  versions: string[]; // storage version last
  status?: boolean;
  scale?: ScaleSpec;
  shortNames?: string[];
  categories?: string[];
  cluster?: boolean;
}

const CAPI = ['cluster-api'];
const B12 = ['v1beta1', 'v1beta2'];

const ROWS: Row[] = [
  {
    group: 'cluster.x-k8s.io',
    kind: 'Cluster',
    plural: 'clusters',
    versions: B12,
    status: true,
    shortNames: ['cl'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'ClusterClass',
    plural: 'clusterclasses',
    versions: B12,
    status: true,
    shortNames: ['cc'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'Machine',
    plural: 'machines',
    versions: B12,
    status: true,
    shortNames: ['ma'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'MachineSet',
    plural: 'machinesets',
    versions: B12,
    status: true,
    scale: REPLICAS,
    shortNames: ['ms'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'MachineDeployment',
    plural: 'machinedeployments',
    versions: B12,
    status: true,
    scale: REPLICAS,
    shortNames: ['md'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'MachinePool',
    plural: 'machinepools',
    versions: B12,
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    shortNames: ['mp'],
    categories: CAPI,
  },
  {
    group: 'cluster.x-k8s.io',
    kind: 'MachineHealthCheck',
    plural: 'machinehealthchecks',
    versions: B12,
    status: true,
    shortNames: ['mhc', 'mhcs'],
    categories: CAPI,
  },
  { group: 'cluster.x-k8s.io', kind: 'MachineDrainRule', plural: 'machinedrainrules', versions: B12, categories: CAPI },
  {
    group: 'bootstrap.cluster.x-k8s.io',
    kind: 'KubeadmConfig',
    plural: 'kubeadmconfigs',
    versions: B12,
    status: true,
    categories: CAPI,
  },
  {
    group: 'bootstrap.cluster.x-k8s.io',
    kind: 'KubeadmConfigTemplate',
    plural: 'kubeadmconfigtemplates',
    versions: B12,
    categories: CAPI,
  },
  {
    group: 'controlplane.cluster.x-k8s.io',
    kind: 'KubeadmControlPlane',
    plural: 'kubeadmcontrolplanes',
    versions: B12,
    status: true,
    scale: REPLICAS,
    shortNames: ['kcp'],
    categories: CAPI,
  },
  {
    group: 'controlplane.cluster.x-k8s.io',
    kind: 'KubeadmControlPlaneTemplate',
    plural: 'kubeadmcontrolplanetemplates',
    versions: B12,
    categories: CAPI,
  },
  {
    group: 'addons.cluster.x-k8s.io',
    kind: 'ClusterResourceSet',
    plural: 'clusterresourcesets',
    versions: B12,
    status: true,
    categories: CAPI,
  },
  {
    group: 'addons.cluster.x-k8s.io',
    kind: 'ClusterResourceSetBinding',
    plural: 'clusterresourcesetbindings',
    versions: B12,
    categories: CAPI,
  },
  {
    group: 'ipam.cluster.x-k8s.io',
    kind: 'IPAddressClaim',
    plural: 'ipaddressclaims',
    versions: ['v1alpha1', 'v1beta1', 'v1beta2'],
    status: true,
    categories: CAPI,
  },
  {
    group: 'ipam.cluster.x-k8s.io',
    kind: 'IPAddress',
    plural: 'ipaddresses',
    versions: ['v1alpha1', 'v1beta1', 'v1beta2'],
    categories: CAPI,
  },
  {
    group: 'runtime.cluster.x-k8s.io',
    kind: 'ExtensionConfig',
    plural: 'extensionconfigs',
    versions: ['v1alpha1', 'v1beta2'],
    status: true,
    shortNames: ['ext'],
    categories: CAPI,
    cluster: true,
  },
  {
    group: 'clusterctl.cluster.x-k8s.io',
    kind: 'Provider',
    plural: 'providers',
    versions: ['v1alpha3'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3Cluster',
    plural: 'metal3clusters',
    versions: B12,
    status: true,
    shortNames: ['m3c'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3ClusterTemplate',
    plural: 'metal3clustertemplates',
    versions: B12,
    shortNames: ['m3ct'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3Machine',
    plural: 'metal3machines',
    versions: B12,
    status: true,
    shortNames: ['m3m'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3MachineTemplate',
    plural: 'metal3machinetemplates',
    versions: B12,
    shortNames: ['m3mt'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3Data',
    plural: 'metal3datas',
    versions: B12,
    status: true,
    shortNames: ['m3d'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3DataClaim',
    plural: 'metal3dataclaims',
    versions: B12,
    status: true,
    shortNames: ['m3dc'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3DataTemplate',
    plural: 'metal3datatemplates',
    versions: B12,
    status: true,
    shortNames: ['m3dt'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3Remediation',
    plural: 'metal3remediations',
    versions: B12,
    status: true,
    shortNames: ['m3r'],
    categories: CAPI,
  },
  {
    group: 'infrastructure.cluster.x-k8s.io',
    kind: 'Metal3RemediationTemplate',
    plural: 'metal3remediationtemplates',
    versions: B12,
    status: true,
    shortNames: ['m3rt'],
    categories: CAPI,
  },
  {
    group: 'metal3.io',
    kind: 'BareMetalHost',
    plural: 'baremetalhosts',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['bmh', 'bmhost'],
  },
  {
    group: 'metal3.io',
    kind: 'BMCEventSubscription',
    plural: 'bmceventsubscriptions',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['bes', 'bmcevent'],
  },
  { group: 'metal3.io', kind: 'DataImage', plural: 'dataimages', versions: ['v1alpha1'], status: true },
  { group: 'metal3.io', kind: 'FirmwareSchema', plural: 'firmwareschemas', versions: ['v1alpha1'] },
  { group: 'metal3.io', kind: 'HardwareData', plural: 'hardwaredata', versions: ['v1alpha1'], shortNames: ['hd'] },
  { group: 'metal3.io', kind: 'HostClaim', plural: 'hostclaims', versions: ['v1alpha1'], status: true },
  { group: 'metal3.io', kind: 'HostDeployPolicy', plural: 'hostdeploypolicies', versions: ['v1alpha1'], status: true },
  {
    group: 'metal3.io',
    kind: 'HostFirmwareComponents',
    plural: 'hostfirmwarecomponents',
    versions: ['v1alpha1'],
    status: true,
  },
  {
    group: 'metal3.io',
    kind: 'HostFirmwareSettings',
    plural: 'hostfirmwaresettings',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['hfs'],
  },
  { group: 'metal3.io', kind: 'HostUpdatePolicy', plural: 'hostupdatepolicies', versions: ['v1alpha1'] },
  {
    group: 'metal3.io',
    kind: 'PreprovisioningImage',
    plural: 'preprovisioningimages',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['ppimg'],
  },
  {
    group: 'ipam.metal3.io',
    kind: 'IPPool',
    plural: 'ippools',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['ipp'],
    categories: CAPI,
  },
  {
    group: 'ipam.metal3.io',
    kind: 'IPClaim',
    plural: 'ipclaims',
    versions: ['v1alpha1'],
    status: true,
    shortNames: ['ipc'],
    categories: CAPI,
  },
  {
    group: 'ipam.metal3.io',
    kind: 'IPAddress',
    plural: 'ipaddresses',
    versions: ['v1alpha1'],
    shortNames: ['ipa'],
    categories: ['metal3'],
  },
];

let cached: ResourceType[][] | undefined;

/** One entry per group+plural: its served versions, storage (preferred) version first. */
export function builtinCrdKinds(): ResourceType[][] {
  cached ??= ROWS.map((r) =>
    [...r.versions].reverse().map((version) =>
      makeType({
        group: r.group,
        version,
        kind: r.kind,
        plural: r.plural,
        namespaced: !r.cluster,
        status: r.status,
        scale: r.scale,
        shortNames: r.shortNames,
        categories: r.categories,
        custom: true,
        schema: BUILTIN_SCHEMAS[`${r.group}/${r.kind}`] as OpenApiSchema | undefined,
      }),
    ),
  );
  return cached;
}
