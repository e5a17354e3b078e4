// The kubeadm bootstrap provider (CABPK, CAPI v1.14 kubeadmconfig_controller.go). It waits
// for the Cluster's infrastructure (status.initialization.infrastructureProvisioned); the
// first control-plane machine of a cluster takes the init lock, a ConfigMap <cluster>-lock
// (key lock-information: {"machineName": ...}, ownerRef to the Cluster, cluster-name label)
// and renders `kubeadm init`; other control-plane machines wait 30 s at a time until the
// control plane is initialized, then release the lock and render `kubeadm join`. The data
// Secret is named after the KubeadmConfig and controller-owned by it.
import type { ReconcilerDef, ControllerContext } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import {
  condition,
  field,
  isDeleting,
  ownedBy,
  ownerRef,
  patchStatus,
  setCondition,
  type Condition,
  type Obj,
  cachedPrimary,
  keysWhere,
} from './helpers.js';
import { ApiError } from './rest.js';
import { scaled } from '../cost-model/model.js';
import { CLUSTER_NAME_LABEL } from './kcp-certs.js';
import { isPaused, setPausedCondition } from './paused.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const LOCK_KEY = 'lock-information';

/** Takes <cluster>-lock for this machine; true when it holds it. */
async function lock(ctx: ControllerContext, cluster: Obj, machine: string): Promise<boolean> {
  const ns = cluster.metadata.namespace ?? '';
  const name = `${cluster.metadata.name}-lock`;
  const existing = await ctx.client.get(objectPath(R.configMap, name, ns));
  if (existing) {
    const info = JSON.parse(String((existing.data as Record<string, string> | undefined)?.[LOCK_KEY] ?? '{}')) as {
      machineName?: string;
    };
    if (info.machineName === machine) return true;
    // The holder is gone: the lock is stale; free it and try again next time.
    if (info.machineName && !ctx.cache(R.machine).get(ns, info.machineName)) await unlock(ctx, cluster);
    return false;
  }
  try {
    await ctx.client.request('POST', collectionPath(R.configMap, ns), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: ns,
        labels: { [CLUSTER_NAME_LABEL]: cluster.metadata.name },
        ownerReferences: [
          {
            apiVersion: cluster.apiVersion,
            kind: 'Cluster',
            name: cluster.metadata.name,
            uid: cluster.metadata.uid ?? '',
          },
        ],
      },
      data: { [LOCK_KEY]: JSON.stringify({ machineName: machine }) },
    });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return false;
    throw err;
  }
}

async function unlock(ctx: ControllerContext, cluster: Obj): Promise<void> {
  const ns = cluster.metadata.namespace ?? '';
  const path = objectPath(R.configMap, `${cluster.metadata.name}-lock`, ns);
  if (await ctx.client.get(path)) await ctx.client.delete(path);
}

export const kubeadmConfigReconciler: ReconcilerDef = {
  name: 'kubeadmconfig',
  concurrencyFlag: 'kubeadmconfig-concurrency',
  primary: R.kubeadmConfig,
  watches: [
    // ClusterPausedTransitionsOrInfrastructureProvisioned: the Cluster brings its configs back.
    {
      resource: R.cluster,
      map: (o, cache) =>
        keysWhere(
          cache(R.kubeadmConfig),
          o.metadata.namespace,
          (c) => c.metadata.labels?.[CLUSTER_NAME_LABEL] === o.metadata.name,
        ),
    },
    {
      resource: R.machine,
      map: (o) => {
        const ref = field<{ name?: string }>(o, 'spec', 'bootstrap', 'configRef');
        return ref?.name ? [`${o.metadata.namespace}/${ref.name}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: cfg } = cachedPrimary(ctx, R.kubeadmConfig, key);
    if (!cfg || isDeleting(cfg)) return;
    // The owner Machine: CABPK does nothing before the Machine controller made it the owner.
    const machineName = ownedBy(cfg, 'Machine');
    const machine = machineName ? (ctx.cache(R.machine).get(namespace, machineName) as Obj | undefined) : undefined;
    if (!machine) return;
    const clusterName =
      field<string>(machine, 'spec', 'clusterName') ?? cfg.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '';
    const cluster = ctx.cache(R.cluster).get(namespace, clusterName) as Obj | undefined;
    if (!cluster) return;
    if (await setPausedCondition(ctx.client, R.kubeadmConfig, cfg, cluster)) return;
    if (isPaused(cluster, cfg)) return;
    let conditions = field<Condition[]>(cfg, 'status', 'conditions');
    if (field<boolean>(cluster, 'status', 'initialization', 'infrastructureProvisioned') !== true) {
      if (condition(cfg, 'DataSecretAvailable')?.reason !== 'NotAvailable') {
        conditions = setCondition(conditions, {
          type: 'DataSecretAvailable',
          status: 'False',
          reason: 'NotAvailable',
          message: 'Waiting for Cluster status.infrastructureReady to be true',
        });
        await patchStatus(ctx.client, R.kubeadmConfig, cfg, { conditions });
      }
      return; // the Cluster watch brings it back
    }
    if (field<boolean>(cfg, 'status', 'initialization', 'dataSecretCreated')) return;

    const isControlPlane = machine.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined;
    const cpInitialized = condition(cluster, 'ControlPlaneInitialized')?.status === 'True';
    let init = false;
    if (!cpInitialized) {
      if (!isControlPlane || field(cfg, 'spec', 'joinConfiguration'))
        return { requeueAfterMs: scaled(ctx.model, ctx.model.cabpkWaitMs) };
      if (!(await lock(ctx, cluster, machine.metadata.name)))
        return { requeueAfterMs: scaled(ctx.model, ctx.model.cabpkWaitMs) };
      init = true;
    } else {
      await unlock(ctx, cluster);
    }
    // Rendered cloud-init is never executed (no machine boots): keep it short but real.
    const cloudInit = [
      '## template: jinja',
      '#cloud-config',
      'runcmd:',
      init
        ? "  - 'kubeadm init --config /run/kubeadm/kubeadm.yaml'"
        : "  - 'kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml'",
      '',
    ].join('\n');
    await ctx.client.create(collectionPath(R.secret, namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'cluster.x-k8s.io/secret',
      metadata: { name, namespace, labels: { [CLUSTER_NAME_LABEL]: clusterName }, ownerReferences: [ownerRef(cfg)] },
      data: { value: b64(cloudInit), format: b64('cloud-config') },
    });
    for (const [type, reason] of [
      ['DataSecretAvailable', 'Available'],
      ['CertificatesAvailable', 'Available'],
      ['Ready', 'Ready'],
    ] as const)
      conditions = setCondition(conditions, { type, status: 'True', reason });
    await patchStatus(ctx.client, R.kubeadmConfig, cfg, {
      dataSecretName: name,
      initialization: { dataSecretCreated: true },
      conditions,
      observedGeneration: cfg.metadata.generation,
    });
    return;
  },
};
