// The demo's cost model. Every figure is a named parameter in real (upstream) time with the
// source it was read from; `timeScale` then compresses all of them alike (0.1 = the demo
// runs ten times faster than a real install would). The model stands for CAPI v1.14.0,
// CAPM3 v1.13.2 and BMO v0.13.2 in test mode, on controller-runtime v0.22 with its
// priority queue, and client-go v0.33+.
//
// What drives the load, each with its source (see PARAMETERS for the values):
// - ClusterCache health probes: each controller with a ClusterCache (CAPI core, CABPK, KCP)
//   sends GET / to every workload cluster every 10 s (cluster-api controllers/clustercache
//   defaults: HealthProbe interval 10 s, timeout 5 s, 5 failures before the connection is
//   dropped).
// - Watch fan-out: every write to the management API is delivered to every controller that
//   watches the kind; each delivery costs the receiver a little CPU (decode + cache update).
// - controller-runtime's priority queue: events from the initial list and from the
//   SyncPeriod resync are queued at low priority (-100), behind watch events, so a resync
//   storm at 1000 clusters delays new clusters far less than a FIFO would.
// - KCP requeues only while not initialized or while ControlPlaneComponentsHealthy is False
//   (20 s); a healthy KCP relies on watches and the 10 min SyncPeriod
//   (controlplane/kubeadm/reconcilers/kubeadmcontrolplane/kubeadmcontrolplane_controller.go).
// - Provisioning times with jitter like CAPI's in-memory backend (VM 10 s; node, API server
//   and etcd 2 s; up to +20 % jitter) and BMO's test-mode fixture provisioner (register 5 s,
//   inspect 2 s, provision 10 s, deprovision 10 s: pkg/provisioner/fixture/fixture.go). The
//   host's provisioning stands for the VM; the node, etcd and API server steps run after it
//   (bootAfterHostMs, applied by the emulated CAPM3 before it takes the Node).
// The per-reconcile busy time and its growth with cache size are *assumptions* set by hand,
// not upstream figures, and not fitted: at the 0-200 clusters bench/calibration.ts runs, the
// model is within the seed's rounding of Run B (SEED-SCRIPTS §16.1) whatever they are, and
// fitting them to the seed's growth beyond would put CAPI v1.3's load into a v1.14 model.
// README sets the measured curve beside the seed's and says where it does not match.

export interface ReconcileCost {
  /** Busy time of one reconcile at zero clusters, in real ms. */
  baseMs: number;
  /** Extra busy time per 100 objects the controller caches (list/scan cost; assumption). */
  perHundredMs: number;
  /** The share of the busy time that is CPU (needs a core); the rest waits on I/O. */
  cpuPerBusyMs: number;
}

export interface ProvisioningTimes {
  /** In-memory backend's VM startup (stands for the host's provisioning). */
  vmMs: number;
  nodeMs: number;
  apiServerMs: number;
  etcdMs: number;
  /** Jitter as a fraction: a step takes up to this much longer (0.2 = 0 to +20 %, as upstream). */
  jitter: number;
}

export interface CostModel {
  /** Multiplies every delay: 1 = real time, 0.1 = ten times faster. */
  timeScale: number;
  /** The upstream versions the model stands for. */
  upstream: string;
  costs: Record<string, ReconcileCost>;
  /** Cores each controller process gets; its reconciles queue for them (cpu-pool.ts). */
  cores: Record<string, number>;
  /** controller-runtime SyncPeriod per controller (each main.go's --sync-period default). */
  resyncMs: Record<string, number>;
  /** BMO test mode per-state durations (fixture provisioner requeue delays). */
  bmhDelaysMs: {
    registering: number;
    inspecting: number;
    preparing: number;
    provisioning: number;
    deprovisioning: number;
    poweringOff: number;
  };
  provisioning: ProvisioningTimes;
  /** KCP's requeue rules. */
  kcp: { unhealthyRequeueMs: number; deleteRequeueMs: number; dependentCertRequeueMs: number };
  /** CABPK's requeue while another machine holds the init lock / the control plane is not initialized. */
  cabpkWaitMs: number;
  /** CAPM3's requeueAfter (baremetal/metal3machine_manager.go) while the host deprovisions. */
  capm3RequeueMs: number;
  /** ClusterCache health probe: GET / per controller per cluster. */
  clusterCacheProbe: { periodMs: number; timeoutMs: number; failureThreshold: number; controllers: string[] };
  /** CPU cost (real ms) of receiving one watch event in a controller. */
  watchEventCpuMs: number;
  /** Priority of initial-list and resync events (controller-runtime priorityqueue: LowPriority). */
  lowPriority: number;
  /** How soon a controller retries while it waits on another one it does not watch (backstop). */
  waitRequeueMs: number;
  /** Memory model: resident base plus per cached object, in bytes. */
  memory: { baseBytes: number; perObjectBytes: number };
}

