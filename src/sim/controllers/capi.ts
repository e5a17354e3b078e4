// CAPI core's Cluster controller (v1.14, v1beta2): adoption of its control plane and
// infrastructure (ownerRef + cluster-name label), the phase as upstream's setPhase computes
// it (Pending only before any ref is set; Provisioning once a ref is; Provisioned once the
// infrastructure is provisioned and the endpoint valid; Deleting), v1beta2 conditions with
// WorkersAvailable aggregated from the MachineDeployments' Available (True/NoWorkers when
// there are none), the Paused condition and spec.paused, and ordered deletion.
import type { ReconcilerDef } from './runtime.js';
import { R, objectPath, type Ref, resourceFor } from './resources.js';
import {
  addFinalizer,
  condition,
  field,
  isDeleting,
  ownerRef,
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

export { machineReconciler, MACHINE_FINALIZER } from './capi-machine.js';

export const CLUSTER_FINALIZER = 'cluster.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
/** cluster_controller.go deleteRequeueAfter. */
const DELETE_REQUEUE_MS = 5_000;
/** The name CAPI's main.go gives this reconciler's event recorder. */
const RECORDER = 'cluster-controller';

export function clusterOf(o: Obj): string[] {
  const c = o.metadata.labels?.[CLUSTER_NAME_LABEL] ?? field<string>(o, 'spec', 'clusterName');
  return c ? [`${o.metadata.namespace}/${c}`] : [];
}

const ownerCluster = (o: Obj) => [
  `${o.metadata.namespace}/${o.metadata.ownerReferences?.find((r) => r.kind === 'Cluster')?.name ?? o.metadata.name}`,
];

/** WorkersAvailable: True/NoWorkers without MachineDeployments, else all of them Available. */
export function workersAvailable(mds: Obj[]): { status: 'True' | 'False'; reason: string } {
  if (mds.length === 0) return { status: 'True', reason: 'NoWorkers' };
  const ok = mds.every((md) => condition(md, 'Available')?.status === 'True');
  return ok ? { status: 'True', reason: 'Available' } : { status: 'False', reason: 'NotAvailable' };
}

export const clusterReconciler: ReconcilerDef = {
  name: 'cluster',
  concurrencyFlag: 'cluster-concurrency',
  primary: R.cluster,
  watches: [
    { resource: R.kcp, map: (o) => ownerCluster(o as Obj) },
    { resource: R.metal3Cluster, map: (o) => ownerCluster(o as Obj) },
    { resource: R.machine, map: (o) => clusterOf(o as Obj) },
    { resource: R.machineDeployment, map: (o) => clusterOf(o as Obj) },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: cluster } = cachedPrimary(ctx, R.cluster, key);
    if (!cluster) return;
    if (await setPausedCondition(ctx.client, R.cluster, cluster, cluster)) return;
    if (isPaused(cluster, cluster)) return;
    const cpRef = field<Ref>(cluster, 'spec', 'controlPlaneRef');
    const infraRef = field<Ref>(cluster, 'spec', 'infrastructureRef');
    const cpRes = resourceFor(cpRef);
    const infraRes = resourceFor(infraRef);
    const cp = cpRes && cpRef?.name ? (ctx.cache(cpRes).get(namespace, cpRef.name) as Obj | undefined) : undefined;
    const infra =
      infraRes && infraRef?.name ? (ctx.cache(infraRes).get(namespace, infraRef.name) as Obj | undefined) : undefined;
    const mds = ctx
      .cache(R.machineDeployment)
      .list(namespace)
      .filter((m) => clusterOf(m as Obj)[0] === key) as Obj[];

    if (isDeleting(cluster)) {
      if (field<string>(cluster, 'status', 'phase') !== 'Deleting') {
        await patchStatus(ctx.client, R.cluster, cluster, { phase: 'Deleting' });
        ctx.record(RECORDER, cluster, 'Normal', 'Deleting', `Cluster ${name} is Deleting`);
      }
      const wait = { requeueAfterMs: scaled(ctx.model, DELETE_REQUEUE_MS) };
      // Machine deployments first, then the control plane, then the infrastructure.
      for (const md of mds) await deleteOnce(ctx.client, R.machineDeployment, md);
      if (mds.length > 0) return wait;
      if (cp && cpRes) {
        await deleteOnce(ctx.client, cpRes, cp);
        return wait;
      }
      const machinesLeft = ctx
        .cache(R.machine)
        .list(namespace)
        .some((m) => clusterOf(m as Obj)[0] === key);
      if (machinesLeft) return wait;
      if (infra && infraRes) {
        await deleteOnce(ctx.client, infraRes, infra);
        return wait;
      }
      ctx.workload.drop(namespace, name);
      await removeFinalizer(ctx.client, R.cluster, cluster, CLUSTER_FINALIZER);
      ctx.record(RECORDER, cluster, 'Normal', 'Deleted', `Cluster ${name} has been deleted`);
      return;
    }
    if (await addFinalizer(ctx.client, R.cluster, cluster, CLUSTER_FINALIZER)) return;

    // Adopt the referenced objects (ownerRef + cluster-name label), as CAPI does.
    await ensureOwnership(
      ctx.client,
      [
        [cp, cpRes],
        [infra, infraRes],
      ],
      name,
      (obj) =>
        (obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Cluster')
          ? undefined
          : [...(obj.metadata.ownerReferences ?? []), ownerRef(cluster, false)],
    );

    const infraProvisioned = field<boolean>(infra, 'status', 'initialization', 'provisioned') === true;
    const cpInitialized = field<boolean>(cp, 'status', 'initialization', 'controlPlaneInitialized') === true;
    const cpAvailable = condition(cp, 'Available')?.status === 'True';
    const own = field<{ host?: string; port?: number }>(cluster, 'spec', 'controlPlaneEndpoint');
    const endpoint = own?.host ? own : field<{ host?: string; port?: number }>(infra, 'spec', 'controlPlaneEndpoint');
    if (endpoint?.host && !own?.host) {
      await ctx.client.mergePatch(objectPath(R.cluster, name, namespace), { spec: { controlPlaneEndpoint: endpoint } });
    }
    // setPhase (cluster_controller_status.go).
    const phase =
      infraProvisioned && endpoint?.host && (endpoint.port ?? 0) > 0
        ? 'Provisioned'
        : cpRef?.name || infraRef?.name
          ? 'Provisioning'
          : 'Pending';
    const workers = workersAvailable(mds);
    let conditions = field<Condition[]>(cluster, 'status', 'conditions');
    const flag = (type: string, ok: boolean, yes: string, no: string) => {
      conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason: ok ? yes : no });
    };
    flag('InfrastructureReady', infraProvisioned, 'Ready', 'NotReady');
    flag('ControlPlaneInitialized', cpInitialized, 'Initialized', 'NotInitialized');
    flag('ControlPlaneAvailable', cpAvailable, 'Available', 'NotAvailable');
    conditions = setCondition(conditions, { type: 'WorkersAvailable', ...workers });
    flag('RemoteConnectionProbe', cpInitialized, 'ProbeSucceeded', 'ProbeFailed');
    flag('Available', infraProvisioned && cpAvailable && workers.status === 'True', 'Available', 'NotAvailable');
    const replicas = field<number>(cp, 'status', 'replicas') ?? 0;
    const ready = field<number>(cp, 'status', 'readyReplicas') ?? 0;
    const sum = (f: string) => mds.reduce((n, md) => n + (field<number>(md, 'status', f) ?? 0), 0);
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
      workers: {
        desiredReplicas: mds.reduce((n, md) => n + (field<number>(md, 'spec', 'replicas') ?? 0), 0),
        replicas: sum('replicas'),
        readyReplicas: sum('readyReplicas'),
        availableReplicas: sum('availableReplicas'),
        upToDateReplicas: sum('upToDateReplicas'),
      },
      observedGeneration: cluster.metadata.generation,
    };
    const old = cluster.status as Record<string, unknown> | undefined;
    const sig = (c: Condition[] | undefined) => JSON.stringify((c ?? []).map((x) => [x.type, x.status]));
    const same =
      old &&
      old.phase === status.phase &&
      sig(old.conditions as Condition[] | undefined) === sig(conditions) &&
      JSON.stringify(old.controlPlane) === JSON.stringify(status.controlPlane) &&
      JSON.stringify(old.workers) === JSON.stringify(status.workers);
    if (!same) {
      await patchStatus(ctx.client, R.cluster, cluster, status);
      // Events on the changes they name (cluster_controller_phases.go, cluster_controller_status.go).
      const was = old?.initialization as
        | { infrastructureProvisioned?: boolean; controlPlaneInitialized?: boolean }
        | undefined;
      const say = (reason: string, message: string) => ctx.record(RECORDER, cluster, 'Normal', reason, message);
      if (infraProvisioned && was?.infrastructureProvisioned !== true)
        say('InfrastructureReady', `Cluster ${name} InfrastructureProvisioned is now True`);
      if (cpInitialized && was?.controlPlaneInitialized !== true)
        say('ControlPlaneInitialized', `Cluster ${name} ControlPlaneInitialized is now True`);
      if (old?.phase !== phase) say(phase, `Cluster ${name} is ${phase}`);
    }
    // Everything it waits for is watched; the backstop only covers a missed event.
    return cpAvailable ? undefined : { requeueAfterMs: watchedWaitMs(ctx.model) };
  },
};
