// The per-cluster create and delete for the `farm` topology. The Metal3 objects are the same
// as every other topology's; what differs is the workload API: the cluster is registered on
// its farm first (with its own CA and etcd CA, so the `<cluster>-kubeconfig` CAPI writes from
// `<cluster>-ca` trusts the farm's serving certificate), the farm's host:port becomes the
// Cluster's and Metal3Cluster's controlPlaneEndpoint, and the Node is made by the farm's
// `updateNode` once the BareMetalHost's uid is known (CAPM3 matches it to `metal3.io/uuid`).
// Delete runs the common delete, then removes the cluster from its farm.
//
// Why register before the objects: the endpoint must be in the Cluster when it is created
// (CAPI does not let it change), and only the farm knows which port it serves the cluster on.
import { LABEL_CAPI_CLUSTER_NAME, LABEL_CLUSTER } from '../../manifests/labels.js';
import type { ClusterRecord } from '../../core/types.js';
import { statusCode } from '../../core/kube/client.js';
import type { PipelineContext } from '../pipeline/context.js';
import { StepError, clusterSpec, createObjects, failCreate, phaseMarker, step } from '../pipeline/create.js';
import { deleteCluster } from '../pipeline/delete.js';
import type { ClusterSpec } from '../pipeline/objects.js';
import {
  associatedHost,
  clusterReady,
  hostAvailable,
  isControlPlaneMachine,
  kcpInitialized,
  kcpReady,
} from '../watch/capi-state.js';
import { waitFor } from '../watch/waiter.js';
import type { FarmClient } from './farm.js';
import type { FarmTopology } from './farm-topology.js';

/** The cluster's spec with the farm's endpoint: registers it (idempotent) with its own CAs. */
export async function farmSpec(ctx: PipelineContext, farm: FarmClient, rec: ClusterRecord): Promise<ClusterSpec> {
  const base = clusterSpec(ctx, rec);
  if (!ctx.objects.clusterCas)
    throw new StepError('farm-register', 'the object source has no cluster CAs to give the farm');
  const cas = await ctx.objects.clusterCas(base);
  const reg = await farm.register(
    rec.name,
    rec.namespace,
    { certPem: cas.ca.cert, keyPem: cas.ca.key },
    { certPem: cas.etcdCa.cert, keyPem: cas.etcdCa.key },
  );
  return { ...base, endpoint: { host: reg.host, port: reg.port }, apiserverNamespace: undefined };
}

/** Create for one cluster on its farm; resolves 'ready' or 'failed' like createCluster. */
export async function createFarmCluster(
  ctx: PipelineContext,
  topology: FarmTopology,
  rec: ClusterRecord,
): Promise<'ready' | 'failed'> {
  try {
    await runFarmSteps(ctx, topology, rec);
    return 'ready';
  } catch (err) {
    return failCreate(ctx, rec, err);
  }
}

async function runFarmSteps(ctx: PipelineContext, topology: FarmTopology, rec: ClusterRecord): Promise<void> {
  const mark = phaseMarker(ctx, rec);
  const ns = rec.namespace;
  const w = ctx.watches;
  const opts = (what: string) => ({
    what: `${rec.name}: ${what}`,
    timeoutMs: ctx.timeouts.controllerMs,
    signal: ctx.signal,
  });
  const farm = await step('farm-register', async () => topology.client(rec.placement));
  const spec = await step('farm-register', () => farmSpec(ctx, farm, rec));

  await step('objects', async () => {
    await createObjects(ctx, ctx.management.client, await ctx.objects.management(spec), rec);
  });
  mark('objects');

  await step('wait-host', () =>
    waitFor(
      [w.bmh],
      () =>
        w.bmh
          .list(
            (b) => b.metadata.namespace === ns && b.metadata.labels?.[LABEL_CLUSTER] === rec.name && hostAvailable(b),
          )
          .at(0),
      opts('BareMetalHost available'),
    ),
  );
  mark('host-available');
  const machine = await step('wait-machine', () =>
    waitFor(
      [w.machine],
      () => w.machine.list((m) => isControlPlaneMachine(m, ns, rec.name)).at(0),
      opts('control-plane Machine'),
    ),
  );
  mark('machine');
  const bmhUid = await step('wait-associated', () =>
    waitFor(
      [w.m3m, w.bmh],
      () => {
        for (const m3m of w.m3m.list(
          (m) => m.metadata.namespace === ns && m.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME] === rec.name,
        )) {
          const h = associatedHost(m3m);
          const bmh = h ? w.bmh.get(h.namespace, h.name) : undefined;
          const uid = (bmh?.metadata as { uid?: string } | undefined)?.uid;
          if (uid) return uid;
        }
        return undefined;
      },
      opts('Metal3Machine associated with a BareMetalHost'),
    ),
  );
  mark('associated');

  // The farm's listener answers with the cluster's serving certificate, trusted by its CA.
  await step('apiserver', async () => {
    const server = `https://${spec.endpoint.host.includes(':') ? `[${spec.endpoint.host}]` : spec.endpoint.host}:${spec.endpoint.port}`;
    const client = ctx.workloadClient(await ctx.objects.adminKubeconfig(spec, server));
    try {
      await client.get('v1', 'Namespace', 'kube-system');
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 403) throw err;
    }
  });
  mark('api-up');

  await step('farm-update-node', () =>
    farm.updateNode({ cluster: rec.name, namespace: ns, nodeName: machine.metadata.name, uuid: bmhUid }),
  );
  mark('node');

  const kcpOf = () =>
    w.kcp
      .list(
        (k) =>
          k.metadata.namespace === ns &&
          (k.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME] === rec.name || k.metadata.name === rec.name),
      )
      .at(0);
  await step('wait-initialized', () =>
    waitFor([w.kcp], () => (kcpOf() && kcpInitialized(kcpOf()!) ? true : undefined), opts('control plane initialized')),
  );
  mark('initialized');
  await step('wait-ready', () =>
    waitFor(
      [w.kcp, w.cluster],
      () => {
        const k = kcpOf();
        const c = w.cluster.get(ns, rec.name);
        return (k && kcpReady(k)) || (c && clusterReady(c)) ? true : undefined;
      },
      opts('control plane ready'),
    ),
  );
  mark('ready');
}

/**
 * The common delete (Cluster, then namespace), then the cluster's removal from its farm;
 * 'deleted' is recorded only once the farm no longer serves it. A cluster whose farm is not
 * known (adopted from the API without a placement) is removed from every farm in use.
 */
export async function deleteFarmCluster(
  ctx: PipelineContext,
  topology: FarmTopology,
  rec: ClusterRecord,
): Promise<'deleted' | 'failed'> {
  let held = false;
  const scoped: PipelineContext = {
    ...ctx,
    record: (cluster, phase, failure) => {
      if (cluster === rec.name && phase === 'deleted') held = true;
      else ctx.record(cluster, phase, failure);
    },
  };
  const r = await deleteCluster(scoped, rec);
  if (r !== 'deleted' || !held) return r;
  try {
    const farms = rec.placement ? [topology.client(rec.placement)] : topology.allClients();
    for (const f of farms) await f.remove(rec.name, rec.namespace);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const reason = (err as Error).message.split('\n')[0] ?? 'farm did not answer';
    ctx.record(rec.name, 'failed', { step: 'farm-remove', reason });
    ctx.log('error', `${rec.name}: delete failed at farm-remove: ${reason}`);
    return 'failed';
  }
  ctx.record(rec.name, 'deleted');
  return 'deleted';
}
