// The per-cluster create pipeline (DESIGN.md §4, SEED §8 order). Every step is
// idempotent (create-or-skip; waits resolve at once on what already exists), so a
// resumed engine simply runs it again. Waits read the shared informers; nothing polls
// the management cluster per cluster.
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CAPI_CLUSTER_NAME } from '../../manifests/labels.js';
import { patchStatus } from '../../core/kube/client.js';
import type { ClusterRecord, CreatePhase } from '../../core/types.js';
import { CREATE_PHASES } from '../../core/types.js';
import { API, EXPIRY_ANNOTATION } from '../watch/capi-state.js';
import type { PipelineContext } from './context.js';
import type { ClusterSpec } from './objects.js';
import { endpointFor } from './reach.js';
import { createObjects, StepError, step } from './step.js';
import { bringUpApi } from './workload-api.js';
import { waitHostMachineAssociated, waitInitialized, waitReady } from './capi-waits.js';

// capd's and the farm's pipelines (src/engine/topology/) take the step kit from here too.
export { createObjects, owned, StepError, step } from './step.js';

function keyOf(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function clusterSpec(ctx: PipelineContext, rec: ClusterRecord): ClusterSpec {
  const site = ctx.topology.apiserverSite(rec);
  const shared = site === undefined;
  return {
    runId: ctx.runId,
    batchId: rec.batchId,
    topology: ctx.topology.name,
    cluster: rec.name,
    number: rec.number,
    namespace: rec.namespace,
    // Shared topologies: every cluster dials the one shared API (number 0).
    endpoint: endpointFor(ctx.reach, shared ? ctx.management : site, shared ? 0 : rec.number),
    apiserverNamespace: shared ? undefined : rec.name,
    serviceType: 'NodePort',
    nodePort: ctx.reach.mode === 'nodeport' ? ctx.reach.nodePortBase + (shared ? 0 : rec.number) : undefined,
  };
}

/** Marks a cluster failed with its step and reason; an abort (engine stopping) propagates instead. */
export function failCreate(ctx: PipelineContext, rec: ClusterRecord, err: unknown): 'failed' {
  if (ctx.signal.aborted) throw err;
  const f = err instanceof StepError ? err : new StepError('unknown', (err as Error).message);
  ctx.record(rec.name, 'failed', { step: f.step, reason: f.reason });
  ctx.log('error', `${rec.name}: failed at ${f.step}: ${f.reason}`);
  return 'failed';
}

/**
 * Runs the pipeline for one cluster; resolves 'ready' or 'failed' (never rejects for a cluster fault).
 * `siteDown` (site-health.ts) fails the cluster as soon as its backing cluster is declared
 * unreachable, whatever step it is in: the steps still running then end by their own
 * deadlines in the background and may no longer record anything.
 */
export async function createCluster(
  ctx: PipelineContext,
  rec: ClusterRecord,
  siteDown?: AbortSignal,
): Promise<'ready' | 'failed'> {
  if (!siteDown) {
    try {
      await runSteps(ctx, rec);
      return 'ready';
    } catch (err) {
      return failCreate(ctx, rec, err);
    }
  }
  let cut = false;
  let reached = 'start';
  const local = new AbortController();
  const onEngine = () => local.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onEngine, { once: true });
  const scoped: PipelineContext = {
    ...ctx,
    signal: local.signal,
    record: (cluster, phase, failure) => {
      if (cut) return;
      reached = phase;
      ctx.record(cluster, phase, failure);
    },
  };
  let onDown: (() => void) | undefined;
  const down = new Promise<never>((_, reject) => {
    onDown = () =>
      reject(
        new StepError(
          `after-${reached}`,
          (siteDown.reason as Error | undefined)?.message ?? 'backing cluster unreachable',
        ),
      );
    if (siteDown.aborted) onDown();
    else siteDown.addEventListener('abort', onDown, { once: true });
  });
  const steps = runSteps(scoped, rec);
  try {
    await Promise.race([steps, down]);
    return 'ready';
  } catch (err) {
    if (!ctx.signal.aborted && siteDown.aborted) {
      cut = true;
      local.abort(siteDown.reason);
      steps.catch(() => undefined);
    }
    return failCreate(ctx, rec, err);
  } finally {
    down.catch(() => undefined);
    if (onDown) siteDown.removeEventListener('abort', onDown);
    ctx.signal.removeEventListener('abort', onEngine);
  }
}

