// Bringing up a workload API server and making it reachable from the engine: the per-cluster
// apiserver Deployment (or the shared/sharded topologies' one shared API), the port-forward
// or NodePort it is dialled through, and the wait until it answers. Create, resume and the
// shared-API lifecycle (src/engine/ops/shared-api.ts) all use it.
import type { KubeClient } from '../../core/kube/client.js';
import { statusCode } from '../../core/kube/client.js';
import type { ClusterRecord } from '../../core/types.js';
import { tcpDialer } from '../forward/dialers.js';
import type { Site } from '../topology/types.js';
import { deploymentAvailable } from '../watch/capi-state.js';
import { waitFor } from '../watch/waiter.js';
import type { PipelineContext } from './context.js';
import type { ClusterSpec } from './objects.js';
import { createObjects, StepError } from './step.js';

export const APISERVER_SERVICE = 'test-kube-apiserver';

/** Ensures the workload API is serving and reachable at the endpoint; returns an engine-side client. */
export async function bringUpApi(
  ctx: PipelineContext,
  rec: ClusterRecord,
  spec: ClusterSpec,
  site: Site | undefined,
): Promise<KubeClient> {
  const apiSite = site ?? ctx.management;
  const apiNs = site ? spec.apiserverNamespace! : sharedApiNamespace(ctx);
  const apiName = site ? rec.name : sharedApiName(ctx);
  if (site) {
    const dep = (await ctx.objects.apiserver(spec)).filter((o) => o.kind === 'Deployment');
    await createObjects(ctx, site.client, dep, rec);
  }
  const deps = ctx.deployments(apiSite);
  await waitFor(
    [deps],
    () => (deps.list((d) => d.metadata.namespace === apiNs && deploymentAvailable(d)).length > 0 ? true : undefined),
    { what: `${apiName}: apiserver Deployment available`, timeoutMs: ctx.timeouts.apiMs, signal: ctx.signal },
  );
  const server = await ensureReach(ctx, site ? rec.number : 0, apiSite, apiNs, spec);
  const kubeconfig = await ctx.objects.adminKubeconfig(site ? spec : { ...spec, cluster: apiName }, server);
  const client = ctx.workloadClient(kubeconfig);
  await waitApiAnswers(ctx, client, apiName);
  return client;
}

export function sharedApiName(ctx: PipelineContext): string {
  return `${ctx.config.naming.prefix}-shared`;
}

export function sharedApiNamespace(ctx: PipelineContext): string {
  return `${ctx.config.naming.prefix}-shared-api`;
}

/** Port-forward: start (or re-point) the supervised forwarder; NodePort: nothing to run. Returns the engine's server URL. */
export async function ensureReach(
  ctx: PipelineContext,
  number: number,
  site: Site,
  namespace: string,
  spec: ClusterSpec,
): Promise<string> {
  if (ctx.reach.mode === 'nodeport') return `https://${spec.endpoint.host}:${spec.endpoint.port}`;
  const svc = await site.client.get('v1', 'Service', APISERVER_SERVICE, namespace);
  const ports = (svc?.spec as { ports?: Array<{ nodePort?: number }> } | undefined)?.ports ?? [];
  const nodePort = ports[0]?.nodePort;
  const dial = ctx.reach.dialer
    ? ctx.reach.dialer(site, namespace, nodePort)
    : nodePort
      ? tcpDialer(site.nodeHost, nodePort)
      : undefined;
  if (!dial)
    throw new StepError(
      'reach',
      `Service ${namespace}/${APISERVER_SERVICE} has no NodePort yet and no port-forward dialer is configured`,
    );
  const key = number === 0 ? '__shared__' : spec.cluster;
  await ctx.forwards.ensure(key, spec.endpoint.port, dial);
  return `https://${spec.endpoint.host}:${spec.endpoint.port}`;
}

/** The apiserver process may still be starting after the Deployment reports available. */
async function waitApiAnswers(ctx: PipelineContext, client: KubeClient, name: string): Promise<void> {
  const deadline = Date.now() + ctx.timeouts.apiMs;
  let delay = 100;
  for (;;) {
    try {
      await client.get('v1', 'Namespace', 'kube-system');
      return;
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 403) return; // it answers
      if (ctx.signal.aborted) throw new Error('aborted');
      if (Date.now() > deadline)
        throw new StepError(
          'wait-api',
          `${name}: workload API not answering: ${(err as Error).message.split('\n')[0]}`,
        );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}
