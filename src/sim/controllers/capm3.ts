// CAPM3 (v1.13, v1beta2 contract): Metal3Cluster becomes provisioned; a Metal3Machine
// associates an available BareMetalHost in its namespace (consumerRef, the
// metal3.io/BareMetalHost annotation, the AssociateBMH condition), puts the image on it,
// and once the host is provisioned and the machine has booted (the in-memory backend's node,
// etcd and API server times, bootWaitMs) and the workload cluster has a Node labelled
// metal3.io/uuid=<BMH uid>, sets the providerID metal3://<namespace>/<bmh>/<m3m> on the
// Metal3Machine and on that Node (CAPM3's behaviour with the cloud provider off). With a dataTemplate it claims rendered
// metadata (capm3-data.ts) and reports AssociateMetal3MachineMetaData and Metal3DataReady.
// Deletion (metal3machine_manager.go Delete) takes the image, user data and power away from
// the host and then waits, requeueing every 30 s, while the host is preparing,
// provisioning, provisioned, deprovisioning, powering off or deleting; only then does it
// drop the consumerRef and its finalizer. The deprovisioning wait dominates real deletes.
import type { ControllerContext, ReconcilerDef } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import {
  addFinalizer,
  field,
  isDeleting,
  nowIso,
  ownedBy,
  ownerRef,
  patchStatus,
  removeFinalizer,
  setCondition,
  setV1beta1Condition,
  type Condition,
  type Obj,
  cachedPrimary,
  keysWhere,
} from './helpers.js';
import { ApiError } from './rest.js';
import { bootAfterHostMs, scaled, watchedWaitMs } from '../cost-model/model.js';
import { isPaused, setPausedCondition } from './paused.js';

/** Host states in which CAPM3 keeps waiting before it releases the host. */
const DEPROVISION_WAIT_STATES = new Set([
  'preparing',
  'provisioning',
  'provisioned',
  'deprovisioning',
  'powering off before delete',
  'deleting',
]);

export const M3C_FINALIZER = 'metal3cluster.infrastructure.cluster.x-k8s.io';
export const M3M_FINALIZER = 'metal3machine.infrastructure.cluster.x-k8s.io';
export const HOST_ANNOTATION = 'metal3.io/BareMetalHost';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

