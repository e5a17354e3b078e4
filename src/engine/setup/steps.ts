// `scale-tui setup`: the management-cluster bootstrap (SEED-SCRIPTS §8 "mgmt bootstrap"),
// as idempotent steps. Each step says whether it is already done (a re-run skips it),
// does its work, then waits on a real condition with a deadline.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writePrivateFile } from '../../core/pki/files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/schema.js';
import { kindClusters, kindCreateCluster, kindKubeconfig } from '../tools/kind.js';
import { applyKustomization, kubectl } from '../tools/kubectl.js';
import { clusterctlInit } from '../tools/clusterctl.js';
import { runTool } from '../tools/run.js';
import { CAPD_DEPLOYMENT, CAPD_NAMESPACE, clusterctlInitDockerArgs } from '../topology/capd.js';
import { CONTROLLERS } from '../../core/tune/flags.js';
import type { KubeObject } from '../../manifests/types.js';
import { mgmtKindConfig } from './kind-config.js';
import {
  bmoCrdKustomization,
  bmoTestModeArg,
  bmoTestModeIn,
  bmoTestModeKustomization,
  metricsServerManifestUrl,
} from './bmo.js';
import { CERT_MANAGER, METRICS_SERVER, containerArgs, crdPending, deploymentPending } from './conditions.js';
import { retryWithBackoff, waitFor } from './wait.js';
import { allReady, type SetupContext, type SetupStep, type StepReport, target, waitDeployments } from './step-kit.js';
import { setupBackingEtcd } from '../backing/setup.js';
import { loadOrCreateEtcdPki } from '../backing/etcd-pki.js';
import { ETCD } from '../backing/etcd-objects.js';
import { EtcdctlAdmin, podEtcdctl } from '../etcd/etcdctl.js';
import type { EtcdAdmin } from '../../core/etcd/admin.js';

export type { SetupContext, SetupStep, StepReport } from './step-kit.js';

const CP_TAINT = 'node-role.kubernetes.io/control-plane';
const PROVIDERS = ['capi', 'kubeadm-bootstrap', 'kcp', 'capm3', 'ipam'] as const;

interface NodeLike extends KubeObject {
  spec?: { taints?: Array<{ key: string; effect: string; value?: string }> };
}

export const kindStep: SetupStep = kindStepWith(false);

function kindStepWith(dockerSocket: boolean): SetupStep {
  return {
    id: 'kind',
    title: dockerSocket ? 'kind management cluster (docker socket mounted for CAPD)' : 'kind management cluster',
    async isDone(ctx) {
      return (await kindClusters()).includes(ctx.config.management.kindName) && existsSync(ctx.kubeconfigPath);
    },
    async run(ctx) {
      const name = ctx.config.management.kindName;
      if (!(await kindClusters()).includes(name)) {
        ctx.log(`creating kind cluster "${name}" with ${ctx.config.management.nodes} control-plane nodes`);
        await kindCreateCluster(
          name,
          mgmtKindConfig({ name, nodes: ctx.config.management.nodes, dockerSocket }),
          Math.round(ctx.timeouts.longMs / 1000),
        );
      }
      writePrivateFile(ctx.kubeconfigPath, await kindKubeconfig(name));
      await waitFor(
        async () => {
          const nodes = await ctx
            .kube()
            .list<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>('v1', 'Node');
          const notReady = nodes.filter(
            (n) => !(n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          );
          if (nodes.length < ctx.config.management.nodes)
            return `${nodes.length}/${ctx.config.management.nodes} nodes registered`;
          return notReady.length ? `nodes not Ready: ${notReady.map((n) => n.metadata.name).join(', ')}` : undefined;
        },
        {
          what: 'kind nodes Ready',
          timeoutMs: ctx.timeouts.longMs,
          pollMs: ctx.pollMs,
          sleep: ctx.sleep,
          hint: `docker ps; kind export logs --name ${name}`,
        },
      );
    },
  };
}

export const untaintStep: SetupStep = {
  id: 'untaint',
  title: 'control-plane nodes schedulable',
  async isDone(ctx) {
    const nodes = await ctx.kube().list<NodeLike>('v1', 'Node');
    return (
      nodes.length > 0 &&
      nodes.every((n) => !(n.spec?.taints ?? []).some((t) => t.key === CP_TAINT && t.effect === 'NoSchedule'))
    );
  },
  async run(ctx) {
    for (const n of await ctx.kube().list<NodeLike>('v1', 'Node')) {
      const taints = n.spec?.taints ?? [];
      const kept = taints.filter((t) => !(t.key === CP_TAINT && t.effect === 'NoSchedule'));
      if (kept.length === taints.length) continue;
      // A merge patch replaces the taints list: send the list without the control-plane taint.
      await ctx
        .kube()
        .mergePatch({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.metadata.name }, spec: { taints: kept } });
      ctx.log(`removed the ${CP_TAINT} NoSchedule taint from ${n.metadata.name}`);
    }
  },
};

