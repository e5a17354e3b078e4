// CAPI core (v1.14, v1beta2): the Cluster controller (ownership of its control plane and
// infrastructure, phases, v1beta2 conditions, deletion) and the Machine controller
// (bootstrap data, providerID from the infrastructure machine, nodeRef from the workload
// API reached through the kubeconfig Secret, phases, deletion).
import type { ReconcilerDef } from './runtime.js';
import { R, collectionPath, objectPath, type Resource } from './resources.js';
import {
  addFinalizer,
  condition,
  field,
  isDeleting,
  ownerRef,
  patchStatus,
  removeFinalizer,
  setCondition,
  splitKey,
  type Condition,
  type Obj,
} from './helpers.js';
import { watchedWaitMs } from '../cost-model/model.js';

export const CLUSTER_FINALIZER = 'cluster.cluster.x-k8s.io';
export const MACHINE_FINALIZER = 'machine.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

interface Ref {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

function resourceFor(ref: Ref | undefined): Resource | undefined {
  switch (ref?.kind) {
    case 'KubeadmControlPlane':
      return R.kcp;
    case 'Metal3Cluster':
      return R.metal3Cluster;
    case 'Metal3Machine':
      return R.metal3Machine;
    case 'KubeadmConfig':
      return R.kubeadmConfig;
    default:
      return undefined;
  }
}

function clusterOf(o: Obj): string[] {
  const c = o.metadata.labels?.[CLUSTER_NAME_LABEL] ?? field<string>(o, 'spec', 'clusterName');
  return c ? [`${o.metadata.namespace}/${c}`] : [];
}

export const clusterReconciler: ReconcilerDef = {
  name: 'cluster',
  concurrencyFlag: 'cluster-concurrency',
  primary: R.cluster,
  watches: [
    {
      resource: R.kcp,
      map: (o) => [
        `${o.metadata.namespace}/${(o as Obj).metadata.ownerReferences?.find((r) => r.kind === 'Cluster')?.name ?? o.metadata.name}`,
      ],
    },
    {
      resource: R.metal3Cluster,
      map: (o) => [
        `${o.metadata.namespace}/${(o as Obj).metadata.ownerReferences?.find((r) => r.kind === 'Cluster')?.name ?? o.metadata.name}`,
      ],
    },
    { resource: R.machine, map: (o) => clusterOf(o as Obj) },
  ],
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const cluster = ctx.cache(R.cluster).get(namespace, name) as Obj | undefined;
    if (!cluster) return;
    const cpRef = field<Ref>(cluster, 'spec', 'controlPlaneRef');
    const infraRef = field<Ref>(cluster, 'spec', 'infrastructureRef');
    const cpRes = resourceFor(cpRef);
    const infraRes = resourceFor(infraRef);
    const cp = cpRes && cpRef?.name ? (ctx.cache(cpRes).get(namespace, cpRef.name) as Obj | undefined) : undefined;
    const infra =
      infraRes && infraRef?.name ? (ctx.cache(infraRes).get(namespace, infraRef.name) as Obj | undefined) : undefined;

    if (isDeleting(cluster)) {
      if (field<string>(cluster, 'status', 'phase') !== 'Deleting')
        await patchStatus(ctx.client, R.cluster, cluster, { phase: 'Deleting' });
      // Machine deployments first, then the control plane, then the infrastructure.
      for (const md of ctx
        .cache(R.machineDeployment)
        .list(namespace)
        .filter((m) => clusterOf(m as Obj)[0] === key)) {
        if (!(md as Obj).metadata.deletionTimestamp)
          await ctx.client.delete(objectPath(R.machineDeployment, md.metadata.name, namespace));
      }
      if (cp && cpRes) {
        if (!cp.metadata.deletionTimestamp) await ctx.client.delete(objectPath(cpRes, cp.metadata.name, namespace));
        return { requeueAfterMs: ctx.model.waitRequeueMs };
      }
      const machinesLeft = ctx
        .cache(R.machine)
        .list(namespace)
        .some((m) => clusterOf(m as Obj)[0] === key);
      if (machinesLeft) return { requeueAfterMs: ctx.model.waitRequeueMs };
      if (infra && infraRes) {
        if (!infra.metadata.deletionTimestamp)
          await ctx.client.delete(objectPath(infraRes, infra.metadata.name, namespace));
        return { requeueAfterMs: ctx.model.waitRequeueMs };
      }
      ctx.workload.drop(namespace, name);
      await removeFinalizer(ctx.client, R.cluster, cluster, CLUSTER_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.cluster, cluster, CLUSTER_FINALIZER)) return;

    // Adopt the referenced objects (ownerRef + cluster-name label), as CAPI does.
    for (const [obj, res] of [
      [cp, cpRes],
      [infra, infraRes],
    ] as const) {
      if (obj && res && !(obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Cluster')) {
        await ctx.client.mergePatch(objectPath(res, obj.metadata.name, namespace), {
          metadata: {
            labels: { [CLUSTER_NAME_LABEL]: name },
            ownerReferences: [...(obj.metadata.ownerReferences ?? []), ownerRef(cluster, false)],
          },
        });
      }
    }

    const infraProvisioned = field<boolean>(infra, 'status', 'initialization', 'provisioned') === true;
    const cpInitialized = field<boolean>(cp, 'status', 'initialization', 'controlPlaneInitialized') === true;
    const cpAvailable = condition(cp, 'Available')?.status === 'True';
    const endpoint = field<{ host?: string; port?: number }>(cluster, 'spec', 'controlPlaneEndpoint')?.host
      ? field<{ host?: string; port?: number }>(cluster, 'spec', 'controlPlaneEndpoint')
      : field<{ host?: string; port?: number }>(infra, 'spec', 'controlPlaneEndpoint');
    if (endpoint?.host && !field<string>(cluster, 'spec', 'controlPlaneEndpoint', 'host')) {
      await ctx.client.mergePatch(objectPath(R.cluster, name, namespace), { spec: { controlPlaneEndpoint: endpoint } });
    }
    const phase = !infra ? 'Pending' : infraProvisioned && endpoint?.host ? 'Provisioned' : 'Provisioning';
    let conditions = field<Condition[]>(cluster, 'status', 'conditions');
    const flag = (type: string, ok: boolean, yes: string, no: string) => {
      conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason: ok ? yes : no });
    };
    flag('InfrastructureReady', infraProvisioned, 'Ready', 'NotReady');
    flag('ControlPlaneInitialized', cpInitialized, 'Initialized', 'NotInitialized');
    flag('ControlPlaneAvailable', cpAvailable, 'Available', 'NotAvailable');
    flag('WorkersAvailable', true, 'NoWorkers', 'NoWorkers');
    flag('RemoteConnectionProbe', cpInitialized, 'ProbeSucceeded', 'ProbeFailed');
    flag('Available', infraProvisioned && cpAvailable, 'Available', 'NotAvailable');
    const replicas = field<number>(cp, 'status', 'replicas') ?? 0;
    const ready = field<number>(cp, 'status', 'readyReplicas') ?? 0;
    const status = {
      phase,
      initialization: { infrastructureProvisioned: infraProvisioned, controlPlaneInitialized: cpInitialized },
      conditions,
      controlPlane: {
        desiredReplicas: field<number>(cp, 'spec', 'replicas') ?? 1,
        replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        upToDateReplicas: replicas,
      },
      observedGeneration: cluster.metadata.generation,
    };
    const old = cluster.status as Record<string, unknown> | undefined;
    const same =
      old &&
      old.phase === status.phase &&
      JSON.stringify((old.conditions as Condition[] | undefined)?.map((c) => [c.type, c.status])) ===
        JSON.stringify((conditions ?? []).map((c) => [c.type, c.status])) &&
      JSON.stringify(old.controlPlane) === JSON.stringify(status.controlPlane);
    if (!same) await patchStatus(ctx.client, R.cluster, cluster, status);
    return { requeueAfterMs: cpAvailable ? ctx.model.resyncMs.capi : watchedWaitMs(ctx.model) };
  },
};