const TEN_MINUTES = 600_000;

export const DEFAULT_COST_MODEL: CostModel = {
  timeScale: 0.1,
  upstream:
    'CAPI v1.14.0, CAPM3 v1.13.2, BMO v0.13.2 (test mode), controller-runtime v0.22 priority queue, client-go v0.33',
  costs: {
    // KCP reads the workload cluster on every reconcile (nodes, pods, etcd members,
    // certificates): mostly I/O. The busy times are fitted, not measured upstream.
    kcp: { baseMs: 400, perHundredMs: 25, cpuPerBusyMs: 0.3 },
    capi: { baseMs: 60, perHundredMs: 8, cpuPerBusyMs: 0.6 },
    'kubeadm-bootstrap': { baseMs: 80, perHundredMs: 4, cpuPerBusyMs: 0.5 },
    capm3: { baseMs: 120, perHundredMs: 10, cpuPerBusyMs: 0.5 },
    bmo: { baseMs: 40, perHundredMs: 2, cpuPerBusyMs: 0.3 },
    ipam: { baseMs: 10, perHundredMs: 0, cpuPerBusyMs: 0.1 },
  },
  cores: { kcp: 2, capi: 4, 'kubeadm-bootstrap': 2, capm3: 2, bmo: 2, ipam: 1 },
  resyncMs: {
    kcp: TEN_MINUTES,
    capi: TEN_MINUTES,
    'kubeadm-bootstrap': TEN_MINUTES,
    capm3: TEN_MINUTES,
    bmo: TEN_MINUTES,
    ipam: TEN_MINUTES,
  },
  bmhDelaysMs: {
    registering: 5_000,
    inspecting: 2_000,
    preparing: 2_000,
    provisioning: 10_000,
    deprovisioning: 10_000,
    poweringOff: 2_000,
  },
  provisioning: { vmMs: 10_000, nodeMs: 2_000, apiServerMs: 2_000, etcdMs: 2_000, jitter: 0.2 },
  kcp: { unhealthyRequeueMs: 20_000, deleteRequeueMs: 30_000, dependentCertRequeueMs: 30_000 },
  cabpkWaitMs: 30_000,
  capm3RequeueMs: 30_000,
  clusterCacheProbe: {
    periodMs: 10_000,
    timeoutMs: 5_000,
    failureThreshold: 5,
    controllers: ['capi', 'kubeadm-bootstrap', 'kcp'],
  },
  watchEventCpuMs: 0.3,
  lowPriority: -100,
  waitRequeueMs: 10_000,
  memory: { baseBytes: 40 * 1024 * 1024, perObjectBytes: 120 * 1024 },
};

