// KubeadmControlPlane (CAPI v1.14). Per reconcile, in upstream's order: pause, deletion,
// finalizer, wait for the Cluster's infrastructure, certificates, endpoint, kubeconfig, a
// look into the workload cluster (kcp-health.ts), the Machines' KCP conditions (which are
// their readiness gates), with stacked etcd the removal of a member no Machine has
// (kcp-etcd-members.ts), then at most one scaling step (kcp-scale.ts): the first Machine
// (init), the pre-terminate hook of a deleting Machine, a rolling update, or one Machine
// more or fewer once the others are healthy (preflight checks).
// Requeue: only while the control plane is not initialized or its components are not
// healthy (20 s). A healthy KCP waits for watches and the 10 min SyncPeriod; the old 5 s
// re-check of healthy control planes was an artefact that made the demo's curve grow.
import type { ReconcilerDef, ControllerContext } from './runtime.js';
import { R, objectPath } from './resources.js';
import {
  addFinalizer,
  field,
  isDeleting,
  ownedBy,
  patchStatus,
  removeFinalizer,
  setCondition,
  type Condition,
  type Obj,
  cachedPrimary,
} from './helpers.js';
import { scaled } from '../cost-model/model.js';
import { CLUSTER_NAME_LABEL, ensureCertificates, ensureKubeconfig, isExternalEtcd } from './kcp-certs.js';
import { CONTROL_PLANE_LABEL, KCP_PRE_TERMINATE_HOOK } from './kcp-machines.js';
import { needsRollout, reconcileScaling } from './kcp-scale.js';
import { checkControlPlaneHealth, type ControlPlaneHealth } from './kcp-health.js';
import { apiServerCertificateExpiryVia, portForwardEndpoint, type EtcdAccess } from './kcp-etcd.js';
import { reconcileEtcdMembers, type EtcdStep } from './kcp-etcd-members.js';
import type { RestClient } from './rest.js';
import type { CertKeyPair } from '../../core/pki/index.js';
import { isPaused, setPausedCondition } from './paused.js';

export const KCP_FINALIZER = 'kubeadm.controlplane.cluster.x-k8s.io';
export const CERTIFICATES_EXPIRY_ANNOTATION = 'machine.cluster.x-k8s.io/certificates-expiry';
/** reconcileEtcdMembers: "Force a new reconcile after removing an etcd member" (1 s). */
const ETCD_MEMBER_REMOVED_REQUEUE_MS = 1_000;
/** Deadline of each port-forward and TLS/etcd call KCP makes into a workload cluster. */
const WORKLOAD_CALL_DEADLINE_MS = 5_000;

/** The `<cluster>-etcd` CA per cluster, read once per controller generation (upstream: the Secret cache). */
const etcdCas = new WeakMap<ControllerContext, Map<string, CertKeyPair>>();
/** KubeadmConfigs known to carry the certificates-expiry annotation: no GET for them again. */
const expiryRecorded = new WeakMap<ControllerContext, Set<string>>();

async function etcdCaOf(ctx: ControllerContext, ns: string, cluster: string): Promise<CertKeyPair | undefined> {
  let byCluster = etcdCas.get(ctx);
  if (!byCluster) {
    byCluster = new Map();
    etcdCas.set(ctx, byCluster);
  }
  const key = `${ns}/${cluster}`;
  const known = byCluster.get(key);
  if (known) return known;
  const secret = await ctx.client.get(objectPath(R.secret, `${cluster}-etcd`, ns));
  const d = secret?.data as Record<string, string> | undefined;
  if (!d?.['tls.crt'] || !d['tls.key']) return undefined;
  const ca = {
    certPem: Buffer.from(d['tls.crt'], 'base64').toString('utf8'),
    keyPem: Buffer.from(d['tls.key'], 'base64').toString('utf8'),
  };
  byCluster.set(key, ca);
  return ca;
}