export const machineReconciler: ReconcilerDef = {
  name: 'machine',
  concurrencyFlag: 'machine-concurrency',
  primary: R.machine,
  watches: [
    {
      resource: R.metal3Machine,
      map: (o) => {
        const m = (o as Obj).metadata.ownerReferences?.find((r) => r.kind === 'Machine');
        return m ? [`${o.metadata.namespace}/${m.name}`] : [];
      },
    },
    {
      resource: R.kubeadmConfig,
      map: (o) => {
        const m = (o as Obj).metadata.ownerReferences?.find((r) => r.kind === 'Machine');
        return m ? [`${o.metadata.namespace}/${m.name}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const machine = ctx.cache(R.machine).get(namespace, name) as Obj | undefined;
    if (!machine) return;
    const bootRef = field<Ref>(machine, 'spec', 'bootstrap', 'configRef');
    const infraRef = field<Ref>(machine, 'spec', 'infrastructureRef');
    const bootRes = resourceFor(bootRef);
    const infraRes = resourceFor(infraRef);
    const boot =
      bootRes && bootRef?.name ? (ctx.cache(bootRes).get(namespace, bootRef.name) as Obj | undefined) : undefined;
    const infra =
      infraRes && infraRef?.name ? (ctx.cache(infraRes).get(namespace, infraRef.name) as Obj | undefined) : undefined;

    if (isDeleting(machine)) {
      if (field<string>(machine, 'status', 'phase') !== 'Deleting')
        await patchStatus(ctx.client, R.machine, machine, { phase: 'Deleting' });
      // CAPI skips draining and Node deletion when the whole Cluster is going away.
      if (infra && infraRes) {
        if (!infra.metadata.deletionTimestamp)
          await ctx.client.delete(objectPath(infraRes, infra.metadata.name, namespace));
        return { requeueAfterMs: ctx.model.waitRequeueMs };
      }
      if (boot && bootRes) {
        if (!boot.metadata.deletionTimestamp)
          await ctx.client.delete(objectPath(bootRes, boot.metadata.name, namespace));
        return { requeueAfterMs: ctx.model.waitRequeueMs };
      }
      await removeFinalizer(ctx.client, R.machine, machine, MACHINE_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.machine, machine, MACHINE_FINALIZER)) return;

    const dataSecretName = field<string>(boot, 'status', 'dataSecretName');
    if (dataSecretName && !field<string>(machine, 'spec', 'bootstrap', 'dataSecretName')) {
      await ctx.client.mergePatch(objectPath(R.machine, name, namespace), { spec: { bootstrap: { dataSecretName } } });
      return;
    }
    const providerID = field<string>(infra, 'spec', 'providerID');
    const infraProvisioned = field<boolean>(infra, 'status', 'initialization', 'provisioned') === true;
    if (providerID && infraProvisioned && !field<string>(machine, 'spec', 'providerID')) {
      await ctx.client.mergePatch(objectPath(R.machine, name, namespace), { spec: { providerID } });
      return;
    }
    let nodeRef: { name: string } | undefined = field<{ name: string }>(machine, 'status', 'nodeRef');
    let nodeReady = false;
    const clusterName =
      field<string>(machine, 'spec', 'clusterName') ?? machine.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '';
    if (providerID && infraProvisioned) {
      const workload = await ctx.workload.get(namespace, clusterName);
      if (workload) {
        try {
          const nodes = (await workload.list(collectionPath(R.node))).items as Obj[];
          const node = nodes.find((n) => field<string>(n, 'spec', 'providerID') === providerID);
          if (node) {
            nodeRef = { name: node.metadata.name };
            nodeReady = condition(node, 'Ready')?.status === 'True';
          }
        } catch {
          ctx.workload.drop(namespace, clusterName);
        }
      }
    }
    const phase = nodeRef
      ? 'Running'
      : providerID && infraProvisioned
        ? 'Provisioned'
        : dataSecretName
          ? 'Provisioning'
          : 'Pending';
    let conditions = field<Condition[]>(machine, 'status', 'conditions');
    const flag = (type: string, ok: boolean, yes: string, no: string) => {
      conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason: ok ? yes : no });
    };
    flag('BootstrapConfigReady', Boolean(dataSecretName), 'Ready', 'NotReady');
    flag('InfrastructureReady', infraProvisioned, 'Ready', 'NotReady');
    flag('NodeReady', nodeReady, 'NodeReady', nodeRef ? 'NodeNotReady' : 'NodeDoesNotExist');
    flag('NodeHealthy', nodeReady, 'NodeHealthy', 'NodeNotHealthy');
    flag('Ready', nodeReady, 'Ready', 'NotReady');
    flag('Available', nodeReady, 'Available', 'NotAvailable');
    const old = machine.status as Record<string, unknown> | undefined;
    const changed =
      !old ||
      old.phase !== phase ||
      JSON.stringify(old.nodeRef) !== JSON.stringify(nodeRef) ||
      JSON.stringify((old.conditions as Condition[] | undefined)?.map((c) => [c.type, c.status])) !==
        JSON.stringify((conditions ?? []).map((c) => [c.type, c.status]));
    if (changed) {
      await patchStatus(ctx.client, R.machine, machine, {
        phase,
        ...(nodeRef ? { nodeRef } : {}),
        initialization: {
          bootstrapDataSecretCreated: Boolean(dataSecretName),
          infrastructureProvisioned: infraProvisioned,
        },
        addresses: field<unknown[]>(infra, 'status', 'addresses') ?? [],
        conditions,
        observedGeneration: machine.metadata.generation,
      });
    }
    return { requeueAfterMs: nodeReady ? ctx.model.resyncMs.capi : ctx.model.waitRequeueMs };
  },
};