export const bmoCrdsStep: SetupStep = {
  id: 'bmo-crds',
  title: 'BareMetalHost CRDs',
  async isDone(ctx) {
    return (await crdPending(ctx.kube(), 'baremetalhosts.metal3.io')) === undefined;
  },
  async run(ctx) {
    await applyKustomization(target(ctx), bmoCrdKustomization(ctx.config.providers.bmo));
    await waitFor(() => crdPending(ctx.kube(), 'baremetalhosts.metal3.io'), {
      what: 'CRD baremetalhosts.metal3.io Established',
      timeoutMs: ctx.timeouts.shortMs,
      pollMs: ctx.pollMs,
      sleep: ctx.sleep,
    });
  },
};

/**
 * `clusterctl init`, retried while cert-manager's webhook is not ready yet (its first calls are
 * refused for a while after it starts), then a wait for the providers' Deployments.
 */
async function initProviders(
  ctx: SetupContext,
  init: () => Promise<unknown>,
  deployments: Array<{ namespace: string; name: string }>,
): Promise<void> {
  await retryWithBackoff(() => init().then(() => undefined), {
    what: 'clusterctl init',
    timeoutMs: ctx.timeouts.longMs,
    sleep: ctx.sleep,
    onRetry: (n, ms) => ctx.log(`clusterctl init: webhook not ready, retry ${n} in ${Math.round(ms / 1000)} s`),
  });
  await waitDeployments(
    ctx,
    deployments,
    ctx.timeouts.longMs,
    'kubectl get pods -A | grep -v Running; image pulls are the usual delay.',
  );
}

export const providersStep: SetupStep = {
  id: 'providers',
  title: 'clusterctl init (CAPI, CABPK, KCP, CAPM3, IPAM; pinned)',
  async isDone(ctx) {
    return allReady(
      PROVIDERS.map((id) => deploymentPending(ctx.kube(), CONTROLLERS[id].namespace, CONTROLLERS[id].deployment)),
    );
  },
  async run(ctx) {
    const p = ctx.config.providers;
    ctx.log(`clusterctl init: cluster-api ${p.capi}, metal3 ${p.capm3}, ipam ${p.ipam}, cert-manager ${p.certManager}`);
    const versions = { capi: p.capi, capm3: p.capm3, ipam: p.ipam, certManager: p.certManager };
    await initProviders(
      ctx,
      () => clusterctlInit(versions, target(ctx)),
      PROVIDERS.map((id) => ({ namespace: CONTROLLERS[id].namespace, name: CONTROLLERS[id].deployment })),
    );
  },
};

export const certManagerStep: SetupStep = {
  id: 'cert-manager',
  title: 'cert-manager ready',
  async isDone(ctx) {
    return allReady(CERT_MANAGER.deployments.map((d) => deploymentPending(ctx.kube(), CERT_MANAGER.namespace, d)));
  },
  async run(ctx) {
    await waitDeployments(
      ctx,
      CERT_MANAGER.deployments.map((name) => ({ namespace: CERT_MANAGER.namespace, name })),
      ctx.timeouts.longMs,
      'kubectl -n cert-manager get pods',
    );
  },
};

