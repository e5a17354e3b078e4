// The one shared store: the engine and the samplers write facts, the UI subscribes.
// Vanilla zustand so that headless runs and tests need no React.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BatchRecord, ClusterRecord, ControllerFlags, ControllerId, Phase, Topology } from '../core/types.js';

export interface RunInfo {
  runId: string;
  context: string;
  topology: Topology;
  versions: Record<string, string>;
  startedAt: number;
}

export interface BackingClusterStatus {
  name: string;
  endpoint: string;
  healthy: boolean;
  /** Why it is unhealthy, shown in the pane. */
  message?: string;
  tenants: number;
  capacity: number;
  apiserverPodsReady: number;
  apiserverPods: number;
  etcdDbBytes?: number;
  nodeCpuMillicores?: number;
  nodeMemoryBytes?: number;
}

export type RolloutState = 'idle' | 'rolling' | 'failed';

export interface ControllerStatus {
  id: ControllerId | string;
  namespace: string;
  deployment: string;
  flags: ControllerFlags;
  /** Concurrency flag names this controller's pinned version really has. */
  supportedConcurrencyFlags: string[];
  supportsRateFlags: boolean;
  rollout: RolloutState;
  /** Recent samples, oldest first, bounded by the sampler's ring size. */
  cpuMillicores: number[];
  memoryBytes: number[];
  /** Workqueue depth if the metrics endpoint is reachable; undefined = unknown. */
  workqueueDepth?: number;
  /** Reconciles per second between the last two metrics-endpoint reads, when reachable. */
  reconcilesPerSecond?: number;
  /** Why the workqueue depth is unknown (metrics endpoint not reachable through the proxy). */
  workqueueNote?: string;
  metricsNote?: string;
  /** The rest of the controller's /metrics (or Prometheus) reading, when reachable. */
  controllerMetrics?: ControllerMetricsView;
}

/** controller-runtime / CAPI series from the last scrape, and rates between the last two. */
export interface ControllerMetricsView {
  source: 'pod-proxy' | 'prometheus';
  /** workqueue_depth per `priority` label ('' when the queue has none; -100 = initial list/resync). */
  depthByPriority: Record<string, number>;
  activeWorkers?: number;
  reconcileErrorsPerSecond?: number;
  meanReconcileSeconds?: number;
  restRequestsPerSecond?: number;
  /** API server 429s per second (rest_client_requests_total{code="429"}). */
  rest429PerSecond?: number;
}

export interface ThrottleLine {
  t: number;
  controller: string;
  /** Absent = the client's own rate limiter; 'server' = API priority and fairness (429); 'retry' = other retries. */
  side?: 'server' | 'retry';
  waitMs: number;
  verb: string;
  path: string;
  raw: string;
}

export interface ThrottleStats {
  perMinute: number;
  total: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  topPaths: Array<{ path: string; count: number }>;
  /** Server-side throttling (API priority and fairness), counted apart from the client's limiter above. */
  serverSide?: { total: number; perMinute: number; rejected: number };
  /** Retries for other reasons (5xx, connection errors): not throttling. */
  retries?: number;
  /** Whether the counts are lower bounds because of the controller's klog verbosity. */
  completeness?: { verbosity: number; source: 'args' | 'live'; lowerBound: boolean; note: string };
}

/** One line of a controller pod's log, as the pod wrote it. */
export interface ControllerLogLine {
  /** klog's header time when the line has one, else when it arrived. */
  t: number;
  pod: string;
  text: string;
}