/**
 * Upstream's reconcileCertificateExpiries: for each Machine with a Node whose KubeadmConfig
 * has no certificates-expiry annotation, read the serving certificate's notAfter through a
 * port-forward to kube-apiserver-<node>:6443 and annotate the KubeadmConfig (RFC 3339). A
 * failure is retried on a later reconcile, as upstream returns the error.
 */
async function recordCertificateExpiries(ctx: ControllerContext, workload: RestClient, machines: Obj[]) {
  let done = expiryRecorded.get(ctx);
  if (!done) {
    done = new Set();
    expiryRecorded.set(ctx, done);
  }
  for (const m of machines) {
    const node = field<string>(m, 'status', 'nodeRef', 'name');
    const configName = field<string>(m, 'spec', 'bootstrap', 'configRef', 'name');
    const ns = m.metadata.namespace ?? '';
    if (!node || !configName || m.metadata.deletionTimestamp || done.has(`${ns}/${configName}`)) continue;
    const config = await ctx.client.get(objectPath(R.kubeadmConfig, configName, ns));
    if (!config) continue;
    if (config.metadata.annotations?.[CERTIFICATES_EXPIRY_ANNOTATION] === undefined) {
      let expiry: string;
      try {
        expiry = await apiServerCertificateExpiryVia(
          portForwardEndpoint(workload.config),
          node,
          WORKLOAD_CALL_DEADLINE_MS,
        );
      } catch {
        continue;
      }
      await ctx.client.mergePatch(objectPath(R.kubeadmConfig, configName, ns), {
        metadata: { annotations: { [CERTIFICATES_EXPIRY_ANNOTATION]: expiry } },
      });
    }
    done.add(`${ns}/${configName}`);
  }
}

/**
 * Clusters whose certificates and kubeconfig this KCP generation has seen, so a healthy
 * control plane's reconcile reads no Secrets from the API server (the real KCP reads them
 * through its Secret cache). A restart (new context) starts empty, like a fresh cache.
 */
const secretsSeen = new WeakMap<ControllerContext, Set<string>>();
function seenSet(ctx: ControllerContext): Set<string> {
  const known = secretsSeen.get(ctx);
  if (known) return known;
  const fresh = new Set<string>();
  secretsSeen.set(ctx, fresh);
  return fresh;
}

async function reconcileDelete(ctx: ControllerContext, kcp: Obj, machines: Obj[], key: string) {
  const ns = kcp.metadata.namespace ?? '';
  for (const m of machines) {
    // The whole control plane goes: no etcd member to move, so KCP lets go of its hook.
    if (m.metadata.annotations && KCP_PRE_TERMINATE_HOOK in m.metadata.annotations)
      await ctx.client.mergePatch(objectPath(R.machine, m.metadata.name, ns), {
        metadata: { annotations: { [KCP_PRE_TERMINATE_HOOK]: null } },
      });
    if (!m.metadata.deletionTimestamp) await ctx.client.delete(objectPath(R.machine, m.metadata.name, ns));
  }
  if (machines.length > 0) return { requeueAfterMs: scaled(ctx.model, ctx.model.kcp.deleteRequeueMs) };
  seenSet(ctx).delete(key);
  const cluster = ownedBy(kcp, 'Cluster');
  if (cluster) etcdCas.get(ctx)?.delete(`${ns}/${cluster}`);
  await removeFinalizer(ctx.client, R.kcp, kcp, KCP_FINALIZER);
  return;
}