export const bmoStep: SetupStep = {
  id: 'bmo',
  title: 'Bare Metal Operator in test mode',
  async isDone(ctx) {
    const c = CONTROLLERS.bmo;
    const args = await containerArgs(ctx.kube(), c.namespace, c.deployment, c.container);
    // Done only in the form the configured version accepts: v0.14 exits on --test-mode.
    const inTestMode = !!args && bmoTestModeIn(args) === bmoTestModeArg(ctx.config.providers.bmo);
    return inTestMode && (await deploymentPending(ctx.kube(), c.namespace, c.deployment)) === undefined;
  },
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'scale-tui-bmo-'));
    try {
      for (const [file, text] of Object.entries(bmoTestModeKustomization(ctx.config.providers.bmo)))
        writeFileSync(join(dir, file), text);
      // BMO's Certificate needs cert-manager's webhook, which may still be starting.
      await retryWithBackoff(() => applyKustomization(target(ctx), dir), {
        what: 'applying BMO',
        timeoutMs: ctx.timeouts.shortMs,
        sleep: ctx.sleep,
        onRetry: (n, ms) => ctx.log(`BMO apply: webhook not ready, retry ${n} in ${Math.round(ms / 1000)} s`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const c = CONTROLLERS.bmo;
    await waitDeployments(
      ctx,
      [{ namespace: c.namespace, name: c.deployment }],
      ctx.timeouts.shortMs,
      `kubectl -n ${c.namespace} describe pods`,
    );
  },
};

export const metricsServerStep: SetupStep = {
  id: 'metrics-server',
  title: 'metrics-server (kind: --kubelet-insecure-tls)',
  async isDone(ctx) {
    const args = await containerArgs(
      ctx.kube(),
      METRICS_SERVER.namespace,
      METRICS_SERVER.deployment,
      METRICS_SERVER.container,
    );
    return (
      !!args?.includes('--kubelet-insecure-tls') &&
      (await deploymentPending(ctx.kube(), METRICS_SERVER.namespace, METRICS_SERVER.deployment)) === undefined
    );
  },
  async run(ctx) {
    const url = metricsServerManifestUrl(ctx.config.providers.metricsServer);
    await retryWithBackoff(
      () =>
        kubectl(target(ctx), ['apply', '--server-side', '--force-conflicts', '--field-manager=scale-tui', '-f', url]),
      { what: 'applying metrics-server', timeoutMs: ctx.timeouts.shortMs, sleep: ctx.sleep },
    );
    const kube = ctx.kube();
    const d = await kube.get<
      KubeObject & { spec?: { template?: { spec?: { containers?: Array<{ name: string; args?: string[] }> } } } }
    >('apps/v1', 'Deployment', METRICS_SERVER.deployment, METRICS_SERVER.namespace);
    const containers = d?.spec?.template?.spec?.containers ?? [];
    // kind's kubelets serve self-signed certs; metrics-server must not verify them.
    const patched = containers.map((c) =>
      c.name === METRICS_SERVER.container && !(c.args ?? []).includes('--kubelet-insecure-tls')
        ? { ...c, args: [...(c.args ?? []), '--kubelet-insecure-tls'] }
        : c,
    );
    await kube.mergePatch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: METRICS_SERVER.deployment, namespace: METRICS_SERVER.namespace },
      spec: { template: { spec: { containers: patched } } },
    });
    await waitDeployments(
      ctx,
      [{ namespace: METRICS_SERVER.namespace, name: METRICS_SERVER.deployment }],
      ctx.timeouts.shortMs,
      'kubectl -n kube-system logs deploy/metrics-server',
    );
  },
};

/**
 * The dedicated topology (seed v2, §8.8) keeps the multi-tenant etcd in the management
 * cluster, and so does the shared API of shared and sharded: the same etcd-system setup
 * as a backing cluster, administered in the pod.
 */