/**
 * Records each phase once per run of the pipeline. Resuming a cluster that was in flight
 * skips the phases it already reached, so its phase never goes backwards. A retry of a
 * *failed* cluster records every phase again: its current phase is `failed`, and a cluster
 * that failed after it had once been ready must be marked ready when the retry gets there
 * (skipping by its old transitions left it `failed` for good).
 */
export function phaseMarker(ctx: Pick<PipelineContext, 'record'>, rec: ClusterRecord): (phase: CreatePhase) => void {
  const seen: ClusterRecord['transitions'] = rec.phase === 'failed' ? {} : { ...rec.transitions };
  return (phase) => {
    if (seen[phase] !== undefined) return;
    seen[phase] = Date.now();
    ctx.record(rec.name, phase);
  };
}

async function runSteps(ctx: PipelineContext, rec: ClusterRecord): Promise<void> {
  const spec = clusterSpec(ctx, rec);
  const site = ctx.topology.apiserverSite(rec);
  const mark = phaseMarker(ctx, rec);
  const ns = rec.namespace;

  // 1. Management objects: namespace, BMH, PKI Secrets, cluster objects (SEED §8.9 1-3).
  await step('objects', async () => {
    const mgmtObjs = await ctx.objects.management(spec);
    await createObjects(ctx, ctx.management.client, mgmtObjs, rec);
    if (site) {
      // The apiserver's namespace, Secrets and Service at its site; the Deployment waits
      // for the association (SEED §17.2). On the management site the namespace and
      // Secrets were just written: skip them rather than pay a 409 each.
      const done = new Set(site === ctx.management ? mgmtObjs.map(keyOf) : []);
      const objs = (await ctx.objects.apiserver(spec)).filter((o) => o.kind !== 'Deployment' && !done.has(keyOf(o)));
      await createObjects(ctx, site.client, objs, rec);
    }
  });
  mark('objects');

  // 2. etcd tenant (SEED §8.9 7).
  if (site?.etcd) {
    await step('etcd-tenant', () => site.etcd!.ensureTenant(rec.name));
  }

  // 3. Waits on the shared informers.
  const { machine, uid: bmhUid } = await waitHostMachineAssociated(ctx, rec, mark);

  // 4. The workload API: per-cluster apiserver Deployment, or the shared one.
  const workload = await step('apiserver', () => bringUpApi(ctx, rec, spec, site));
  mark('api-up');

  // 5. Node, kubeadm-config, mirror pods (SEED §7).
  await step('workload-objects', async () => {
    const content = ctx.objects.workload(spec, { name: machine.metadata.name, bmhUid });
    for (const o of content.objects) await ctx.create(workload, o);
    for (const p of content.statuses) await patchStatus(workload, p.kind, p.name, p.namespace, p.status);
  });
  mark('node');

  await waitInitialized(ctx, rec, mark);

  // 6. Certificate-expiry annotations, only where each cluster has its own API (SEED §15.3).
  if (ctx.topology.dedicatedApi) {
    await step('expiry-annotations', async () => {
      const expiry = await ctx.objects.servingCertExpiry(spec);
      const annotations = { [EXPIRY_ANNOTATION]: expiry };
      await ctx.management.client.mergePatch({
        apiVersion: API.machine.apiVersion,
        kind: API.machine.kind,
        metadata: { name: machine.metadata.name, namespace: ns, annotations },
      });
      const configs = await ctx.management.client.list(API.kubeadmConfig.apiVersion, API.kubeadmConfig.kind, {
        namespace: ns,
        labelSelector: `${LABEL_CAPI_CLUSTER_NAME}=${rec.name}`,
      });
      for (const c of configs) {
        await ctx.management.client.mergePatch({
          apiVersion: API.kubeadmConfig.apiVersion,
          kind: API.kubeadmConfig.kind,
          metadata: { name: c.metadata.name, namespace: ns, annotations },
        });
      }
    });
  }

  await waitReady(ctx, rec, mark);
}

export { CREATE_PHASES };
