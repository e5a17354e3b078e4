// CAPI core's Machine controller (v1.14, v1beta2). It takes over its bootstrap config and
// infrastructure machine (ensureExternalOwnershipAndWatch: drops the KCP/MachineSet
// ownerRef they were created with, makes the Machine their controller owner, sets the
// cluster-name label), copies the bootstrap data Secret name and the providerID, finds the
// Node through the workload API, and computes Ready from NodeHealthy plus every condition
// its spec.readinessGates name (KCP writes those). On delete it waits for pre-terminate
// hooks (Deleting=True, WaitingForPreTerminateHook), then deletes infrastructure and
// bootstrap, then the Node unless the whole Cluster is going, and drops its finalizer.
// Draining is not emulated: the simulated Nodes run no pods to evict.
import type { ReconcilerDef } from './runtime.js';
import { R, collectionPath, objectPath, type Ref, resourceFor } from './resources.js';
import {
  addFinalizer,
  condition,
  field,
  isDeleting,
  patchStatus,
  removeFinalizer,
  setCondition,
  type Condition,
  type Obj,
  cachedPrimary,
  ensureOwnership,
  deleteOnce,
} from './helpers.js';
import { scaled, watchedWaitMs } from '../cost-model/model.js';
import { isPaused, setPausedCondition } from './paused.js';

export const MACHINE_FINALIZER = 'machine.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const PRE_TERMINATE_PREFIX = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io';
/** machine_controller.go: how often a deleting Machine looks at its infrastructure again. */
const DELETE_REQUEUE_MS = 10_000;

const ownerMachine = (o: Obj) => {
  const m = o.metadata.ownerReferences?.find((r) => r.kind === 'Machine');
  return m ? [`${o.metadata.namespace}/${m.name}`] : [];
};

