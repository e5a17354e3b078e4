// Per-cluster delete (SEED §8.4/8.10/8.14, fixed): the Cluster first and wait for CAPI;
// then the workload API objects and the apiserver; the etcd tenant (prefix with the
// trailing slash); the namespaces at the site and in the management cluster. Only objects
// carrying scale-tui's label are touched.
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CLUSTER, LABEL_MANAGED_BY, MANAGED_BY_VALUE, MANAGED_SELECTOR } from '../../manifests/labels.js';
import type { ClusterRecord } from '../../core/types.js';
import { waitFor } from '../watch/waiter.js';
import { API } from '../watch/capi-state.js';
import type { PipelineContext } from './context.js';
import { clusterSpec } from './create.js';
import { StepError, step } from './step.js';
import { APISERVER_SERVICE, sharedApiNamespace } from './workload-api.js';

function ours(o: KubeObject | undefined): boolean {
  return o?.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_VALUE;
}

export async function deleteCluster(
  ctx: PipelineContext,
  rec: ClusterRecord,
  sharedWorkload?: () => Promise<import('../../core/kube/client.js').KubeClient | undefined>,
): Promise<'deleted' | 'failed'> {
  try {
    await runDelete(ctx, rec, sharedWorkload);
    ctx.objects.forget?.(rec.name);
    ctx.record(rec.name, 'deleted');
    return 'deleted';
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const f = err instanceof StepError ? err : new StepError('delete', (err as Error).message);
    ctx.record(rec.name, 'failed', { step: f.step, reason: f.reason });
    ctx.log('error', `${rec.name}: delete failed at ${f.step}: ${f.reason}`);
    return 'failed';
  }
}

async function runDelete(
  ctx: PipelineContext,
  rec: ClusterRecord,
  sharedWorkload?: () => Promise<import('../../core/kube/client.js').KubeClient | undefined>,
): Promise<void> {
  ctx.record(rec.name, 'deleting');
  const mgmt = ctx.management.client;
  const ns = rec.namespace;
  const w = ctx.watches;
  const site = ctx.topology.apiserverSite(rec);

  // 1. The Cluster, and wait until CAPI has removed it (its finalizer cleans Machines etc.).
  await step('delete-cluster', async () => {
    const live =
      w.cluster.get(ns, rec.name) ?? (await mgmt.get(API.cluster.apiVersion, API.cluster.kind, rec.name, ns));
    if (live && ours(live)) {
      await mgmt.delete(API.cluster.apiVersion, API.cluster.kind, rec.name, ns);
      await waitFor([w.cluster], () => (w.cluster.get(ns, rec.name) ? undefined : true), {
        what: `${rec.name}: Cluster deleted by CAPI`,
        timeoutMs: ctx.timeouts.deleteMs,
        signal: ctx.signal,
      });
    }
  });

  // 2. Workload API content: in a shared API the Node and mirror pods outlive the cluster
  //    (SEED §15.23), so remove what carries this cluster's label.
  if (!site && sharedWorkload) {
    await step('delete-workload-objects', async () => {
      const api = await sharedWorkload();
      if (!api) return;
      const sel = `${MANAGED_SELECTOR},${LABEL_CLUSTER}=${rec.name}`;
      for (const [v, k, n] of [
        ['v1', 'Pod', 'kube-system'],
        ['v1', 'Node', undefined],
      ] as const) {
        for (const o of await api.list(v, k, { namespace: n, labelSelector: sel }))
          await api.delete(v, k, o.metadata.name, o.metadata.namespace);
      }
    });
  }

  // 3. The apiserver, then the etcd tenant (user, role, keys under `/<cluster>/`).
  if (site) {
    await step('delete-apiserver', async () => {
      const apiNs = rec.name;
      const dep = await site.client.get('apps/v1', 'Deployment', APISERVER_SERVICE, apiNs);
      if (ours(dep)) await site.client.delete('apps/v1', 'Deployment', APISERVER_SERVICE, apiNs);
      const svc = await site.client.get('v1', 'Service', APISERVER_SERVICE, apiNs);
      if (ours(svc)) await site.client.delete('v1', 'Service', APISERVER_SERVICE, apiNs);
    });
    if (site.etcd) await step('etcd-tenant-delete', () => site.etcd!.deleteTenant(rec.name));
  }
  await ctx.forwards.stop(rec.name);

  // 4. Namespaces (or, in a shared shard namespace, this cluster's own objects).
  if (ctx.topology.sharedNamespace) {
    await step('delete-objects', async () => {
      const objs = (await ctx.objects.management(clusterSpec(ctx, rec)))
        .filter((o) => o.kind !== 'Namespace')
        .reverse();
      for (const o of objs) {
        const live = await mgmt.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace ?? ns);
        if (ours(live)) await mgmt.delete(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace ?? ns);
      }
    });
  } else {
    await step('delete-namespace', async () => {
      const targets = [ctx.management, ...(site && site !== ctx.management ? [site] : [])];
      for (const t of targets) {
        const live = await t.client.get('v1', 'Namespace', ns);
        if (live && ours(live)) await t.client.delete('v1', 'Namespace', ns);
      }
      for (const t of targets) {
        const inf = ctx.namespaces(t);
        await waitFor([inf], () => (inf.get(undefined, ns) ? undefined : true), {
          what: `${rec.name}: namespace ${ns} gone at ${t.name}`,
          timeoutMs: ctx.timeouts.deleteMs,
          signal: ctx.signal,
        });
      }
    });
  }
}

export { sharedApiNamespace };
