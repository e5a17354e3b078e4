// A run journal folded into the seed's tables: time per 100 clusters, resource usage per
// controller at idle and at peak, tuning changes on the timeline, throttling totals.
// Pure: events in, a report object out; the renderers only format it.
import { replay } from '../../core/journal/replay.js';
import type { ControllerFlags, JournalEvent } from '../../core/types.js';
import { normalizePath, percentile } from '../throttle/stats.js';
import { flagsText } from './flags-text.js';
import { type QueueRow, queueRows } from './queues.js';
import {
  clusterLatencies,
  phaseQuantiles,
  phaseQuantilesByScale,
  type PhaseQuantiles,
  type ScaleSlice,
} from './phases.js';
import { perStep, perStepSlices, readyPerMinute, timeToReady, type Distribution, type SliceRow } from '../timing.js';

export interface ResourceRow {
  controller: string;
  idleCpuMillicores?: number;
  idleMemoryBytes?: number;
  peakCpuMillicores: number;
  peakMemoryBytes: number;
  samples: number;
}

export interface ThrottleRow {
  /** The controller; server-side and retry rows read "capi (server)", "capi (retry)". */
  controller: string;
  /** client: its own --kube-api-qps/burst limiter; server: API priority and fairness / 429; retry: other retries. */
  side: 'client' | 'server' | 'retry';
  count: number;
  /** Most waits in any one minute of the run (minutes counted from the run start). */
  peakPerMinute: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  topPath?: string;
}

export interface TuneRow {
  t: number;
  /** Minutes since the run started. */
  minute: number;
  controller: string;
  /** Flags before and after ('tune' events); a verbosity change keeps both empty and says it in `change`. */
  before: ControllerFlags;
  after: ControllerFlags;
  /** The change in words: "kubeadmcontrolplane-concurrency=10 -> …" or "-v=2 -> -v=4 (debug-flags)". */
  change: string;
}

export interface FailureRow {
  step: string;
  reason: string;
  count: number;
  /** Up to 5 example clusters. */
  clusters: string[];
}

export interface Report {
  runId: string;
  topology: string;
  startedAt: number;
  /** Last event of the journal. */
  endedAt: number;
  /** First cluster allocated: where the clusters-ready curve starts (comparisons align runs on it). */
  firstCreateAt: number;
  /** The run's settings per source (engine, demo, ...) as last journalled ('run-config'), if recorded. */
  config?: Record<string, unknown>;
  clusters: { allocated: number; ready: number; failed: number; deleted: number };
  /** Step used for the timing table: 100, or 10 for runs under 100 ready clusters. */
  step: number;
  timing: Array<{ upTo: number; minutes: number }>;
  /** The seed's "from | to | minutes" rows: each step timed from its own first create. */
  slices: SliceRow[];
  timeToReadySeconds: Distribution;
  readyPerMinute: number[];
  /** Seconds from each cluster's creation to each phase (CAPI conditions and scale-tui steps). */
  phases: PhaseQuantiles[];
  /** The same per slice of `step` clusters in creation order: latency against cluster count. */
  phasesByScale: ScaleSlice[];
  /** Clusters whose last phase is failed, grouped by step and reason. */
  failures: FailureRow[];
  resources: ResourceRow[];
  /** Work queues and reconciles per controller, from the /metrics scrapes. */
  queues: QueueRow[];
  tuning: TuneRow[];
  throttling: ThrottleRow[];
  /** Per controller, summed CPU per sampling pass, for the chart. */
  cpuSeries: Record<string, Array<{ t: number; cpuMillicores: number }>>;
  /** Cumulative ready count over time, for the chart. */
  readySeries: Array<{ t: number; ready: number }>;
  /** Raw values the threshold rules aggregate (rules.ts); left out of the JSON output. */
  memorySeries: Record<string, Array<{ t: number; memoryBytes: number }>>;
  throttleWaits: Record<string, number[]>;
  /** Seconds from queueing to ready, one per ready cluster. */
  timeToReadyAll: number[];
  /** Phase -> seconds from creation, one per cluster that reached it. */
  phaseSamples: Record<string, number[]>;
}

