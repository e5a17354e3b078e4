// How KCP (CAPI v1.14 cloneConfigsAndGenerateMachine) makes a control-plane Machine, in
// upstream's order: first the infrastructure machine cloned from the template (with the
// cloned-from annotations and a plain, non-controller ownerRef to the KCP), then the
// KubeadmConfig (the same kind of ownerRef), and the Machine last, controller-owned by the
// KCP, with KCP's mandatory readiness gates. The Machine controller then moves the two
// objects' ownership to the Machine (capi.ts). A failure half-way deletes what was made.
import type { ControllerContext } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import { field, ownerRef, randomSuffix, type Obj } from './helpers.js';
import { CLUSTER_NAME_LABEL, isExternalEtcd } from './kcp-certs.js';

export const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';
export const CONTROL_PLANE_NAME_LABEL = 'cluster.x-k8s.io/control-plane-name';
export const CLONED_FROM_NAME = 'cluster.x-k8s.io/cloned-from-name';
export const CLONED_FROM_GROUPKIND = 'cluster.x-k8s.io/cloned-from-groupkind';
/** KCP's pre-terminate hook: the Machine keeps its infrastructure until KCP removed the etcd member. */
export const KCP_PRE_TERMINATE_HOOK = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io/kcp-cleanup';

/** desiredstate.MandatoryMachineReadinessGates, plus the etcd ones when etcd is stacked. */
export function kcpReadinessGates(kcp: Obj): Array<{ conditionType: string }> {
  const gates = [
    'NodeKubeadmLabelsAndTaintsSet',
    'APIServerPodHealthy',
    'ControllerManagerPodHealthy',
    'SchedulerPodHealthy',
  ];
  if (!isExternalEtcd(kcp)) gates.push('EtcdPodHealthy', 'EtcdMemberHealthy');
  const extra = field<Array<{ conditionType: string }>>(kcp, 'spec', 'machineTemplate', 'spec', 'readinessGates') ?? [];
  const out: Array<{ conditionType: string }> = [];
  for (const g of [...gates.map((conditionType) => ({ conditionType })), ...extra])
    if (!out.some((o) => o.conditionType === g.conditionType)) out.push(g);
  return out;
}

/** An ownerRef without controller or blockOwnerDeletion, as KCP sets it on what it clones. */
function plainOwnerRef(obj: Obj): { apiVersion: string; kind: string; name: string; uid: string } {
  const { controller: _c, blockOwnerDeletion: _b, ...rest } = ownerRef(obj);
  return rest;
}

export function controlPlaneLabels(kcp: Obj, cluster: string): Record<string, string> {
  return {
    ...(field<Record<string, string>>(kcp, 'spec', 'machineTemplate', 'metadata', 'labels') ?? {}),
    [CLUSTER_NAME_LABEL]: cluster,
    [CONTROL_PLANE_LABEL]: '',
    [CONTROL_PLANE_NAME_LABEL]: kcp.metadata.name,
  };
}

function templateRef(kcp: Obj): { kind?: string; name?: string; apiGroup?: string } | undefined {
  return (
    field(kcp, 'spec', 'machineTemplate', 'spec', 'infrastructureRef') ??
    field(kcp, 'spec', 'machineTemplate', 'infrastructureRef')
  );
}

/** Creates one control-plane Machine with its infrastructure machine and KubeadmConfig. */
export async function createControlPlaneMachine(
  ctx: ControllerContext,
  kcp: Obj,
  cluster: Obj,
  join: boolean,
  failureDomain?: string,
): Promise<void> {
  const ns = kcp.metadata.namespace ?? '';
  const c = cluster.metadata.name;
  const ref = templateRef(kcp);
  if (!ref?.name)
    throw new Error(`KubeadmControlPlane ${ns}/${kcp.metadata.name} has no machineTemplate infrastructureRef`);
  const template = await ctx.client.get(objectPath(R.metal3MachineTemplate, ref.name, ns));
  if (!template) throw new Error(`Metal3MachineTemplate ${ns}/${ref.name} not found`);
  const name = `${kcp.metadata.name}-${randomSuffix()}`;
  const labels = controlPlaneLabels(kcp, c);
  const annotations = field<Record<string, string>>(kcp, 'spec', 'machineTemplate', 'metadata', 'annotations') ?? {};
  const made: string[] = [];
  try {
    await ctx.client.create(collectionPath(R.metal3Machine, ns), {
      apiVersion: R.metal3Machine.apiVersion,
      kind: 'Metal3Machine',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: {
          ...annotations,
          [CLONED_FROM_NAME]: ref.name,
          [CLONED_FROM_GROUPKIND]: `${ref.kind ?? 'Metal3MachineTemplate'}.${ref.apiGroup ?? 'infrastructure.cluster.x-k8s.io'}`,
        },
        ownerReferences: [plainOwnerRef(kcp)],
      },
      spec: field<Record<string, unknown>>(template, 'spec', 'template', 'spec') ?? {},
    });
    made.push(objectPath(R.metal3Machine, name, ns));
    const { joinConfiguration, initConfiguration, ...common } = (field<Record<string, unknown>>(
      kcp,
      'spec',
      'kubeadmConfigSpec',
    ) ?? {}) as Record<string, unknown>;
    // The first machine runs kubeadm init, later ones join as control-plane members.
    const spec = join
      ? { ...common, joinConfiguration: { ...((joinConfiguration as object) ?? {}), controlPlane: {} } }
      : { ...common, ...(initConfiguration ? { initConfiguration } : {}) };
    await ctx.client.create(collectionPath(R.kubeadmConfig, ns), {
      apiVersion: R.kubeadmConfig.apiVersion,
      kind: 'KubeadmConfig',
      metadata: { name, namespace: ns, labels, annotations, ownerReferences: [plainOwnerRef(kcp)] },
      spec,
    });
    made.push(objectPath(R.kubeadmConfig, name, ns));
    await ctx.client.create(collectionPath(R.machine, ns), {
      apiVersion: R.machine.apiVersion,
      kind: 'Machine',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: { ...annotations, [KCP_PRE_TERMINATE_HOOK]: '' },
        ownerReferences: [ownerRef(kcp)],
      },
      spec: {
        clusterName: c,
        version: field<string>(kcp, 'spec', 'version'),
        bootstrap: { configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfig', name } },
        infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3Machine', name },
        readinessGates: kcpReadinessGates(kcp),
        ...(failureDomain ? { failureDomain } : {}),
      },
    });
  } catch (err) {
    for (const p of made.reverse()) await ctx.client.delete(p).catch(() => undefined);
    throw err;
  }
}
