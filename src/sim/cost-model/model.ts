// The demo's cost model: how long each emulated reconcile "works", how much of that is
// CPU, and how many cores each controller process has. These numbers are a model
// calibrated to the *shape* of the seed's measured curve (SEED-SCRIPTS §16: each 100
// clusters slower than the last, faster with more concurrency and QPS), on a compressed
// time scale. They are not CAPI measurements.
//
// The mechanism, not a lookup table, produces the curve. KCP re-checks every healthy
// control plane every few seconds (the seed saw it use 16.5 cores at 1000 idle clusters,
// §16.6). Once those checks fill its cores, its FIFO workqueue always holds every cluster,
// so each step of a new cluster waits one pass over all of them: the wait, and the time
// per 100 clusters, grow with the number of clusters. Below that point the emulated
// CAPM3's client-side rate limit (20 QPS, which the seed's patch leaves alone) sets the
// pace. Concurrency matters because most of a KCP reconcile waits on I/O, not on a core;
// QPS matters because every step writes through the rate-limited client.

export interface ReconcileCost {
  /** Busy time of one reconcile at zero clusters, in ms of demo time. */
  baseMs: number;
  /** Extra busy time per 100 clusters already known to the controller (cache scans, lists). */
  perHundredMs: number;
  /** The share of the busy time that is CPU (needs a core); the rest waits on I/O. */
  cpuPerBusyMs: number;
}

export interface CostModel {
  /** Multiplies every delay; 1 = the calibrated demo speed, larger = slower. */
  timeScale: number;
  costs: Record<string, ReconcileCost>;
  /** Cores each controller process gets; its reconciles queue for them (cpu-pool.ts). */
  cores: Record<string, number>;
  /** Periodic re-reconcile of healthy objects (controller-runtime SyncPeriod / KCP requeue). */
  resyncMs: Record<string, number>;
  /** BMO test mode: registering -> inspecting -> available, provisioning -> provisioned. */
  bmhDelaysMs: { registering: number; inspecting: number; provisioning: number; deprovisioning: number };
  /** How soon a controller retries while it waits on another one or on the workload API. */
  waitRequeueMs: number;
  /** Memory model: resident base plus per cached object, in bytes. */
  memory: { baseBytes: number; perObjectBytes: number };
}

export const DEFAULT_COST_MODEL: CostModel = {
  timeScale: 1,
  costs: {
    // KCP is the heavyweight (16.5 cores idle at 1000 clusters in §16.6): certificates,
    // workload-cluster health checks, etcd checks. Mostly I/O: 10 workers keep fewer
    // checks going than 100 do, and 100 workers fill its 2 cores.
    kcp: { baseMs: 900, perHundredMs: 10, cpuPerBusyMs: 0.15 },
    capi: { baseMs: 12, perHundredMs: 3, cpuPerBusyMs: 0.6 },
    'kubeadm-bootstrap': { baseMs: 15, perHundredMs: 1, cpuPerBusyMs: 0.5 },
    capm3: { baseMs: 20, perHundredMs: 2, cpuPerBusyMs: 0.5 },
    bmo: { baseMs: 8, perHundredMs: 0.5, cpuPerBusyMs: 0.3 },
    ipam: { baseMs: 2, perHundredMs: 0, cpuPerBusyMs: 0.1 },
  },
  cores: { kcp: 2, capi: 4, 'kubeadm-bootstrap': 2, capm3: 2, bmo: 2, ipam: 1 },
  resyncMs: { kcp: 5_000, capi: 30_000, 'kubeadm-bootstrap': 60_000, capm3: 30_000, bmo: 60_000, ipam: 120_000 },
  bmhDelaysMs: { registering: 300, inspecting: 600, provisioning: 900, deprovisioning: 500 },
  waitRequeueMs: 1_000,
  memory: { baseBytes: 40 * 1024 * 1024, perObjectBytes: 120 * 1024 },
};

/** Busy time of one reconcile given how many clusters the controller knows about. */
export function reconcileBusyMs(model: CostModel, controller: string, clusters: number): number {
  const c = model.costs[controller];
  if (!c) return 0;
  return (c.baseMs + (c.perHundredMs * clusters) / 100) * model.timeScale;
}

export function scaled(model: CostModel, ms: number): number {
  return ms * model.timeScale;
}

/** A model with every delay multiplied; tests use small factors to run fast. */
export function withTimeScale(model: CostModel, timeScale: number): CostModel {
  return { ...model, timeScale };
}

/**
 * How soon a controller retries while it waits on something it also watches: the watch
 * usually brings it back first, so the requeue is only a backstop and can be slow.
 */
export function watchedWaitMs(model: CostModel): number {
  return model.waitRequeueMs * 5;
}

/** Cores of a controller's process; a controller without an entry gets one. */
export function coresOf(model: CostModel, controller: string): number {
  return model.cores[controller] ?? 1;
}

/** The CPU part of one reconcile's busy time. */
export function cpuShareMs(model: CostModel, controller: string, busyMs: number): number {
  return busyMs * (model.costs[controller]?.cpuPerBusyMs ?? 0.5);
}