/** Writes KCP's per-Machine conditions (the Machines' readiness gates) when they change. */
async function syncMachineConditions(ctx: ControllerContext, machines: Obj[], health: ControlPlaneHealth) {
  for (const m of machines) {
    const h = health.machines.get(m.metadata.name);
    if (!h || m.metadata.deletionTimestamp) continue;
    let conditions = field<Condition[]>(m, 'status', 'conditions');
    let changed = false;
    for (const [type, ok] of Object.entries(h.conditions)) {
      const detail = type === 'EtcdMemberHealthy' ? h.etcdMember : undefined;
      const status = detail?.status ?? (ok ? 'True' : 'False');
      const reason = detail?.reason ?? (ok ? 'Healthy' : 'NotHealthy');
      const old = conditions?.find((c) => c.type === type);
      const message = detail?.message ?? '';
      if (old?.status === status && old.reason === reason && (old.message ?? '') === message) continue;
      conditions = setCondition(conditions, { type, status, reason, message });
      changed = true;
    }
    // resourceVersion: the Machine controller writes the same list; a conflict retries.
    if (changed)
      await ctx.client.mergePatch(objectPath(R.machine, m.metadata.name, m.metadata.namespace, 'status'), {
        metadata: { resourceVersion: m.metadata.resourceVersion },
        status: { conditions },
      });
  }
}

