import type { ClusterRecord } from '../../core/types.js';
import { statusCode } from '../../core/kube/client.js';
import type { PipelineContext } from '../pipeline/context.js';
import { StepError, clusterSpec, createObjects, failCreate, phaseMarker, step } from '../pipeline/create.js';
import { deleteCluster } from '../pipeline/delete.js';
import { waitHostMachineAssociated, waitInitialized, waitReady } from '../pipeline/capi-waits.js';
import type { ClusterSpec } from '../pipeline/objects.js';
import type { FarmClient } from './farm.js';
import type { FarmTopology } from './farm-topology.js';

/** The cluster's spec with the farm's endpoint: registers it (idempotent) with its own CAs. */
export async function farmSpec(ctx: PipelineContext, farm: FarmClient, rec: ClusterRecord): Promise<ClusterSpec> {
  const base = clusterSpec(ctx, rec);
  if (!ctx.objects.clusterCas)
    throw new StepError('farm-register', 'the object source has no cluster CAs to give the farm');
  const cas = await ctx.objects.clusterCas(base);
  // The CAs stay here: the farm gets certificates issued from them (FarmClient.register).
  const reg = await farm.register(rec.name, rec.namespace, {
    ca: { certPem: cas.ca.cert, keyPem: cas.ca.key },
    etcdCa: { certPem: cas.etcdCa.cert, keyPem: cas.etcdCa.key },
  });
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
  const farm = await step('farm-register', async () => topology.client(rec.placement));
  const spec = await step('farm-register', () => farmSpec(ctx, farm, rec));

  await step('objects', async () => {
    await createObjects(ctx, ctx.management.client, await ctx.objects.management(spec), rec);
  });
  mark('objects');

  const { machine, uid: bmhUid } = await waitHostMachineAssociated(ctx, rec, mark);

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

  await waitInitialized(ctx, rec, mark);
  await waitReady(ctx, rec, mark);
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
