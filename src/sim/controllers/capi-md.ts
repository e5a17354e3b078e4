// CAPI core's MachineDeployment and MachineSet controllers (v1.14), enough for the seed's
// worker scale-up (`kubectl scale machinedeployment`, with fake-controller making the
// Nodes). The MachineDeployment owns one MachineSet <md>-<5 chars> whose replicas follow
// its own, and sums the MachineSets' status. The MachineSet creates each missing Machine as
// upstream's createMachines does: the KubeadmConfig from the KubeadmConfigTemplate, then the
// Metal3Machine from the Metal3MachineTemplate (each with the cloned-from annotations and a
// plain MachineSet ownerRef), then the Machine controller-owned by the MachineSet; it
// deletes the newest surplus Machines on scale-down. No rolling update: a template change
// does not create a new MachineSet here.
import type { ControllerContext, ReconcilerDef, Watch } from './runtime.js';
import { R, collectionPath, objectPath, type Ref, type Resource, resourceFor } from './resources.js';
import {
  condition,
  field,
  isDeleting,
  ownedBy,
  ownerRef,
  patchStatus,
  randomSuffix,
  setCondition,
  type Condition,
  type Obj,
  cachedPrimary,
  keysWhere,
} from './helpers.js';
import { CLONED_FROM_GROUPKIND, CLONED_FROM_NAME } from './kcp-machines.js';
import { isPaused } from './paused.js';

const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const MD_NAME_LABEL = 'cluster.x-k8s.io/deployment-name';
export const MS_NAME_LABEL = 'cluster.x-k8s.io/set-name';

const ownedKeys = (kind: string) => (o: { metadata: { namespace?: string } }) => {
  const n = ownedBy(o as Obj, kind);
  return n ? [`${o.metadata.namespace}/${n}`] : [];
};
const plainOwner = (o: Obj) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid ?? '',
});

/** A watch on Clusters that brings back this kind's objects (spec.clusterName) of that Cluster. */
const clusterWatch = (res: Resource): Watch => ({
  resource: R.cluster,
  map: (o, cache) =>
    keysWhere(cache(res), o.metadata.namespace, (x) => field<string>(x, 'spec', 'clusterName') === o.metadata.name),
});

function clusterFor(ctx: ControllerContext, o: Obj): Obj | undefined {
  return ctx.cache(R.cluster).get(o.metadata.namespace, field<string>(o, 'spec', 'clusterName') ?? '') as
    | Obj
    | undefined;
}

function sumStatus(objs: Obj[], f: string): number {
  return objs.reduce((n, o) => n + (field<number>(o, 'status', f) ?? 0), 0);
}

async function writeStatus(
  ctx: ControllerContext,
  res: typeof R.machineSet,
  obj: Obj,
  desired: number,
  children: Obj[],
  count: (f: string) => number,
) {
  const ready = count('readyReplicas');
  const available = count('availableReplicas');
  const conditions: Condition[] = setCondition(field<Condition[]>(obj, 'status', 'conditions'), {
    type: 'Available',
    status: available >= desired ? 'True' : 'False',
    reason: available >= desired ? 'Available' : 'NotAvailable',
  });
  const status = {
    replicas: children.length,
    readyReplicas: ready,
    availableReplicas: available,
    upToDateReplicas: children.length,
    conditions,
    observedGeneration: obj.metadata.generation,
    ...(res === R.machineDeployment
      ? { phase: children.length < desired ? 'ScalingUp' : children.length > desired ? 'ScalingDown' : 'Running' }
      : {}),
  };
  const old = obj.status as Record<string, unknown> | undefined;
  if (
    old &&
    old.replicas === status.replicas &&
    old.readyReplicas === ready &&
    old.availableReplicas === available &&
    condition(obj, 'Available')?.status === conditions.find((c) => c.type === 'Available')?.status
  )
    return;
  await patchStatus(ctx.client, res, obj, status);
}