/** The parameters with their sources, for the README table and `demo` output. */
export function describeModel(m: CostModel): Array<{ name: string; value: string; source: string }> {
  const s = (ms: number) => `${ms / 1000} s`;
  return [
    { name: 'timeScale', value: String(m.timeScale), source: 'demo compression (1 = real time)' },
    {
      name: 'clusterCacheProbe',
      value: `GET / every ${s(m.clusterCacheProbe.periodMs)} × ${m.clusterCacheProbe.controllers.join(', ')}`,
      source: 'CAPI v1.14 clustercache defaults',
    },
    {
      name: 'kcp.unhealthyRequeue',
      value: s(m.kcp.unhealthyRequeueMs),
      source: 'kubeadmcontrolplane_controller.go (only while not initialized / components unhealthy)',
    },
    { name: 'syncPeriod', value: s(m.resyncMs.kcp ?? TEN_MINUTES), source: 'each main.go --sync-period default' },
    {
      name: 'lowPriority',
      value: String(m.lowPriority),
      source: 'controller-runtime priorityqueue (initial list, resync)',
    },
    {
      name: 'provisioning',
      value: `VM ${s(m.provisioning.vmMs)}, node/apiserver/etcd ${s(m.provisioning.nodeMs)}, jitter ${m.provisioning.jitter * 100} %`,
      source:
        "CAPI in-memory backend (clusterclass-in-memory.yaml); the host's provisioning (BMO fixture, 10 s) stands for the VM, node/etcd/apiserver run after it (capm3.ts), jitter adds 0-20 %",
    },
    {
      name: 'bmh',
      value: `register ${s(m.bmhDelaysMs.registering)}, inspect ${s(m.bmhDelaysMs.inspecting)}, provision ${s(m.bmhDelaysMs.provisioning)}, deprovision ${s(m.bmhDelaysMs.deprovisioning)}`,
      source: 'BMO v0.13.2 fixture provisioner',
    },
    { name: 'watchEventCpu', value: `${m.watchEventCpuMs} ms`, source: 'assumption (decode + cache update)' },
    ...Object.entries(m.costs).map(([id, c]) => ({
      name: `cost.${id}`,
      value: `${c.baseMs} ms + ${c.perHundredMs} ms/100 objects, CPU share ${c.cpuPerBusyMs}, ${m.cores[id] ?? 1} cores`,
      source: 'assumption, set by hand; not fitted (README: calibration, bench/calibration.ts)',
    })),
  ];
}

/** Busy time of one reconcile given how many objects the controller caches. */
export function reconcileBusyMs(model: CostModel, controller: string, clusters: number): number {
  const c = model.costs[controller];
  if (!c) return 0;
  return (c.baseMs + (c.perHundredMs * clusters) / 100) * model.timeScale;
}

export function scaled(model: CostModel, ms: number): number {
  return ms * model.timeScale;
}

/**
 * A duration with the in-memory backend's jitter, then scaled. Upstream adds
 * rand * jitter * duration (inmemorymachine_backend.go), so a step takes between its
 * duration and 1.2 times it, never less.
 */
export function jittered(model: CostModel, ms: number, random: () => number = Math.random): number {
  return scaled(model, ms * (1 + model.provisioning.jitter * random()));
}

/**
 * How long after its host is provisioned a machine's workload side is up, as the in-memory
 * backend times it (inmemorymachine_backend.go): the Node `nodeMs` after the VM; on a
 * control-plane machine etcd and kube-apiserver each `etcdMs` / `apiServerMs` after the Node
 * (in parallel), and the machine counts as bootstrapped once the API server is up. Each
 * step has its own jitter; the result is scaled.
 */
export function bootAfterHostMs(model: CostModel, controlPlane: boolean, random: () => number = Math.random): number {
  const p = model.provisioning;
  const node = jittered(model, p.nodeMs, random);
  if (!controlPlane) return node;
  return node + Math.max(jittered(model, p.etcdMs, random), jittered(model, p.apiServerMs, random));
}

/** A model with every delay multiplied; tests use small factors to run fast. */
export function withTimeScale(model: CostModel, timeScale: number): CostModel {
  return { ...model, timeScale };
}

/**
 * How soon a controller retries while it waits on something it also watches: the watch
 * usually brings it back first, so the requeue is only a backstop.
 */
export function watchedWaitMs(model: CostModel): number {
  return scaled(model, model.waitRequeueMs);
}

/** Cores of a controller's process; a controller without an entry gets one. */
export function coresOf(model: CostModel, controller: string): number {
  return model.cores[controller] ?? 1;
}

/** The CPU part of one reconcile's busy time. */
export function cpuShareMs(model: CostModel, controller: string, busyMs: number): number {
  return busyMs * (model.costs[controller]?.cpuPerBusyMs ?? 0.5);
}