/** Intervals during which a batch was running (batch-start .. batch-end, open ones to the end). */
function busyIntervals(events: JournalEvent[], end: number): Array<[number, number]> {
  const open = new Map<string, number>();
  const out: Array<[number, number]> = [];
  for (const e of events) {
    if (e.type === 'batch-start') open.set(e.batchId, e.t);
    if (e.type === 'batch-end' && open.has(e.batchId)) {
      out.push([open.get(e.batchId)!, e.t]);
      open.delete(e.batchId);
    }
  }
  for (const t of open.values()) out.push([t, end]);
  return out;
}

export function buildReport(events: JournalEvent[]): Report {
  const start = events.find((e) => e.type === 'run-start');
  const startedAt = start?.t ?? events[0]?.t ?? 0;
  const end = events[events.length - 1]?.t ?? startedAt;
  const state = replay(events);
  const clusters = [...state.clusters.values()];
  // replay() drops deleted clusters from its live view; readiness history comes from the events.
  const readyAt = new Map<string, number>();
  const queuedAt = new Map<string, number>();
  let deleted = 0;
  for (const e of events) {
    if (e.type === 'allocated') queuedAt.set(e.cluster, e.t);
    if (e.type === 'phase' && e.phase === 'ready' && !readyAt.has(e.cluster)) readyAt.set(e.cluster, e.t);
    if (e.type === 'phase' && e.phase === 'deleted') deleted++;
  }
  const history = [...queuedAt].map(([name, queued], i) => ({
    name,
    number: i + 1,
    namespace: name,
    batchId: '',
    phase: readyAt.has(name) ? ('ready' as const) : ('queued' as const),
    transitions: { queued, ...(readyAt.has(name) ? { ready: readyAt.get(name)! } : {}) },
  }));
  const step = readyAt.size >= 100 ? 100 : 10;

  // CPU/memory: one value per controller per sampling pass (pods summed).
  const passes = new Map<string, Map<number, { cpu: number; mem: number }>>();
  for (const e of events) {
    if (e.type !== 'metrics') continue;
    const id = e.controller ?? e.pod;
    const key = Math.round(e.t / 1000);
    let m = passes.get(id);
    if (!m) {
      m = new Map();
      passes.set(id, m);
    }
    const cur = m.get(key) ?? { cpu: 0, mem: 0 };
    m.set(key, { cpu: cur.cpu + e.cpuMillicores, mem: cur.mem + e.memoryBytes });
  }
  const busy = busyIntervals(events, end);
  const idle = (sec: number): boolean => !busy.some(([a, b]) => sec * 1000 >= a && sec * 1000 <= b);
  const resources: ResourceRow[] = [];
  const cpuSeries: Report['cpuSeries'] = {};
  const memorySeries: Report['memorySeries'] = {};
  for (const [id, m] of [...passes].sort(([a], [b]) => a.localeCompare(b))) {
    const all = [...m.entries()].sort(([a], [b]) => a - b);
    const idles = all.filter(([sec]) => idle(sec)).map(([, v]) => v);
    const avg = (xs: number[]): number | undefined =>
      xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
    resources.push({
      controller: id,
      idleCpuMillicores: avg(idles.map((v) => v.cpu)),
      idleMemoryBytes: avg(idles.map((v) => v.mem)),
      peakCpuMillicores: Math.max(...all.map(([, v]) => v.cpu)),
      peakMemoryBytes: Math.max(...all.map(([, v]) => v.mem)),
      samples: all.length,
    });
    cpuSeries[id] = all.map(([sec, v]) => ({ t: sec * 1000, cpuMillicores: v.cpu }));
    memorySeries[id] = all.map(([sec, v]) => ({ t: sec * 1000, memoryBytes: v.mem }));
  }

  const waits = new Map<string, { ms: number[]; paths: Map<string, number>; minutes: Map<number, number> }>();
  for (const e of events) {
    if (e.type !== 'throttle') continue;
    // Client-side waits keep the bare controller name (earlier reports and rules read it so).
    const key = e.side ? `${e.controller} (${e.side})` : e.controller;
    let w = waits.get(key);
    if (!w) {
      w = { ms: [], paths: new Map(), minutes: new Map() };
      waits.set(key, w);
    }
    w.ms.push(e.waitMs);
    const minute = Math.floor((e.t - startedAt) / 60_000);
    w.minutes.set(minute, (w.minutes.get(minute) ?? 0) + 1);
    const p = normalizePath(e.path);
    w.paths.set(p, (w.paths.get(p) ?? 0) + 1);
  }
  const throttling: ThrottleRow[] = [...waits]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([controller, w]) => {
      const sorted = w.ms.slice().sort((a, b) => a - b);
      const top = [...w.paths].sort((a, b) => b[1] - a[1])[0];
      const side = / \((server|retry)\)$/.exec(controller)?.[1] as 'server' | 'retry' | undefined;
      return {
        controller,
        side: side ?? ('client' as const),
        count: sorted.length,
        peakPerMinute: Math.max(...w.minutes.values()),
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1] ?? 0,
        ...(top ? { topPath: top[0] } : {}),
      };
    });

  const tuning: TuneRow[] = events.flatMap((e): TuneRow[] => {
    const minute = (e.t - startedAt) / 60_000;
    if (e.type === 'tune')
      return [
        {
          t: e.t,
          minute,
          controller: e.controller,
          before: e.before,
          after: e.after,
          change: `${flagsText(e.before)} -> ${flagsText(e.after)}`,
        },
      ];
    if (e.type === 'verbosity')
      return [
        {
          t: e.t,
          minute,
          controller: e.controller,
          before: { concurrency: {} },
          after: { concurrency: {} },
          change: `-v=${e.before} -> -v=${e.after} (${e.via})`,
        },
      ];
    return [];
  });
  const readyTimes = [...readyAt.values()].sort((a, b) => a - b);
  const latencies = clusterLatencies(events);
  const failures = new Map<string, FailureRow>();
  for (const c of clusters) {
    if (c.phase !== 'failed' || !c.failure) continue;
    const key = `${c.failure.step}\u0000${c.failure.reason}`;
    const row = failures.get(key) ?? { step: c.failure.step, reason: c.failure.reason, count: 0, clusters: [] };
    row.count++;
    if (row.clusters.length < 5) row.clusters.push(c.name);
    failures.set(key, row);
  }
  // Each writer (engine, demo, create) journals its own settings; the last of each source wins.
  const configs: Record<string, Record<string, unknown>> = {};
  for (const e of events) if (e.type === 'run-config') configs[e.source] = e.config;
  const phaseSamples: Record<string, number[]> = {};
  for (const c of latencies)
    for (const [p, sec] of c.seconds) {
      phaseSamples[p] ??= [];
      phaseSamples[p].push(sec);
    }
  const timeToReadyAll = history.flatMap((h) =>
    h.transitions.ready !== undefined ? [(h.transitions.ready - h.transitions.queued) / 1000] : [],
  );

  return {
    runId: start?.runId ?? 'unknown',
    topology: start?.topology ?? 'unknown',
    startedAt,
    endedAt: end,
    firstCreateAt: Math.min(...queuedAt.values(), end),
    ...(Object.keys(configs).length ? { config: configs } : {}),
    clusters: {
      allocated: queuedAt.size,
      ready: readyAt.size,
      failed: clusters.filter((c) => c.phase === 'failed').length,
      deleted,
    },
    step,
    timing: perStep(history, step),
    slices: perStepSlices(history, step),
    timeToReadySeconds: timeToReady(history),
    readyPerMinute: readyPerMinute(history),
    phases: phaseQuantiles(latencies),
    // Slices of `step` clusters, or finer for small runs, so a curve has at least a few points.
    phasesByScale: phaseQuantilesByScale(
      latencies,
      latencies.length >= 4 * step ? step : Math.max(1, Math.ceil(latencies.length / 5)),
    ),
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.step.localeCompare(b.step)),
    resources,
    queues: queueRows(events),
    tuning,
    throttling,
    cpuSeries,
    readySeries: readyTimes.map((t, i) => ({ t, ready: i + 1 })),
    memorySeries,
    throttleWaits: Object.fromEntries([...waits].map(([id, w]) => [id, w.ms])),
    timeToReadyAll,
    phaseSamples,
  };
}