export const kcpReconciler: ReconcilerDef = {
  name: 'kubeadmcontrolplane',
  concurrencyFlag: 'kubeadmcontrolplane-concurrency',
  primary: R.kcp,
  watches: [
    {
      resource: R.machine,
      map: (o) => {
        const k = ownedBy(o as Obj, 'KubeadmControlPlane');
        return k ? [`${o.metadata.namespace}/${k}`] : [];
      },
    },
    {
      resource: R.cluster,
      map: (o) => {
        const ref = field<{ name?: string }>(o, 'spec', 'controlPlaneRef');
        return ref?.name ? [`${o.metadata.namespace}/${ref.name}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: kcp } = cachedPrimary(ctx, R.kcp, key);
    if (!kcp) return;
    const machines = ctx
      .cache(R.machine)
      .list(namespace)
      .filter((m) => ownedBy(m as Obj, 'KubeadmControlPlane') === name) as Obj[];
    const clusterName = ownedBy(kcp, 'Cluster');
    const cluster = clusterName ? (ctx.cache(R.cluster).get(namespace, clusterName) as Obj | undefined) : undefined;
    if (!cluster) return; // waits for the Cluster controller to adopt it
    if (await setPausedCondition(ctx.client, R.kcp, kcp, cluster)) return;
    if (isPaused(cluster, kcp)) return;
    if (isDeleting(kcp)) return reconcileDelete(ctx, kcp, machines, key);
    if (await addFinalizer(ctx.client, R.kcp, kcp, KCP_FINALIZER)) return;
    // The Cluster watch brings KCP back when the infrastructure is provisioned.
    if (field<boolean>(cluster, 'status', 'initialization', 'infrastructureProvisioned') !== true) return;

    if (!seenSet(ctx).has(key)) {
      const ca = await ensureCertificates(ctx, kcp, cluster.metadata.name);
      if (!(await ensureKubeconfig(ctx, kcp, cluster, ca))) return; // endpoint not set yet
      seenSet(ctx).add(key);
    }

    let health: ControlPlaneHealth = {
      reachable: false,
      initialized: field<boolean>(kcp, 'status', 'initialization', 'controlPlaneInitialized') === true,
      machines: new Map(),
      componentsHealthy: false,
      etcdHealthy: false,
    };
    const workload = machines.length > 0 ? await ctx.workload.get(namespace, cluster.metadata.name) : undefined;
    if (machines.length > 0 && !workload) seenSet(ctx).delete(key); // no kubeconfig: look again next time
    const externalEtcd = isExternalEtcd(kcp);
    let etcdAccess: EtcdAccess | undefined;
    if (workload) {
      try {
        const etcdCa = externalEtcd ? undefined : await etcdCaOf(ctx, namespace, cluster.metadata.name);
        if (etcdCa)
          etcdAccess = {
            endpoint: portForwardEndpoint(workload.config),
            etcdCa,
            deadlineMs: WORKLOAD_CALL_DEADLINE_MS,
          };
        health = await checkControlPlaneHealth({
          workload,
          machines,
          externalEtcd,
          alreadyInitialized: health.initialized,
          etcdCa,
          deadlineMs: WORKLOAD_CALL_DEADLINE_MS,
        });
        if (health.initialized) await recordCertificateExpiries(ctx, workload, machines);
      } catch {
        ctx.workload.drop(namespace, cluster.metadata.name);
      }
    }
    await syncMachineConditions(ctx, machines, health);

    const live = machines.filter((m) => !m.metadata.deletionTimestamp);
    const isHealthy = (m: Obj) => {
      const h = health.machines.get(m.metadata.name);
      return Boolean(h?.nodeReady && Object.values(h.conditions).every(Boolean));
    };
    const healthyMachines = live.filter(isHealthy).length;
    const etcd: EtcdStep | undefined =
      externalEtcd || !workload
        ? undefined
        : { kcp, machines, health, access: etcdAccess, upToDate: (m) => !needsRollout(ctx, kcp, m) };
    // reconcileEtcdMembers comes first; a member removed there is all this reconcile does.
    const step =
      etcd && (await reconcileEtcdMembers(ctx, etcd))
        ? {
            acted: true,
            upToDate: live.filter((m) => !needsRollout(ctx, kcp, m)).length,
            requeueAfterMs: scaled(ctx.model, ETCD_MEMBER_REMOVED_REQUEUE_MS),
          }
        : await reconcileScaling(ctx, {
            kcp,
            cluster,
            machines,
            initialized: health.initialized,
            healthy: isHealthy,
            etcd,
          });

    let conditions = field<Condition[]>(kcp, 'status', 'conditions');
    const flag = (type: string, ok: boolean, yes: string, no: string) => {
      conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason: ok ? yes : no });
    };
    flag('CertificatesAvailable', true, 'Available', 'NotAvailable');
    flag('Initialized', health.initialized, 'Initialized', 'NotInitialized');
    flag('ControlPlaneComponentsHealthy', health.componentsHealthy, 'Healthy', 'NotHealthy');
    if (health.etcd)
      conditions = setCondition(conditions, {
        type: 'EtcdClusterHealthy',
        status: health.etcd.status,
        reason: health.etcd.reason,
        message: health.etcd.message ?? '',
      });
    else flag('EtcdClusterHealthy', health.etcdHealthy, 'Healthy', 'NotHealthy');
    flag('MachinesReady', live.length > 0 && healthyMachines === live.length, 'Ready', 'NotReady');
    flag('Available', health.initialized && health.etcdHealthy && healthyMachines >= 1, 'Available', 'NotAvailable');
    const status = {
      initialization: { controlPlaneInitialized: health.initialized },
      replicas: live.length,
      readyReplicas: healthyMachines,
      availableReplicas: healthyMachines,
      upToDateReplicas: step.upToDate,
      version: field<string>(kcp, 'spec', 'version'),
      selector: `${CLUSTER_NAME_LABEL}=${cluster.metadata.name},${CONTROL_PLANE_LABEL}`,
      conditions,
      observedGeneration: kcp.metadata.generation,
    };
    const old = kcp.status as Record<string, unknown> | undefined;
    const sig = (c: Condition[] | undefined) =>
      JSON.stringify((c ?? []).map((x) => [x.type, x.status, x.reason, x.message ?? '']));
    const changed =
      !old ||
      old.readyReplicas !== healthyMachines ||
      old.replicas !== live.length ||
      old.upToDateReplicas !== step.upToDate ||
      field(old, 'initialization', 'controlPlaneInitialized') !== health.initialized ||
      sig(old.conditions as Condition[] | undefined) !== sig(conditions);
    if (changed) await patchStatus(ctx.client, R.kcp, kcp, status);
    // Upstream: requeue while not initialized or components not healthy, or as a step asks;
    // a created or deleted Machine's events bring KCP back.
    const unhealthy = !health.initialized || !health.componentsHealthy;
    const waits = [
      step.requeueAfterMs,
      unhealthy && !step.acted ? scaled(ctx.model, ctx.model.kcp.unhealthyRequeueMs) : undefined,
    ].filter((x): x is number => x !== undefined);
    return waits.length > 0 ? { requeueAfterMs: Math.min(...waits) } : undefined;
  },
};