export const metal3ClusterReconciler: ReconcilerDef = {
  name: 'metal3cluster',
  concurrencyFlag: 'metal3cluster-concurrency',
  primary: R.metal3Cluster,
  watches: [
    {
      resource: R.cluster,
      map: (o) => {
        const ref = field<{ name?: string }>(o, 'spec', 'infrastructureRef');
        return ref?.name ? [`${o.metadata.namespace}/${ref.name}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, obj: m3c } = cachedPrimary(ctx, R.metal3Cluster, key);
    if (!m3c) return;
    const owner = ownedBy(m3c, 'Cluster');
    const cluster = owner ? (ctx.cache(R.cluster).get(namespace, owner) as Obj | undefined) : undefined;
    // CAPM3 does nothing before the Cluster controller adopted it, nor while paused.
    if (!cluster) return;
    if (await setPausedCondition(ctx.client, R.metal3Cluster, m3c, cluster)) return;
    if (isPaused(cluster, m3c)) return;
    if (isDeleting(m3c)) {
      // CAPM3 waits until no Metal3Machine of the cluster is left.
      const left = ctx
        .cache(R.metal3Machine)
        .list(namespace)
        .some((m) => m.metadata.labels?.[CLUSTER_NAME_LABEL] === m3c.metadata.labels?.[CLUSTER_NAME_LABEL]);
      if (left) return { requeueAfterMs: scaled(ctx.model, ctx.model.capm3RequeueMs) };
      await removeFinalizer(ctx.client, R.metal3Cluster, m3c, M3C_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.metal3Cluster, m3c, M3C_FINALIZER)) return;
    if (field<boolean>(m3c, 'status', 'initialization', 'provisioned') === true) return;
    const conditions = setCondition(field<Condition[]>(m3c, 'status', 'conditions'), {
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
    });
    await patchStatus(ctx.client, R.metal3Cluster, m3c, {
      initialization: { provisioned: true },
      conditions,
      lastUpdated: nowIso(),
      deprecated: {
        v1beta1: {
          ready: true,
          conditions: [{ type: 'BaremetalInfrastructureReady', status: 'True', lastTransitionTime: nowIso() }],
        },
      },
    });
    return;
  },
};

function mapHostToMachine(obj: Obj): string[] {
  const ref = field<{ name?: string; kind?: string }>(obj, 'spec', 'consumerRef');
  return ref?.kind === 'Metal3Machine' && ref.name ? [`${obj.metadata.namespace}/${ref.name}`] : [];
}

/**
 * When each Metal3Machine's workload side is up: the host's provisioning stands for the
 * in-memory backend's VM, and its node, etcd and API server steps follow it
 * (bootAfterHostMs). Until then CAPM3 does not take the Node, as it could not see a Node
 * that had not booted. Kept per controller generation: a restarted CAPM3 waits once more.
 */
const bootDeadlines = new WeakMap<ControllerContext, Map<string, number>>();

function bootWaitMs(ctx: ControllerContext, key: string, machine: Obj): number {
  let deadlines = bootDeadlines.get(ctx);
  if (!deadlines) {
    deadlines = new Map();
    bootDeadlines.set(ctx, deadlines);
  }
  let at = deadlines.get(key);
  if (at === undefined) {
    const controlPlane = machine.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined;
    at = Date.now() + bootAfterHostMs(ctx.model, controlPlane);
    deadlines.set(key, at);
  }
  return at - Date.now();
}

export const metal3MachineReconciler: ReconcilerDef = {
  name: 'metal3machine',
  concurrencyFlag: 'metal3machine-concurrency',
  primary: R.metal3Machine,
  watches: [
    { resource: R.bmh, map: (o) => mapHostToMachine(o as Obj) },
    { resource: R.metal3DataClaim, map: (o) => [`${o.metadata.namespace}/${o.metadata.name}`] },
    // spec.paused of the Cluster pauses its Metal3Machines.
    {
      resource: R.cluster,
      map: (o, cache) =>
        keysWhere(
          cache(R.metal3Machine),
          o.metadata.namespace,
          (m) => m.metadata.labels?.[CLUSTER_NAME_LABEL] === o.metadata.name,
        ),
    },
    {
      resource: R.metal3Data,
      map: (o) => {
        const m = ownedBy(o as Obj, 'Metal3Machine');
        return m ? [`${o.metadata.namespace}/${m}`] : [];
      },
    },
    // A Machine change (bootstrap data ready) matters to its infrastructure machine.
    {
      resource: R.machine,
      map: (o) => {
        const ref = field<{ name?: string }>(o, 'spec', 'infrastructureRef');
        return ref?.name ? [`${o.metadata.namespace}/${ref.name}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: m3m } = cachedPrimary(ctx, R.metal3Machine, key);
    if (!m3m) return;
    const hostKey = m3m.metadata.annotations?.[HOST_ANNOTATION];
    const hostName = hostKey?.split('/')[1];
    const hosts = ctx.cache(R.bmh);
    const host = hostName ? (hosts.get(namespace, hostName) as Obj | undefined) : undefined;

    const m3mCluster = ctx.cache(R.cluster).get(namespace, m3m.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '') as
      | Obj
      | undefined;
    if (isPaused(m3mCluster, m3m)) return;
    if (isDeleting(m3m)) {
      bootDeadlines.get(ctx)?.delete(key);
      // The data claim goes with the machine (DissociateM3Metadata).
      const claim = ctx.cache(R.metal3DataClaim).get(namespace, name) as Obj | undefined;
      if (claim && !claim.metadata.deletionTimestamp)
        await ctx.client.delete(objectPath(R.metal3DataClaim, name, namespace));
      if (host && field<{ name?: string }>(host, 'spec', 'consumerRef')?.name === name) {
        if (
          field(host, 'spec', 'image') ||
          field(host, 'spec', 'userData') ||
          field(host, 'spec', 'online') !== false
        ) {
          // Deprovision: no image, no user data, powered off. BMO then deprovisions it.
          await ctx.client.mergePatch(objectPath(R.bmh, host.metadata.name, namespace), {
            spec: { image: null, userData: null, metaData: null, networkData: null, online: false },
          });
          return { requeueAfterMs: scaled(ctx.model, ctx.model.capm3RequeueMs) };
        }
        const state = field<string>(host, 'status', 'provisioning', 'state') ?? '';
        if (
          DEPROVISION_WAIT_STATES.has(state) ||
          (state === 'externally provisioned' && field(host, 'status', 'poweredOn'))
        )
          return { requeueAfterMs: scaled(ctx.model, ctx.model.capm3RequeueMs) }; // the BMH watch usually comes first
        await ctx.client.mergePatch(objectPath(R.bmh, host.metadata.name, namespace), {
          metadata: {
            labels: { [CLUSTER_NAME_LABEL]: null },
            ownerReferences: (host.metadata.ownerReferences ?? []).filter((o) => o.kind !== 'Metal3Machine'),
          },
          spec: { consumerRef: null },
        });
      }
      await removeFinalizer(ctx.client, R.metal3Machine, m3m, M3M_FINALIZER);
      return;
    }
    if (await setPausedCondition(ctx.client, R.metal3Machine, m3m, m3mCluster)) return;
    if (await addFinalizer(ctx.client, R.metal3Machine, m3m, M3M_FINALIZER)) return;

    const machineName = ownedBy(m3m, 'Machine');
    const machine = machineName ? (ctx.cache(R.machine).get(namespace, machineName) as Obj | undefined) : undefined;
    if (!machine) return { requeueAfterMs: watchedWaitMs(ctx.model) };
    const dataSecret = field<string>(machine, 'spec', 'bootstrap', 'dataSecretName');
    if (!dataSecret) return; // waits for the bootstrap provider; the Machine watch requeues us

    let conditions = field<Condition[]>(m3m, 'status', 'conditions');
    if (!host) {
      const free = hosts
        .list(namespace)
        .filter(
          (h) =>
            field<string>(h, 'status', 'provisioning', 'state') === 'available' &&
            !field<unknown>(h, 'spec', 'consumerRef') &&
            !(h as Obj).metadata.deletionTimestamp,
        )
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0] as Obj | undefined;
      if (!free) {
        conditions = setCondition(conditions, {
          type: 'AssociateBareMetalHost',
          status: 'False',
          reason: 'NoAvailableHost',
          message: 'no available host found',
        });
        await patchStatus(ctx.client, R.metal3Machine, m3m, { conditions });
        return { requeueAfterMs: watchedWaitMs(ctx.model) };
      }
      const image = field<Record<string, unknown>>(m3m, 'spec', 'image');
      try {
        await ctx.client.mergePatch(objectPath(R.bmh, free.metadata.name, namespace), {
          metadata: {
            resourceVersion: free.metadata.resourceVersion,
            labels: { [CLUSTER_NAME_LABEL]: machine.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '' },
            ownerReferences: [...(free.metadata.ownerReferences ?? []), ownerRef(m3m)],
          },
          spec: {
            consumerRef: { apiVersion: m3m.apiVersion, kind: 'Metal3Machine', name, namespace },
            image: image
              ? {
                  url: image.url,
                  checksum: image.checksum,
                  checksumType: image.checksumType,
                  format: image.format ?? image.diskFormat,
                }
              : null,
            userData: { name: dataSecret, namespace },
            online: true,
            automatedCleaningMode: field<string>(m3m, 'spec', 'automatedCleaningMode') ?? 'metadata',
          },
        });
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) return { requeueAfterMs: 10 }; // another machine won this host
        throw err;
      }
      await ctx.client.mergePatch(objectPath(R.metal3Machine, name, namespace), {
        metadata: { annotations: { [HOST_ANNOTATION]: `${namespace}/${free.metadata.name}` } },
      });
      conditions = setCondition(conditions, {
        type: 'AssociateBareMetalHost',
        status: 'True',
        reason: 'AssociateBareMetalHostSuccess',
      });
      const v1beta1 = setV1beta1Condition(field<Condition[]>(m3m, 'status', 'deprecated', 'v1beta1', 'conditions'), {
        type: 'AssociateBMH',
        status: 'True',
        reason: '',
      });
      await patchStatus(ctx.client, R.metal3Machine, m3m, {
        conditions,
        deprecated: { v1beta1: { conditions: v1beta1 } },
        userData: { name: dataSecret, namespace },
        lastUpdated: nowIso(),
      });
      return;
    }

    // With a dataTemplate, CAPM3 claims rendered metadata (Metal3DataClaim -> Metal3Data).
    const dataTemplate = field<{ name?: string }>(m3m, 'spec', 'dataTemplate');
    if (dataTemplate?.name && !field(m3m, 'status', 'renderedData')) {
      const claim = ctx.cache(R.metal3DataClaim).get(namespace, name);
      if (!claim) {
        await ctx.client.create(collectionPath(R.metal3DataClaim, namespace), {
          apiVersion: R.metal3DataClaim.apiVersion,
          kind: 'Metal3DataClaim',
          metadata: { name, namespace, labels: m3m.metadata.labels, ownerReferences: [ownerRef(m3m)] },
          spec: { template: { name: dataTemplate.name, namespace } },
        });
        conditions = setCondition(conditions, {
          type: 'AssociateMetal3MachineMetaData',
          status: 'True',
          reason: 'AssociateMetal3MachineMetaDataSuccess',
        });
        conditions = setCondition(conditions, {
          type: 'Metal3DataReady',
          status: 'False',
          reason: 'WaitingForMetal3Data',
        });
        await patchStatus(ctx.client, R.metal3Machine, m3m, { conditions });
        return;
      }
      const rendered = field<{ name?: string }>(claim, 'status', 'renderedData');
      const data = rendered?.name
        ? (ctx.cache(R.metal3Data).get(namespace, rendered.name) as Obj | undefined)
        : undefined;
      if (!data || field<boolean>(data, 'status', 'ready') !== true) return; // watches on claim and data
      conditions = setCondition(conditions, {
        type: 'Metal3DataReady',
        status: 'True',
        reason: 'Metal3DataSecretsReady',
      });
      const metaData = field<{ name: string }>(data, 'spec', 'metaData');
      const networkData = field<{ name: string }>(data, 'spec', 'networkData');
      await ctx.client.mergePatch(objectPath(R.bmh, host.metadata.name, namespace), {
        spec: {
          ...(metaData ? { metaData: { name: metaData.name, namespace } } : {}),
          ...(networkData ? { networkData: { name: networkData.name, namespace } } : {}),
        },
      });
      await patchStatus(ctx.client, R.metal3Machine, m3m, {
        renderedData: { name: data.metadata.name, namespace },
        ...(metaData ? { metaData: { name: metaData.name, namespace } } : {}),
        ...(networkData ? { networkData: { name: networkData.name, namespace } } : {}),
        conditions,
      });
      return;
    }

    // Associated: wait for the host to be provisioned, then for the Node.
    const hostState = field<string>(host, 'status', 'provisioning', 'state');
    const nics = field<Array<{ ip?: string }>>(host, 'status', 'hardware', 'nics') ?? [];
    if (hostState !== 'provisioned') return;
    if (field<string>(m3m, 'spec', 'providerID') && field<boolean>(m3m, 'status', 'initialization', 'provisioned')) {
      bootDeadlines.get(ctx)?.delete(key);
      return;
    }
    const booting = bootWaitMs(ctx, key, machine);
    if (booting > 0) return { requeueAfterMs: booting };
    const clusterName =
      machine.metadata.labels?.[CLUSTER_NAME_LABEL] ?? field<string>(machine, 'spec', 'clusterName') ?? '';
    const workload = await ctx.workload.get(namespace, clusterName);
    if (!workload) return { requeueAfterMs: watchedWaitMs(ctx.model) };
    const uid = host.metadata.uid ?? '';
    let nodes: Obj[];
    try {
      nodes = (await workload.list(collectionPath(R.node), `metal3.io/uuid=${uid}`)).items as Obj[];
    } catch {
      ctx.workload.drop(namespace, clusterName);
      return { requeueAfterMs: watchedWaitMs(ctx.model) };
    }
    if (nodes.length !== 1) return { requeueAfterMs: watchedWaitMs(ctx.model) };
    const node = nodes[0] as Obj;
    const providerID = `metal3://${namespace}/${host.metadata.name}/${name}`;
    if (field<string>(node, 'spec', 'providerID') !== providerID) {
      await workload.request(
        'PATCH',
        objectPath(R.node, node.metadata.name),
        { spec: { providerID } },
        'application/strategic-merge-patch+json',
      );
    }
    await ctx.client.mergePatch(objectPath(R.metal3Machine, name, namespace), { spec: { providerID } });
    conditions = setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Ready' });
    const addresses = [
      ...nics.filter((n) => n.ip).map((n) => ({ type: 'InternalIP', address: n.ip })),
      { type: 'Hostname', address: host.metadata.name },
      { type: 'InternalDNS', address: host.metadata.name },
    ];
    await patchStatus(ctx.client, R.metal3Machine, m3m, {
      initialization: { provisioned: true },
      addresses,
      conditions,
      deprecated: {
        v1beta1: {
          ready: true,
          conditions: setV1beta1Condition(field<Condition[]>(m3m, 'status', 'deprecated', 'v1beta1', 'conditions'), {
            type: 'AssociateBMH',
            status: 'True',
            reason: '',
          }),
        },
      },
      lastUpdated: nowIso(),
    });
    return;
  },
};
