// The CAPD comparison topology (SEED README "CAPD scaling for comparison", SEED §16.4), for
// real runs only: per cluster a namespace, the quick-start ClusterClass and its templates,
// and a topology Cluster with 1 control-plane node and 0 workers, as `clusterctl generate
// cluster --flavor development` renders them for the pinned CAPD version (clusterctl adds
// the ClusterClass it references from the provider's release). Docker containers are the
// machines, so there is no BMH, etcd tenant, fake apiserver or fake Node: the phases are
// objects -> machine -> initialized -> ready.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../manifests/types.js';
import { namespaceObject } from '../../manifests/namespace.js';
import { UserError } from '../../core/errors.js';
import type { KubeClient } from '../../core/kube/client.js';
import { createObjects, failCreate, phaseMarker, step } from '../pipeline/create.js';
import type { PipelineContext } from '../pipeline/context.js';
import { runTool } from '../tools/run.js';
import type { KubectlTarget } from '../tools/kubectl.js';
import type { ClusterRecord } from '../../core/types.js';
import { clusterReady, isControlPlaneMachine, kcpInitialized } from '../watch/capi-state.js';
import { waitFor } from '../watch/waiter.js';
import { waitOptions } from '../pipeline/capi-waits.js';

export const CAPD_NAMESPACE = 'capd-system';
export const CAPD_DEPLOYMENT = 'capd-controller-manager';

/** `clusterctl init` for the comparison: core, kubeadm and the Docker provider, all pinned to the CAPI release. */
export function clusterctlInitDockerArgs(capi: string, target: KubectlTarget = {}): string[] {
  const args = [
    'init',
    `--core=cluster-api:${capi}`,
    `--bootstrap=kubeadm:${capi}`,
    `--control-plane=kubeadm:${capi}`,
    `--infrastructure=docker:${capi}`,
    '--wait-providers',
    '--wait-provider-timeout=600',
  ];
  if (target.kubeconfig) args.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context) args.push(`--kubeconfig-context=${target.context}`);
  return args;
}

export interface CapdClusterParams {
  cluster: string;
  namespace: string;
  kubernetesVersion: string;
  /** CAPD ships with CAPI: the same release tag. */
  capiVersion: string;
  target?: KubectlTarget;
}

export function clusterctlGenerateCapdArgs(p: CapdClusterParams): string[] {
  const args = [
    'generate',
    'cluster',
    p.cluster,
    `--infrastructure=docker:${p.capiVersion}`,
    '--flavor=development',
    `--kubernetes-version=${p.kubernetesVersion}`,
    '--control-plane-machine-count=1',
    '--worker-machine-count=0',
    `--target-namespace=${p.namespace}`,
  ];
  if (p.target?.kubeconfig) args.push(`--kubeconfig=${p.target.kubeconfig}`);
  if (p.target?.context) args.push(`--kubeconfig-context=${p.target.context}`);
  return args;
}

// Referenced objects first: templates, then the ClusterClass that names them, then the
// Cluster whose topology names the class (CAPI's webhooks check those references).
function rank(o: KubeObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind.endsWith('Template')) return 1;
  if (o.kind === 'ClusterClass') return 2;
  if (o.kind === 'Cluster') return 4;
  return 3;
}

/** Parses clusterctl's output into objects in creation order, the namespace first. */
export function capdObjects(yamlText: string, namespace: string, ns: KubeObject): KubeObject[] {
  const objs: KubeObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length)
      throw new UserError(
        `clusterctl printed YAML that does not parse: ${doc.errors[0]!.message}`,
        'Run the same `clusterctl generate cluster` by hand to see its output.',
      );
    const o = doc.toJS() as KubeObject | null;
    if (!o) continue;
    if (!o.kind || !o.apiVersion || !o.metadata?.name)
      throw new UserError(
        `clusterctl printed an object without kind/apiVersion/name`,
        'Check the CAPD template of the pinned version.',
      );
    if (o.kind === 'Namespace') continue;
    objs.push({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } });
  }
  if (!objs.some((o) => o.kind === 'Cluster'))
    throw new UserError(
      'clusterctl generate cluster printed no Cluster',
      'Check that the CAPD development flavor exists for the pinned CAPI version.',
    );
  return [ns, ...objs].sort((a, b) => rank(a) - rank(b));
}

/** Refuses to start when the Docker provider is not installed (names the fix). */
export async function ensureCapdProvider(client: KubeClient, capi: string): Promise<void> {
  const dep = await client.get('apps/v1', 'Deployment', CAPD_DEPLOYMENT, CAPD_NAMESPACE);
  if (!dep) {
    throw new UserError(
      `the capd topology needs the Docker infrastructure provider, and ${CAPD_NAMESPACE}/${CAPD_DEPLOYMENT} is not in the management cluster`,
      `Install it: CLUSTER_TOPOLOGY=true clusterctl ${clusterctlInitDockerArgs(capi).join(' ')} (on a kind cluster whose nodes mount /var/run/docker.sock).`,
    );
  }
}

/** Renders one cluster's objects by running clusterctl (a process per cluster: CAPD runs are tens of clusters). */
export function clusterctlRenderer(config: {
  kubernetesVersion: string;
  capiVersion: string;
  target: KubectlTarget;
}): (cluster: string, namespace: string) => Promise<string> {
  return async (cluster, namespace) => {
    const r = await runTool('clusterctl', clusterctlGenerateCapdArgs({ cluster, namespace, ...config }), {
      env: { CLUSTER_TOPOLOGY: 'true' },
      timeoutMs: 120_000,
    });
    return r.stdout;
  };
}

/** The per-cluster pipeline for capd; resolves 'ready' or 'failed' like createCluster. */
export async function createCapdCluster(
  ctx: PipelineContext,
  rec: ClusterRecord,
  render: (cluster: string, namespace: string) => Promise<string>,
): Promise<'ready' | 'failed'> {
  const mark = phaseMarker(ctx, rec);
  const ns = rec.namespace;
  const w = ctx.watches;
  const opts = waitOptions(ctx, rec);
  try {
    await step('objects', async () => {
      const objs = capdObjects(
        await render(rec.name, ns),
        ns,
        namespaceObject(ns, { runId: ctx.runId, cluster: rec.name, batchId: rec.batchId }),
      );
      await createObjects(ctx, ctx.management.client, objs, rec);
    });
    mark('objects');
    await step('wait-machine', () =>
      waitFor(
        [w.machine],
        () => w.machine.list((m) => isControlPlaneMachine(m, ns, rec.name)).at(0),
        opts('control-plane Machine'),
      ),
    );
    mark('machine');
    const kcp = () => w.kcp.list((k) => k.metadata.namespace === ns).at(0);
    await step('wait-initialized', () =>
      waitFor([w.kcp], () => (kcp() && kcpInitialized(kcp()!) ? true : undefined), opts('control plane initialized')),
    );
    mark('initialized');
    await step('wait-ready', () =>
      waitFor(
        [w.cluster],
        () => {
          const c = w.cluster.get(ns, rec.name);
          return c && clusterReady(c) ? true : undefined;
        },
        opts('Cluster ready'),
      ),
    );
    mark('ready');
    return 'ready';
  } catch (err) {
    return failCreate(ctx, rec, err);
  }
}