/**
 * SuccessfulCreate / FailedCreate on the owner, as the MachineDeployment and MachineSet
 * controllers record them; a 409 (already there) is neither.
 */
async function recordCreate(
  ctx: ControllerContext,
  component: string,
  owner: Obj,
  create: Promise<unknown>,
  message: string,
  failedWhat?: string,
): Promise<void> {
  try {
    if ((await create) !== undefined) ctx.record(component, owner, 'Normal', 'SuccessfulCreate', message);
  } catch (err) {
    if (failedWhat)
      ctx.record(
        component,
        owner,
        'Warning',
        'FailedCreate',
        `Failed to create ${failedWhat}: ${(err as Error).message}`,
      );
    throw err;
  }
}

export const machineDeploymentReconciler: ReconcilerDef = {
  name: 'machinedeployment',
  concurrencyFlag: 'machinedeployment-concurrency',
  primary: R.machineDeployment,
  watches: [{ resource: R.machineSet, map: ownedKeys('MachineDeployment') }, clusterWatch(R.machineDeployment)],
  async reconcile(ctx, key) {
    const { namespace, name, obj: md } = cachedPrimary(ctx, R.machineDeployment, key);
    if (!md || isDeleting(md) || isPaused(clusterFor(ctx, md), md)) return; // MachineSets go by garbage collection
    const sets = ctx
      .cache(R.machineSet)
      .list(namespace)
      .filter((s) => ownedBy(s as Obj, 'MachineDeployment') === name) as Obj[];
    const replicas = field<number>(md, 'spec', 'replicas') ?? 1;
    const template = field<Record<string, unknown>>(md, 'spec', 'template') ?? {};
    const labels = {
      ...(field<Record<string, string>>(md, 'spec', 'template', 'metadata', 'labels') ?? {}),
      [MD_NAME_LABEL]: name,
    };
    const ms = sets[0];
    if (!ms) {
      const msName = `${name}-${randomSuffix()}`;
      const created = ctx.client.create(collectionPath(R.machineSet, namespace), {
        apiVersion: R.machineSet.apiVersion,
        kind: 'MachineSet',
        metadata: {
          name: msName,
          namespace,
          labels: { ...md.metadata.labels, ...labels },
          ownerReferences: [ownerRef(md)],
        },
        spec: {
          clusterName: field<string>(md, 'spec', 'clusterName'),
          replicas,
          selector: {
            matchLabels: {
              ...(field<Record<string, string>>(md, 'spec', 'selector', 'matchLabels') ?? {}),
              [MD_NAME_LABEL]: name,
            },
          },
          template: { ...template, metadata: { ...(template.metadata as object), labels } },
        },
      });
      const made = `MachineSet ${namespace}/${msName}`;
      await recordCreate(
        ctx,
        'machinedeployment-controller',
        md,
        created,
        `Created ${made} with ${replicas} replicas`,
        made,
      );
      return;
    }
    if (field<number>(ms, 'spec', 'replicas') !== replicas)
      await ctx.client.mergePatch(objectPath(R.machineSet, ms.metadata.name, namespace), { spec: { replicas } });
    const machines = ctx
      .cache(R.machine)
      .list(namespace)
      .filter((m) => m.metadata.labels?.[MD_NAME_LABEL] === name) as Obj[];
    await writeStatus(ctx, R.machineDeployment, md, replicas, machines, (f) => sumStatus(sets, f));
    return;
  },
};