/** The ownerRefs after the Machine takes over: on-create owners gone, the Machine the controller. */
function takenOver(obj: Obj, machine: Obj): Array<Record<string, unknown>> | undefined {
  const refs = obj.metadata.ownerReferences ?? [];
  const isMine = (r: { kind: string; name: string; controller?: boolean }) =>
    r.kind === 'Machine' && r.name === machine.metadata.name && r.controller === true;
  const onCreate = refs.some((r) => r.kind === 'KubeadmControlPlane' || r.kind === 'MachineSet');
  if (!onCreate && refs.some(isMine) && obj.metadata.labels?.[CLUSTER_NAME_LABEL]) return undefined;
  return [
    ...refs.filter((r) => r.kind !== 'KubeadmControlPlane' && r.kind !== 'MachineSet' && r.kind !== 'Machine'),
    {
      apiVersion: machine.apiVersion,
      kind: 'Machine',
      name: machine.metadata.name,
      uid: machine.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

export const machineReconciler: ReconcilerDef = {
  name: 'machine',
  concurrencyFlag: 'machine-concurrency',
  primary: R.machine,
  watches: [
    { resource: R.metal3Machine, map: (o) => ownerMachine(o as Obj) },
    { resource: R.kubeadmConfig, map: (o) => ownerMachine(o as Obj) },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: machine } = cachedPrimary(ctx, R.machine, key);
    if (!machine) return;
    const clusterName =
      field<string>(machine, 'spec', 'clusterName') ?? machine.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '';
    const cluster = ctx.cache(R.cluster).get(namespace, clusterName) as Obj | undefined;
    if (await setPausedCondition(ctx.client, R.machine, machine, cluster)) return;
    if (isPaused(cluster, machine)) return;
    const bootRef = field<Ref>(machine, 'spec', 'bootstrap', 'configRef');
    const infraRef = field<Ref>(machine, 'spec', 'infrastructureRef');
    const bootRes = resourceFor(bootRef);
    const infraRes = resourceFor(infraRef);
    const boot =
      bootRes && bootRef?.name ? (ctx.cache(bootRes).get(namespace, bootRef.name) as Obj | undefined) : undefined;
    const infra =
      infraRes && infraRef?.name ? (ctx.cache(infraRes).get(namespace, infraRef.name) as Obj | undefined) : undefined;

    if (isDeleting(machine)) {
      // reconcileDelete: a pre-terminate hook (KCP's kcp-cleanup) holds the infrastructure;
      // the Deleting condition says so, and KCP acts only once it reads that reason.
      const hooked = Object.keys(machine.metadata.annotations ?? {}).some((a) => a.startsWith(PRE_TERMINATE_PREFIX));
      const reason = hooked ? 'WaitingForPreTerminateHook' : 'WaitingForInfrastructureDeletion';
      if (field<string>(machine, 'status', 'phase') !== 'Deleting' || condition(machine, 'Deleting')?.reason !== reason)
        await patchStatus(ctx.client, R.machine, machine, {
          phase: 'Deleting',
          conditions: setCondition(field<Condition[]>(machine, 'status', 'conditions'), {
            type: 'Deleting',
            status: 'True',
            reason,
          }),
        });
      if (hooked) return;
      const wait = { requeueAfterMs: scaled(ctx.model, DELETE_REQUEUE_MS) };
      if (infra && infraRes) {
        await deleteOnce(ctx.client, infraRes, infra);
        return wait;
      }
      if (boot && bootRes) {
        await deleteOnce(ctx.client, bootRes, boot);
        return wait;
      }
      // isDeleteNodeAllowed: not when the whole Cluster goes (its workload API goes with it).
      const nodeName = field<string>(machine, 'status', 'nodeRef', 'name');
      if (nodeName && cluster && !cluster.metadata.deletionTimestamp) {
        const workload = await ctx.workload.get(namespace, clusterName);
        if (!workload) return wait;
        await workload.delete(objectPath(R.node, nodeName));
      }
      await removeFinalizer(ctx.client, R.machine, machine, MACHINE_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.machine, machine, MACHINE_FINALIZER)) return;

    // Take over the bootstrap config and the infrastructure machine.
    await ensureOwnership(
      ctx.client,
      [
        [boot, bootRes],
        [infra, infraRes],
      ],
      clusterName,
      (obj) => takenOver(obj, machine),
      true,
    );

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
    // Ready = NodeHealthy and every readiness gate's condition True (setReadyCondition).
    const gates = (field<Array<{ conditionType: string }>>(machine, 'spec', 'readinessGates') ?? []).map(
      (g) => g.conditionType,
    );
    const gatesOk = gates.every((g) => conditions?.find((c) => c.type === g)?.status === 'True');
    flag('BootstrapConfigReady', Boolean(dataSecretName), 'Ready', 'NotReady');
    flag('InfrastructureReady', infraProvisioned, 'Ready', 'NotReady');
    flag('NodeReady', nodeReady, 'NodeReady', nodeRef ? 'NodeNotReady' : 'NodeDoesNotExist');
    flag('NodeHealthy', nodeReady, 'NodeHealthy', 'NodeNotHealthy');
    flag('Ready', nodeReady && gatesOk, 'Ready', 'NotReady');
    flag('Available', nodeReady && gatesOk, 'Available', 'NotAvailable');
    const old = machine.status as Record<string, unknown> | undefined;
    const sig = (c: Condition[] | undefined) => JSON.stringify((c ?? []).map((x) => [x.type, x.status]));
    const changed =
      !old ||
      old.phase !== phase ||
      JSON.stringify(old.nodeRef) !== JSON.stringify(nodeRef) ||
      sig(old.conditions as Condition[] | undefined) !== sig(conditions);
    if (changed) {
      // resourceVersion: KCP writes conditions into the same list; a conflict retries.
      await ctx.client.mergePatch(objectPath(R.machine, name, namespace, 'status'), {
        metadata: { resourceVersion: machine.metadata.resourceVersion },
        status: {
          phase,
          ...(nodeRef ? { nodeRef } : {}),
          initialization: {
            bootstrapDataSecretCreated: Boolean(dataSecretName),
            infrastructureProvisioned: infraProvisioned,
          },
          addresses: field<unknown[]>(infra, 'status', 'addresses') ?? [],
          conditions,
          observedGeneration: machine.metadata.generation,
        },
      });
      // machine_controller_noderef.go: the first time the Machine gets its Node.
      if (nodeRef && !field<string>(machine, 'status', 'nodeRef', 'name'))
        ctx.record('machine-controller', machine, 'Normal', 'SuccessfulSetNodeRef', nodeRef.name);
    }
    // Nodes are not watched here (no workload watches in the emulator): look again until Ready.
    return nodeReady ? undefined : { requeueAfterMs: watchedWaitMs(ctx.model) };
  },
};
