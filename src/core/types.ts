// The engine's public vocabulary. The UI, the store, metrics and reports may import
// this module; it must stay free of I/O and of client-node types.

export const TOPOLOGIES = ['shared', 'dedicated', 'backing', 'sharded', 'capd', 'farm'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** Per-cluster pipeline phases, in order (DESIGN.md §4). */
export const CREATE_PHASES = [
  'queued',
  'objects',
  'host-available',
  'machine',
  'associated',
  'api-up',
  'node',
  'initialized',
  'ready',
] as const;
export const DELETE_PHASES = ['deleting', 'deleted'] as const;
export type CreatePhase = (typeof CREATE_PHASES)[number];
export type Phase = CreatePhase | (typeof DELETE_PHASES)[number] | 'failed';

export interface ClusterFailure {
  /** The pipeline step that failed, e.g. "etcd-tenant" or "wait-machine". */
  step: string;
  reason: string;
  at: number;
}

export interface ClusterRecord {
  name: string;
  /** The allocated cluster number N in `<prefix>-N`; unique for the run's lifetime. */
  number: number;
  namespace: string;
  batchId: string;
  /** Backing cluster name (backing topology), shard namespace (sharded), else undefined. */
  placement?: string;
  phase: Phase;
  /** Epoch ms of the first entry into each phase. */
  transitions: Partial<Record<Phase, number>>;
  failure?: ClusterFailure;
}

export interface BatchRecord {
  id: string;
  requested: number;
  clusters: string[];
  backing: string; // 'auto' or a backing cluster name
  startedAt: number;
  endedAt?: number;
}

/** The controllers scale-tui can tune (SEED-SCRIPTS §10). */
export const CONTROLLER_IDS = ['capi', 'kubeadm-bootstrap', 'kcp', 'capm3', 'ipam', 'bmo'] as const;
export type ControllerId = (typeof CONTROLLER_IDS)[number];

/** Current tuning values read from a manager Deployment's args; undefined = flag absent (default applies). */
export interface ControllerFlags {
  /** `--<kind>-concurrency` flag name (without dashes) -> value. */
  concurrency: Record<string, number>;
  qps?: number;
  burst?: number;
}

export interface TuneRequest {
  /**
   * Sets the controller's main reconciler flag only (kcp: --kubeadmcontrolplane-concurrency;
   * CONTROLLERS[id].mainConcurrencyFlag). Other flags, e.g. --clustercache-concurrency, keep
   * their values unless named in `concurrencyFlags`.
   */
  concurrency?: number;
  /** Named concurrency flags (without dashes) -> value, e.g. { 'clustercache-concurrency': 50 }. */
  concurrencyFlags?: Record<string, number>;
  qps?: number;
  burst?: number;
  /** klog -v: live through PUT /debug/flags/v where the controller serves it, else by patching --v. */
  verbosity?: number;
}

export type ClusterSelection =
  | { kind: 'all' }
  | { kind: 'names'; names: string[] }
  | { kind: 'range'; from: number; to: number }
  | { kind: 'batch'; batchId: string }
  | { kind: 'last-batch' };

export interface BatchOptions {
  count: number;
  /** 'auto' places by free capacity. */
  backing?: string;
}

export interface BatchSummary {
  batchId: string;
  requested: number;
  ready: number;
  failed: number;
  failures: Array<{ cluster: string; step: string; reason: string }>;
}

export interface DeleteSummary {
  deleted: string[];
  failed: Array<{ cluster: string; reason: string }>;
}

/**
 * What the UI (and the headless CLI) may ask of the engine. The UI holds only this
 * interface, so tests pass a recording double.
 */
export interface EngineIntents {
  addBatch(opts: BatchOptions): Promise<BatchSummary>;
  deleteClusters(selection: ClusterSelection): Promise<DeleteSummary>;
  tune(controller: ControllerId, request: TuneRequest): Promise<void>;
  /** Bounded pool size for per-cluster work; applies to work already queued. */
  setConcurrency(n: number): void;
  pause(): void;
  resume(): void;
  /** Stop watches, forwarders and timers; the run journal stays for resume. */
  shutdown(): Promise<void>;
}

/** One line of the append-only JSONL run journal (DESIGN.md §6). `t` is epoch ms. */
export type JournalEvent =
  | {
      t: number;
      type: 'run-start';
      runId: string;
      topology: Topology;
      context: string;
      versions: Record<string, string>;
    }
  | { t: number; type: 'batch-start'; batchId: string; requested: number; backing: string }
  | {
      t: number;
      type: 'allocated';
      cluster: string;
      number: number;
      namespace: string;
      batchId: string;
      placement?: string;
    }
  | { t: number; type: 'phase'; cluster: string; phase: Phase; step?: string; reason?: string }
  | { t: number; type: 'batch-end'; batchId: string; ready: number; failed: number }
  | { t: number; type: 'tune'; controller: ControllerId; before: ControllerFlags; after: ControllerFlags }
  | {
      t: number;
      type: 'metrics';
      pod: string;
      namespace: string;
      controller?: string;
      cpuMillicores: number;
      memoryBytes: number;
    }
  /** A throttling log line; `side` absent = client-side limiter, 'server' = APF/429, 'retry' = other retry. */
  | {
      t: number;
      type: 'throttle';
      controller: string;
      waitMs: number;
      verb: string;
      path: string;
      side?: 'server' | 'retry';
    }
  /** One scrape of a controller's /metrics (or Prometheus): the pane's figures, for the report. */
  | {
      t: number;
      type: 'controller-metrics';
      controller: string;
      pod?: string;
      source: 'pod-proxy' | 'prometheus';
      workqueueDepth?: number;
      depthByPriority: Record<string, number>;
      reconcileTotal?: number;
      reconcileErrorsTotal?: number;
      activeWorkers?: number;
      restRequestsTotal?: number;
      rest429Total?: number;
    }
  /** Log verbosity of a controller changed live (PUT /debug/flags/v) or by patching --v: part of the tuning timeline. */
  | {
      t: number;
      type: 'verbosity';
      controller: ControllerId;
      before: number;
      after: number;
      via: 'debug-flags' | 'deployment';
      pod?: string;
    }
  /** First time a CAPI/CAPM3/BMO condition or state was seen True for a cluster (watch/milestones.ts). */
  | { t: number; type: 'milestone'; cluster: string; milestone: string }
  /** The run's settings, for the job summary (`report --format json`); written once per session. */
  | { t: number; type: 'run-config'; source: string; config: Record<string, unknown> };

/** Accepted ranges for tuning values: the CLI flags, the TUI dialogs and the engine agree. */
export const TUNE_LIMITS = {
  concurrency: { min: 1, max: 10000 },
  qps: { min: 1, max: 100000 },
  burst: { min: 1, max: 100000 },
  verbosity: { min: 0, max: 10 },
} as const;

/** Largest batch one request may add (CLI --count and the TUI's add dialog). */
export const MAX_BATCH = 10000;