async function cloneFromTemplate(
  ctx: ControllerContext,
  ms: Obj,
  ref: Ref | undefined,
  name: string,
  labels: Record<string, string>,
) {
  const res = resourceFor(ref);
  if (!res || !ref?.name) throw new Error(`MachineSet ${ms.metadata.name}: unsupported template ${ref?.kind}`);
  const ns = ms.metadata.namespace ?? '';
  const tpl = await ctx.client.get(objectPath(res, ref.name, ns));
  if (!tpl) throw new Error(`${ref.kind} ${ns}/${ref.name} not found`);
  const kind = ref.kind?.replace(/Template$/, '') ?? '';
  const target = kind === 'KubeadmConfig' ? R.kubeadmConfig : R.metal3Machine;
  await ctx.client.create(collectionPath(target, ns), {
    apiVersion: target.apiVersion,
    kind,
    metadata: {
      name,
      namespace: ns,
      labels,
      annotations: {
        [CLONED_FROM_NAME]: ref.name,
        [CLONED_FROM_GROUPKIND]: `${ref.kind}.${ref.apiGroup ?? res.apiVersion.split('/')[0]}`,
      },
      ownerReferences: [plainOwner(ms)],
    },
    spec: field<Record<string, unknown>>(tpl, 'spec', 'template', 'spec') ?? {},
  });
  return { apiGroup: target.apiVersion.split('/')[0], kind, name };
}

export const machineSetReconciler: ReconcilerDef = {
  name: 'machineset',
  concurrencyFlag: 'machineset-concurrency',
  primary: R.machineSet,
  watches: [
    { resource: R.machine, map: ownedKeys('MachineSet') },
    // ClusterToMachineSets: a MachineSet waits for the control plane to be initialized.
    clusterWatch(R.machineSet),
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: ms } = cachedPrimary(ctx, R.machineSet, key);
    const cluster = ms ? clusterFor(ctx, ms) : undefined;
    if (!ms || isDeleting(ms) || isPaused(cluster, ms)) return;
    const machines = ctx
      .cache(R.machine)
      .list(namespace)
      .filter((m) => ownedBy(m as Obj, 'MachineSet') === name) as Obj[];
    const live = machines.filter((m) => !m.metadata.deletionTimestamp);
    const replicas = field<number>(ms, 'spec', 'replicas') ?? 1;
    const clusterName = field<string>(ms, 'spec', 'clusterName') ?? '';
    if (live.length < replicas) {
      // MachineSets wait for the control plane before making workers (preflight).
      if (condition(cluster, 'ControlPlaneInitialized')?.status !== 'True') return;
      const machineName = `${name}-${randomSuffix()}`;
      const labels = {
        ...(field<Record<string, string>>(ms, 'spec', 'template', 'metadata', 'labels') ?? {}),
        [CLUSTER_NAME_LABEL]: clusterName,
        [MS_NAME_LABEL]: name,
      };
      const bootstrap = await cloneFromTemplate(
        ctx,
        ms,
        field<Ref>(ms, 'spec', 'template', 'spec', 'bootstrap', 'configRef'),
        machineName,
        labels,
      );
      const infra = await cloneFromTemplate(
        ctx,
        ms,
        field<Ref>(ms, 'spec', 'template', 'spec', 'infrastructureRef'),
        machineName,
        labels,
      );
      const created = ctx.client.create(collectionPath(R.machine, namespace), {
        apiVersion: R.machine.apiVersion,
        kind: 'Machine',
        metadata: { name: machineName, namespace, labels, ownerReferences: [ownerRef(ms)] },
        spec: {
          clusterName,
          version: field<string>(ms, 'spec', 'template', 'spec', 'version'),
          bootstrap: { configRef: bootstrap },
          infrastructureRef: infra,
        },
      });
      await recordCreate(ctx, 'machineset-controller', ms, created, `Created Machine "${machineName}"`);
      return; // the Machine's event brings the MachineSet back for the next one
    }
    if (live.length > replicas) {
      const newest = [...live].sort((a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      );
      for (const m of newest.slice(0, live.length - replicas))
        await ctx.client.delete(objectPath(R.machine, m.metadata.name, namespace));
    }
    const count = (f: string) =>
      f === 'replicas'
        ? live.length
        : live.filter((m) => condition(m, f === 'readyReplicas' ? 'Ready' : 'Available')?.status === 'True').length;
    await writeStatus(ctx, R.machineSet, ms, replicas, live, count);
    return;
  },
};
