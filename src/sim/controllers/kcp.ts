// KubeadmControlPlane (CAPI v1.14) and the kubeadm bootstrap provider (CABPK).
// KCP: generates the certificates it does not find (<c>-ca, <c>-etcd unless external,
// <c>-sa, <c>-proxy), writes <c>-kubeconfig for the controlPlaneEndpoint with an admin
// client certificate signed by <c>-ca, creates its Machine <kcp>-<5 chars> with a
// KubeadmConfig and a Metal3Machine from the template, and reads the workload API for
// real: initialized once kube-system/kubeadm-config exists, ready once the Node is
// Ready and the mirror pods run. CABPK renders the bootstrap data Secret.
import type { ReconcilerDef, ControllerContext } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import {
  addFinalizer,
  condition,
  field,
  isDeleting,
  nowIso,
  ownedBy,
  ownerRef,
  patchStatus,
  randomSuffix,
  removeFinalizer,
  setCondition,
  splitKey,
  type Condition,
  type Obj,
} from './helpers.js';
import { newCa, newClientCert, newRsaKey } from './pki.js';
import { watchedWaitMs } from '../cost-model/model.js';

export const KCP_FINALIZER = 'kubeadm.controlplane.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';
const CONTROL_PLANE_NAME_LABEL = 'cluster.x-k8s.io/control-plane-name';
const MIRROR_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function certSecret(
  name: string,
  namespace: string,
  cluster: string,
  owner: Obj,
  data: Record<string, string>,
  purpose: string,
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'cluster.x-k8s.io/secret',
    metadata: {
      name,
      namespace,
      labels: { [CLUSTER_NAME_LABEL]: cluster, 'cluster.x-k8s.io/purpose': purpose },
      ownerReferences: [ownerRef(owner)],
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** Ensures the CA-type Secrets; returns the cluster CA (cert + key) or undefined while missing. */
async function ensureCertificates(
  ctx: ControllerContext,
  kcp: Obj,
  cluster: string,
): Promise<{ cert: string; key: string } | undefined> {
  const ns = kcp.metadata.namespace ?? '';
  const externalEtcd = Boolean(field(kcp, 'spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'external'));
  let ca: { cert: string; key: string } | undefined;
  for (const purpose of ['ca', 'etcd', 'sa', 'proxy']) {
    const name = `${cluster}-${purpose}`;
    const existing = await ctx.client.get(objectPath(R.secret, name, ns));
    if (existing) {
      if (purpose === 'ca') {
        const d = (existing.data ?? {}) as Record<string, string>;
        if (d['tls.crt'] && d['tls.key'])
          ca = {
            cert: Buffer.from(d['tls.crt'], 'base64').toString(),
            key: Buffer.from(d['tls.key'], 'base64').toString(),
          };
      }
      continue;
    }
    // External etcd: the etcd CA belongs to the user; KCP must find it, never make it.
    if (purpose === 'etcd' && externalEtcd)
      throw new Error(`secret ${ns}/${name} not found: external etcd needs its CA pre-created`);
    let data: Record<string, string>;
    if (purpose === 'sa') {
      const k = await newRsaKey();
      data = { 'tls.crt': k.publicKeyPem, 'tls.key': k.privateKeyPem };
    } else {
      const c = await newCa(purpose === 'proxy' ? 'front-proxy-ca' : purpose === 'etcd' ? 'etcd-ca' : 'kubernetes');
      data = { 'tls.crt': c.certPem, 'tls.key': c.keyPem };
      if (purpose === 'ca') ca = { cert: c.certPem, key: c.keyPem };
    }
    await ctx.client.create(collectionPath(R.secret, ns), certSecret(name, ns, cluster, kcp, data, purpose));
  }
  return ca;
}

async function ensureKubeconfig(
  ctx: ControllerContext,
  kcp: Obj,
  cluster: Obj,
  ca: { cert: string; key: string },
): Promise<boolean> {
  const ns = kcp.metadata.namespace ?? '';
  const name = `${cluster.metadata.name}-kubeconfig`;
  if (await ctx.client.get(objectPath(R.secret, name, ns))) return true;
  const ep = field<{ host?: string; port?: number }>(cluster, 'spec', 'controlPlaneEndpoint');
  if (!ep?.host) return false;
  const admin = await newClientCert(ca.cert, ca.key, 'kubernetes-admin', 'system:masters');
  const c = cluster.metadata.name;
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${c}`,
    '  cluster:',
    `    server: https://${ep.host}:${ep.port ?? 6443}`,
    `    certificate-authority-data: ${b64(ca.cert)}`,
    'users:',
    `- name: ${c}-admin`,
    '  user:',
    `    client-certificate-data: ${b64(admin.certPem)}`,
    `    client-key-data: ${b64(admin.keyPem)}`,
    'contexts:',
    `- name: ${c}-admin@${c}`,
    '  context:',
    `    cluster: ${c}`,
    `    user: ${c}-admin`,
    `current-context: ${c}-admin@${c}`,
    '',
  ].join('\n');
  await ctx.client.create(collectionPath(R.secret, ns), {
    ...certSecret(name, ns, c, kcp, { value: yaml }, 'kubeconfig'),
    type: 'cluster.x-k8s.io/secret',
  });
  return true;
}

async function createMachine(ctx: ControllerContext, kcp: Obj, cluster: Obj): Promise<void> {
  const ns = kcp.metadata.namespace ?? '';
  const c = cluster.metadata.name;
  const infraRef =
    field<{ kind?: string; name?: string; apiGroup?: string }>(
      kcp,
      'spec',
      'machineTemplate',
      'spec',
      'infrastructureRef',
    ) ??
    field<{ kind?: string; name?: string; apiGroup?: string }>(kcp, 'spec', 'machineTemplate', 'infrastructureRef');
  if (!infraRef?.name)
    throw new Error(`KubeadmControlPlane ${ns}/${kcp.metadata.name} has no machineTemplate infrastructureRef`);
  const template = await ctx.client.get(objectPath(R.metal3MachineTemplate, infraRef.name, ns));
  if (!template) throw new Error(`Metal3MachineTemplate ${ns}/${infraRef.name} not found`);
  const name = `${kcp.metadata.name}-${randomSuffix()}`;
  const labels = { [CLUSTER_NAME_LABEL]: c, [CONTROL_PLANE_LABEL]: '', [CONTROL_PLANE_NAME_LABEL]: kcp.metadata.name };
  const version = field<string>(kcp, 'spec', 'version');
  const machine = (await ctx.client.create(collectionPath(R.machine, ns), {
    apiVersion: R.machine.apiVersion,
    kind: 'Machine',
    metadata: { name, namespace: ns, labels, ownerReferences: [ownerRef(kcp)] },
    spec: {
      clusterName: c,
      version,
      bootstrap: { configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfig', name } },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3Machine', name },
    },
  })) as Obj | undefined;
  if (!machine) return;
  const spec = (field<Record<string, unknown>>(kcp, 'spec', 'kubeadmConfigSpec') ?? {}) as Record<string, unknown>;
  // The first machine gets init configuration, later ones join (SEED-SCRIPTS §15.3).
  const { joinConfiguration: _j, ...initSpec } = spec;
  await ctx.client.create(collectionPath(R.kubeadmConfig, ns), {
    apiVersion: R.kubeadmConfig.apiVersion,
    kind: 'KubeadmConfig',
    metadata: { name, namespace: ns, labels, ownerReferences: [ownerRef(machine)] },
    spec: initSpec,
  });
  await ctx.client.create(collectionPath(R.metal3Machine, ns), {
    apiVersion: R.metal3Machine.apiVersion,
    kind: 'Metal3Machine',
    metadata: { name, namespace: ns, labels, ownerReferences: [ownerRef(machine)] },
    spec: field<Record<string, unknown>>(template, 'spec', 'template', 'spec') ?? {},
  });
}

/**
 * Clusters whose certificates and kubeconfig this KCP generation has seen, so a healthy
 * control plane's reconcile reads no Secrets from the API server. The real KCP reads them
 * through its Secret cache; this set is that cache's answer without holding the keys in
 * memory. A restart (new context) starts empty, like a fresh cache. Unlike that cache, a
 * Secret deleted by hand is noticed only once the workload client has to be rebuilt.
 */
const secretsSeen = new WeakMap<ControllerContext, Set<string>>();

function seenSet(ctx: ControllerContext): Set<string> {
  let s = secretsSeen.get(ctx);
  if (!s) secretsSeen.set(ctx, (s = new Set()));
  return s;
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
    const { namespace, name } = splitKey(key);
    const kcp = ctx.cache(R.kcp).get(namespace, name) as Obj | undefined;
    if (!kcp) return;
    const machines = ctx
      .cache(R.machine)
      .list(namespace)
      .filter((m) => ownedBy(m as Obj, 'KubeadmControlPlane') === name) as Obj[];

    if (isDeleting(kcp)) {
      for (const m of machines)
        if (!m.metadata.deletionTimestamp) await ctx.client.delete(objectPath(R.machine, m.metadata.name, namespace));
      if (machines.length > 0) return { requeueAfterMs: ctx.model.waitRequeueMs };
      seenSet(ctx).delete(key);
      await removeFinalizer(ctx.client, R.kcp, kcp, KCP_FINALIZER);
      return;
    }
    const clusterName = ownedBy(kcp, 'Cluster');
    const cluster = clusterName ? (ctx.cache(R.cluster).get(namespace, clusterName) as Obj | undefined) : undefined;
    if (!cluster) return; // waits for the Cluster controller to adopt it
    if (await addFinalizer(ctx.client, R.kcp, kcp, KCP_FINALIZER)) return;
    // The Cluster and Machine watches bring KCP back when what it waits for changes; the
    // requeue only catches changes in the workload API, which KCP reads but does not watch.
    const slowWait = { requeueAfterMs: watchedWaitMs(ctx.model) };
    if (field<boolean>(cluster, 'status', 'initialization', 'infrastructureProvisioned') !== true) return slowWait;

    if (!seenSet(ctx).has(key)) {
      const ca = await ensureCertificates(ctx, kcp, cluster.metadata.name);
      if (!ca) throw new Error(`secret ${namespace}/${cluster.metadata.name}-ca has no tls.crt/tls.key`);
      if (!(await ensureKubeconfig(ctx, kcp, cluster, ca))) return slowWait;
      seenSet(ctx).add(key);
    }

    const desired = field<number>(kcp, 'spec', 'replicas') ?? 1;
    if (machines.length < desired && machines.length === 0) {
      await createMachine(ctx, kcp, cluster);
      return;
    }

    // Health: read the workload cluster through the kubeconfig Secret.
    let initialized = field<boolean>(kcp, 'status', 'initialization', 'controlPlaneInitialized') === true;
    let readyReplicas = 0;
    let componentsHealthy = false;
    const workload = await ctx.workload.get(namespace, cluster.metadata.name);
    // No kubeconfig to dial with: check the Secrets again on the next pass.
    if (!workload) seenSet(ctx).delete(key);
    if (workload) {
      try {
        if (!initialized)
          initialized = Boolean(await workload.get(objectPath(R.configMap, 'kubeadm-config', 'kube-system')));
        if (initialized) {
          const nodes = (await workload.list(collectionPath(R.node), 'node-role.kubernetes.io/control-plane'))
            .items as Obj[];
          const pods = (await workload.list(collectionPath(R.pod, 'kube-system'), 'tier=control-plane')).items as Obj[];
          for (const m of machines) {
            const nodeName = field<string>(m, 'status', 'nodeRef', 'name');
            const node = nodes.find((n) => n.metadata.name === nodeName);
            if (!node || condition(node, 'Ready')?.status !== 'True') continue;
            const mirrorsOk = MIRROR_COMPONENTS.every((comp) => {
              const p = pods.find((x) => x.metadata.name === `${comp}-${node.metadata.name}`);
              return p && field<string>(p, 'status', 'phase') === 'Running';
            });
            if (mirrorsOk) readyReplicas++;
          }
          componentsHealthy = readyReplicas > 0;
        }
      } catch {
        ctx.workload.drop(namespace, cluster.metadata.name);
      }
    }
    let conditions = field<Condition[]>(kcp, 'status', 'conditions');
    const flag = (type: string, ok: boolean, yes: string, no: string) => {
      conditions = setCondition(conditions, { type, status: ok ? 'True' : 'False', reason: ok ? yes : no });
    };
    flag('CertificatesAvailable', true, 'Available', 'NotAvailable');
    flag('Initialized', initialized, 'Initialized', 'NotInitialized');
    flag('ControlPlaneComponentsHealthy', componentsHealthy, 'Healthy', 'NotHealthy');
    flag('EtcdClusterHealthy', componentsHealthy, 'Healthy', 'NotHealthy');
    flag('MachinesReady', readyReplicas === machines.length && machines.length > 0, 'Ready', 'NotReady');
    flag('Available', initialized && readyReplicas >= 1, 'Available', 'NotAvailable');
    const status = {
      initialization: { controlPlaneInitialized: initialized },
      replicas: machines.length,
      readyReplicas,
      availableReplicas: readyReplicas,
      upToDateReplicas: machines.length,
      version: field<string>(kcp, 'spec', 'version'),
      selector: `${CLUSTER_NAME_LABEL}=${cluster.metadata.name},${CONTROL_PLANE_LABEL}`,
      conditions,
      observedGeneration: kcp.metadata.generation,
      lastRemediation: undefined,
    };
    const old = kcp.status as Record<string, unknown> | undefined;
    const changed =
      !old ||
      old.readyReplicas !== readyReplicas ||
      old.replicas !== machines.length ||
      field(old, 'initialization', 'controlPlaneInitialized') !== initialized;
    if (changed) await patchStatus(ctx.client, R.kcp, kcp, status);
    // KCP keeps re-checking healthy control planes; this steady load is what grows with scale.
    return readyReplicas > 0 ? { requeueAfterMs: ctx.model.resyncMs.kcp } : slowWait;
  },
};

export const kubeadmConfigReconciler: ReconcilerDef = {
  name: 'kubeadmconfig',
  concurrencyFlag: 'kubeadmconfig-concurrency',
  primary: R.kubeadmConfig,
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const cfg = ctx.cache(R.kubeadmConfig).get(namespace, name) as Obj | undefined;
    if (!cfg || isDeleting(cfg)) return;
    if (field<string>(cfg, 'status', 'dataSecretName')) return;
    const cluster = cfg.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '';
    const init = !field(cfg, 'spec', 'joinConfiguration');
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
      metadata: { name, namespace, labels: { [CLUSTER_NAME_LABEL]: cluster }, ownerReferences: [ownerRef(cfg)] },
      data: { value: b64(cloudInit), format: b64('cloud-config') },
    });
    const conditions = setCondition(field<Condition[]>(cfg, 'status', 'conditions'), {
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
    });
    await patchStatus(ctx.client, R.kubeadmConfig, cfg, {
      dataSecretName: name,
      initialization: { dataSecretCreated: true },
      conditions: setCondition(conditions, { type: 'DataSecretAvailable', status: 'True', reason: 'Available' }),
      observedGeneration: cfg.metadata.generation,
    });
    void nowIso;
  },
};
