// CAPM3 (v1.13, v1beta2 contract): Metal3Cluster becomes provisioned; a Metal3Machine
// associates an available BareMetalHost in its namespace (consumerRef, the
// metal3.io/BareMetalHost annotation, the AssociateBMH condition), puts the image on it,
// and once the workload cluster has a Node labelled metal3.io/uuid=<BMH uid> sets the
// providerID metal3://<namespace>/<bmh>/<m3m> on the Metal3Machine and on that Node
// (CAPM3's behaviour with the cloud provider off). Deletion releases the host.
import type { ReconcilerDef } from './runtime.js';
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
  splitKey,
  type Condition,
  type Obj,
} from './helpers.js';
import { ApiError } from './rest.js';

export const M3C_FINALIZER = 'metal3cluster.infrastructure.cluster.x-k8s.io';
export const M3M_FINALIZER = 'metal3machine.infrastructure.cluster.x-k8s.io';
export const HOST_ANNOTATION = 'metal3.io/BareMetalHost';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

export const metal3ClusterReconciler: ReconcilerDef = {
  name: 'metal3cluster',
  concurrencyFlag: 'metal3cluster-concurrency',
  primary: R.metal3Cluster,
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const m3c = ctx.cache(R.metal3Cluster).get(namespace, name) as Obj | undefined;
    if (!m3c) return;
    if (isDeleting(m3c)) {
      // CAPM3 waits until no Metal3Machine of the cluster is left.
      const left = ctx
        .cache(R.metal3Machine)
        .list(namespace)
        .some((m) => m.metadata.labels?.[CLUSTER_NAME_LABEL] === m3c.metadata.labels?.[CLUSTER_NAME_LABEL]);
      if (left) return { requeueAfterMs: ctx.model.waitRequeueMs };
      await removeFinalizer(ctx.client, R.metal3Cluster, m3c, M3C_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.metal3Cluster, m3c, M3C_FINALIZER)) return;
    if (field<boolean>(m3c, 'status', 'initialization', 'provisioned') === true)
      return { requeueAfterMs: ctx.model.resyncMs.capm3 };
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

export const metal3MachineReconciler: ReconcilerDef = {
  name: 'metal3machine',
  concurrencyFlag: 'metal3machine-concurrency',
  primary: R.metal3Machine,
  watches: [
    { resource: R.bmh, map: (o) => mapHostToMachine(o as Obj) },
    { resource: R.metal3DataClaim, map: (o) => [`${o.metadata.namespace}/${o.metadata.name}`] },
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
    const { namespace, name } = splitKey(key);
    const m3m = ctx.cache(R.metal3Machine).get(namespace, name) as Obj | undefined;
    if (!m3m) return;
    const hostKey = m3m.metadata.annotations?.[HOST_ANNOTATION];
    const hostName = hostKey?.split('/')[1];
    const hosts = ctx.cache(R.bmh);
    const host = hostName ? (hosts.get(namespace, hostName) as Obj | undefined) : undefined;

    if (isDeleting(m3m)) {
      if (host && field<{ name?: string }>(host, 'spec', 'consumerRef')?.name === name) {
        // Release: no image, no consumer, powered off. BMO then deprovisions it.
        await ctx.client.mergePatch(objectPath(R.bmh, host.metadata.name, namespace), {
          metadata: {
            ownerReferences: (host.metadata.ownerReferences ?? []).filter((o) => o.kind !== 'Metal3Machine'),
          },
          spec: { consumerRef: null, image: null, userData: null, online: false },
        });
      }
      await removeFinalizer(ctx.client, R.metal3Machine, m3m, M3M_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.metal3Machine, m3m, M3M_FINALIZER)) return;

    const machineName = ownedBy(m3m, 'Machine');
    const machine = machineName ? (ctx.cache(R.machine).get(namespace, machineName) as Obj | undefined) : undefined;
    if (!machine) return { requeueAfterMs: ctx.model.waitRequeueMs };
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
        return { requeueAfterMs: ctx.model.waitRequeueMs };
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
        return;
      }
      const rendered = field<{ name?: string }>(claim, 'status', 'renderedData');
      if (!rendered?.name) return;
      await patchStatus(ctx.client, R.metal3Machine, m3m, { renderedData: { name: rendered.name, namespace } });
      return;
    }

    // Associated: wait for the host to be provisioned, then for the Node.
    const hostState = field<string>(host, 'status', 'provisioning', 'state');
    const nics = field<Array<{ ip?: string }>>(host, 'status', 'hardware', 'nics') ?? [];
    if (hostState !== 'provisioned') return;
    if (field<string>(m3m, 'spec', 'providerID') && field<boolean>(m3m, 'status', 'initialization', 'provisioned')) {
      return { requeueAfterMs: ctx.model.resyncMs.capm3 };
    }
    const clusterName =
      machine.metadata.labels?.[CLUSTER_NAME_LABEL] ?? field<string>(machine, 'spec', 'clusterName') ?? '';
    const workload = await ctx.workload.get(namespace, clusterName);
    if (!workload) return { requeueAfterMs: ctx.model.waitRequeueMs };
    const uid = host.metadata.uid ?? '';
    let nodes: Obj[];
    try {
      nodes = (await workload.list(collectionPath(R.node), `metal3.io/uuid=${uid}`)).items as Obj[];
    } catch {
      ctx.workload.drop(namespace, clusterName);
      return { requeueAfterMs: ctx.model.waitRequeueMs };
    }
    if (nodes.length !== 1) return { requeueAfterMs: ctx.model.waitRequeueMs };
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

/** The Metal3DataTemplate side: renders a Metal3Data for each claim (no IPAM pools in this experiment). */
export const metal3DataClaimReconciler: ReconcilerDef = {
  name: 'metal3data',
  concurrencyFlag: 'metal3data-concurrency',
  primary: R.metal3DataClaim,
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const claim = ctx.cache(R.metal3DataClaim).get(namespace, name) as Obj | undefined;
    if (!claim || isDeleting(claim) || field(claim, 'status', 'renderedData')) return;
    const template = field<string>(claim, 'spec', 'template', 'name') ?? '';
    const taken = new Set(
      ctx
        .cache(R.metal3Data)
        .list(namespace)
        .map((d) => d.metadata.name),
    );
    let index = 0;
    while (taken.has(`${template}-${index}`)) index++;
    const dataName = `${template}-${index}`;
    const created = await ctx.client.create(collectionPath(R.metal3Data, namespace), {
      apiVersion: R.metal3Data.apiVersion,
      kind: 'Metal3Data',
      metadata: { name: dataName, namespace, labels: claim.metadata.labels, ownerReferences: [ownerRef(claim)] },
      spec: { index, template: { name: template, namespace }, claim: { name, namespace } },
    });
    if (!created) return { requeueAfterMs: 10 };
    await patchStatus(ctx.client, R.metal3Data, created as Obj, { ready: true });
    await patchStatus(ctx.client, R.metal3DataClaim, claim, { renderedData: { name: dataName, namespace } });
    return;
  },
};