export interface LogLine {
  t: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TimingRow {
  /** e.g. 100 for "0 -> 100". */
  upTo: number;
  minutes: number;
}

export interface ScaleState {
  run?: RunInfo;
  clusters: Record<string, ClusterRecord>;
  batches: BatchRecord[];
  backing: Record<string, BackingClusterStatus>;
  controllers: Record<string, ControllerStatus>;
  throttling: { recent: ThrottleLine[]; perController: Record<string, ThrottleStats> };
  /** Each controller's full pod log (all its pods, rollouts included), newest `limit` lines per controller. */
  controllerLogs: Record<string, ControllerLogLine[]>;
  queue: { paused: boolean; concurrency: number; pending: number; inFlight: number };
  timing: TimingRow[];
  /** Clusters that became ready in each minute since the first create (the TUI's chart). */
  readyPerMinute?: number[];
  log: LogLine[];
  /** Last engine error for the status line. */
  status?: { level: LogLine['level']; message: string; t: number };
  /** Workload-API farms (topology farm): one row each, from engine/topology/farm-monitor.ts. */
  farms?: Record<string, FarmStatusView>;
}

/** One farm's figures since its previous reading. */
export interface FarmStatusView {
  name: string;
  url: string;
  reachable: boolean;
  clusters: number;
  capacity: number;
  down: number;
  faulted: number;
  requestsPerSecond: number;
  healthProbesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  portForwardActive: number;
  portForwardSessions: number;
  /** Times the engine restarted this (local) farm after it died; absent for none or a remote farm. */
  restarts?: number;
}

export function setFarm(store: ScaleStore, farm: FarmStatusView): void {
  store.setState((s) => ({ farms: { ...(s.farms ?? {}), [farm.name]: farm } }));
}

export type ScaleStore = StoreApi<ScaleState>;

export const LOG_LIMIT = 500;
export const THROTTLE_TAIL_LIMIT = 200;
/** Lines kept per controller by default (prefs `log: { controllerLines: N }` changes it). */
export const CONTROLLER_LOG_LIMIT = 2000;

export function initialState(): ScaleState {
  return {
    clusters: {},
    batches: [],
    backing: {},
    controllers: {},
    throttling: { recent: [], perController: {} },
    controllerLogs: {},
    queue: { paused: false, concurrency: 10, pending: 0, inFlight: 0 },
    timing: [],
    log: [],
  };
}

export function createScaleStore(initial: Partial<ScaleState> = {}): ScaleStore {
  return createStore<ScaleState>()(() => ({ ...initialState(), ...initial }));
}

// Mutators: the only writers. Each replaces just the slice it touches so that
// UI selectors on other slices do not re-render.

export function upsertCluster(store: ScaleStore, record: ClusterRecord): void {
  store.setState((s) => ({ clusters: { ...s.clusters, [record.name]: record } }));
}

/** One phase change of one cluster: what setPhase takes, and what setPhases takes many of. */
export interface PhaseChange {
  name: string;
  phase: Phase;
  t: number;
  failure?: { step: string; reason: string };
}

/** The record after one phase change (pure): the first time a phase is reached is kept. */
export function applyPhase(c: ClusterRecord, ch: PhaseChange): ClusterRecord {
  const transitions = c.transitions[ch.phase] === undefined ? { ...c.transitions, [ch.phase]: ch.t } : c.transitions;
  return {
    ...c,
    phase: ch.phase,
    transitions,
    failure: ch.failure ? { ...ch.failure, at: ch.t } : ch.phase === 'failed' ? c.failure : undefined,
  };
}

export function setPhase(
  store: ScaleStore,
  name: string,
  phase: Phase,
  t: number,
  failure?: { step: string; reason: string },
): void {
  setPhases(store, [{ name, phase, t, ...(failure ? { failure } : {}) }]);
}

/**
 * Many phase changes, in order, with one copy of the clusters map: the map is copied once per
 * call, so a tick's worth of changes (src/state/phase-batch.ts) costs one copy, not one each.
 */
export function setPhases(store: ScaleStore, changes: readonly PhaseChange[]): void {
  if (changes.length === 0) return;
  store.setState((s) => {
    let next: Record<string, ClusterRecord> | undefined;
    for (const ch of changes) {
      const c = (next ?? s.clusters)[ch.name];
      if (!c) continue; // removed meanwhile: a late change must not bring it back
      next ??= { ...s.clusters };
      next[ch.name] = applyPhase(c, ch);
    }
    return next ? { clusters: next } : {};
  });
}

export function setQueue(store: ScaleStore, queue: ScaleState['queue']): void {
  store.setState({ queue });
}

/** Records the run's identity once; returns false when a run was already recorded. */
export function startRun(store: ScaleStore, run: RunInfo): boolean {
  if (store.getState().run) return false;
  store.setState({ run });
  return true;
}

export function addBatch(store: ScaleStore, batch: BatchRecord): void {
  store.setState((s) => ({ batches: [...s.batches, batch] }));
}

export function endBatch(store: ScaleStore, batchId: string, t: number): void {
  store.setState((s) => ({ batches: s.batches.map((b) => (b.id === batchId ? { ...b, endedAt: t } : b)) }));
}

/** One metrics pass (src/metrics/sampler.ts): rows it has replace the old ones, others stay. */
export interface MetricsSample {
  controllers: ControllerStatus[];
  perController: Record<string, ThrottleStats>;
  backing: BackingClusterStatus[];
  timing: TimingRow[];
  readyPerMinute: number[];
}

export function recordSample(store: ScaleStore, m: MetricsSample): void {
  store.setState((s) => {
    const controllers = { ...s.controllers };
    for (const c of m.controllers) controllers[c.id] = c;
    const backing = { ...s.backing };
    for (const b of m.backing) backing[b.name] = b;
    return {
      controllers,
      throttling: { ...s.throttling, perController: { ...s.throttling.perController, ...m.perController } },
      backing,
      timing: m.timing,
      readyPerMinute: m.readyPerMinute,
    };
  });
}

export function removeCluster(store: ScaleStore, name: string): void {
  store.setState((s) => {
    if (!(name in s.clusters)) return {};
    const { [name]: _gone, ...rest } = s.clusters;
    return { clusters: rest };
  });
}

export function appendLog(store: ScaleStore, level: LogLine['level'], message: string, t = Date.now()): void {
  store.setState((s) => {
    const log = s.log.length >= LOG_LIMIT ? s.log.slice(s.log.length - LOG_LIMIT + 1) : s.log.slice();
    log.push({ t, level, message });
    return level === 'info' ? { log } : { log, status: { level, message, t } };
  });
}

export function pushThrottleLines(store: ScaleStore, lines: ThrottleLine[]): void {
  pushLogTail(store, { throttle: lines, controller: {} });
}

const newest = <T>(all: T[], limit: number): T[] => (all.length > limit ? all.slice(all.length - limit) : all);

/**
 * One flush of the followed controller logs: throttling lines into the tail, every line
 * into its controller's buffer (cut to `controllerLimit`), in one store write so the UI
 * redraws once per flush. Buffers of controllers not in the batch keep their identity.
 */
export function pushLogTail(
  store: ScaleStore,
  batch: { throttle: ThrottleLine[]; controller: Record<string, ControllerLogLine[]> },
  controllerLimit = CONTROLLER_LOG_LIMIT,
): void {
  const ids = Object.keys(batch.controller).filter((id) => batch.controller[id]!.length > 0);
  if (batch.throttle.length === 0 && ids.length === 0) return;
  store.setState((s) => {
    const out: Partial<ScaleState> = {};
    if (batch.throttle.length > 0)
      out.throttling = {
        ...s.throttling,
        recent: newest(s.throttling.recent.concat(batch.throttle), THROTTLE_TAIL_LIMIT),
      };
    if (ids.length > 0) {
      const logs = { ...s.controllerLogs };
      for (const id of ids) logs[id] = newest((logs[id] ?? []).concat(batch.controller[id]!), controllerLimit);
      out.controllerLogs = logs;
    }
    return out;
  });
}

/** Counts clusters per phase; the header and the funnel both use it. */
export function countByPhase(clusters: Record<string, ClusterRecord>): Record<Phase, number> {
  const counts = {} as Record<Phase, number>;
  for (const c of Object.values(clusters)) counts[c.phase] = (counts[c.phase] ?? 0) + 1;
  return counts;
}