export function mgmtEtcdStep(adminFor?: (ctx: SetupContext, rootPassword: string) => EtcdAdmin): SetupStep {
  const podAdmin = (ctx: SetupContext, pw: string): EtcdAdmin =>
    new EtcdctlAdmin(
      podEtcdctl({ target: target(ctx), namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container }),
      pw,
    );
  return {
    id: 'mgmt-etcd',
    title: 'multi-tenant etcd in the management cluster (dedicated, shared, sharded)',
    // Always run: every part is create-or-skip and ensureRoot is idempotent, and this is
    // the only way to know auth is really on.
    async isDone() {
      return false;
    },
    async run(ctx) {
      const res = await setupBackingEtcd({
        kube: ctx.kube(),
        pki: loadOrCreateEtcdPki(ctx.config.stateDir),
        ownership: { runId: 'setup' },
        adminFor: (pw) => (adminFor ?? podAdmin)(ctx, pw),
        readyTimeoutMs: ctx.timeouts.shortMs,
        pollMs: ctx.pollMs,
        log: ctx.log,
      });
      ctx.log(
        `etcd-system: ${res.created.length} object(s) created, ${res.existing.length} already there; root user and auth on`,
      );
    },
  };
}

export const SETUP_STEPS: SetupStep[] = [
  kindStep,
  untaintStep,
  bmoCrdsStep,
  providersStep,
  certManagerStep,
  bmoStep,
  metricsServerStep,
];

const CAPD_PROVIDERS = [
  ...(['capi', 'kubeadm-bootstrap', 'kcp'] as const).map((id) => ({
    namespace: CONTROLLERS[id].namespace,
    name: CONTROLLERS[id].deployment,
  })),
  { namespace: CAPD_NAMESPACE, name: CAPD_DEPLOYMENT },
];

/** capd comparison: CAPI with the Docker provider instead of Metal3 (no BMO, no IPAM). */
export const capdProvidersStep: SetupStep = {
  id: 'providers',
  title: 'clusterctl init (CAPI, CABPK, KCP, CAPD; pinned; ClusterTopology on)',
  async isDone(ctx) {
    return allReady(CAPD_PROVIDERS.map((d) => deploymentPending(ctx.kube(), d.namespace, d.name)));
  },
  async run(ctx) {
    const capi = ctx.config.providers.capi;
    ctx.log(`clusterctl init: cluster-api ${capi}, docker ${capi}`);
    // CLUSTER_TOPOLOGY=true: the quick-start clusters are ClusterClass clusters.
    await initProviders(
      ctx,
      () =>
        runTool('clusterctl', clusterctlInitDockerArgs(capi, target(ctx)), {
          timeoutMs: 900_000,
          env: { CLUSTER_TOPOLOGY: 'true' },
        }),
      CAPD_PROVIDERS,
    );
  },
};

export const CAPD_SETUP_STEPS: SetupStep[] = [
  kindStepWith(true),
  untaintStep,
  capdProvidersStep,
  certManagerStep,
  metricsServerStep,
];

/**
 * Topologies whose workload APIs keep their data in the management cluster's etcd:
 * dedicated (one apiserver per cluster) and the one shared API of shared and sharded.
 */
export function needsManagementEtcd(config: ExperimentConfig): boolean {
  return config.topology === 'dedicated' || config.topology === 'shared' || config.topology === 'sharded';
}

/** What scale-tui itself prepares for the topology; `setup --attach` runs these too. */
export function topologyStepsFor(config: ExperimentConfig): SetupStep[] {
  return needsManagementEtcd(config) ? [mgmtEtcdStep()] : [];
}

/** The steps for a config: the common bootstrap, plus what the topology needs; capd has its own. */
export function setupStepsFor(config: ExperimentConfig): SetupStep[] {
  if (config.topology === 'capd') return CAPD_SETUP_STEPS;
  return [...SETUP_STEPS, ...topologyStepsFor(config)];
}

export async function runSetupSteps(
  ctx: SetupContext,
  steps: SetupStep[] = setupStepsFor(ctx.config),
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const s of steps) {
    const start = Date.now();
    let done = false;
    try {
      done = await s.isDone(ctx);
    } catch {
      done = false; // cannot tell (e.g. cluster not there yet): run the step
    }
    if (done) {
      ctx.log(`skip  ${s.title} (already done)`);
      reports.push({ id: s.id, title: s.title, result: 'skipped', ms: Date.now() - start });
      continue;
    }
    ctx.log(`run   ${s.title}`);
    await s.run(ctx);
    reports.push({ id: s.id, title: s.title, result: 'done', ms: Date.now() - start });
  }
  return reports;
}
