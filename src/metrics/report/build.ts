// A run journal folded into the seed's tables: time per 100 clusters, resource usage per
// controller at idle and at peak, tuning changes on the timeline, throttling totals.
// Pure: events in, a report object out; the renderers only format it.
import { replay } from '../../core/journal/replay.js';
import type { ControllerFlags, JournalEvent } from '../../core/types.js';
import { normalizePath, percentile } from '../throttle/stats.js';
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
  controller: string;
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
  before: ControllerFlags;
  after: ControllerFlags;
}

export interface Report {
  runId: string;
  topology: string;
  startedAt: number;
  clusters: { allocated: number; ready: number; failed: number; deleted: number };
  /** Step used for the timing table: 100, or 10 for runs under 100 ready clusters. */
  step: number;
  timing: Array<{ upTo: number; minutes: number }>;
  /** The seed's "from | to | minutes" rows: each step timed from its own first create. */
  slices: SliceRow[];
  timeToReadySeconds: Distribution;
  readyPerMinute: number[];
  resources: ResourceRow[];
  tuning: TuneRow[];
  throttling: ThrottleRow[];
  /** Per controller, summed CPU per sampling pass, for the chart. */
  cpuSeries: Record<string, Array<{ t: number; cpuMillicores: number }>>;
  /** Cumulative ready count over time, for the chart. */
  readySeries: Array<{ t: number; ready: number }>;
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
    if (!m) passes.set(id, (m = new Map()));
    const cur = m.get(key) ?? { cpu: 0, mem: 0 };
    m.set(key, { cpu: cur.cpu + e.cpuMillicores, mem: cur.mem + e.memoryBytes });
  }
  const busy = busyIntervals(events, end);
  const idle = (sec: number): boolean => !busy.some(([a, b]) => sec * 1000 >= a && sec * 1000 <= b);
  const resources: ResourceRow[] = [];
  const cpuSeries: Report['cpuSeries'] = {};
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
  }

  const waits = new Map<string, { ms: number[]; paths: Map<string, number>; minutes: Map<number, number> }>();
  for (const e of events) {
    if (e.type !== 'throttle') continue;
    let w = waits.get(e.controller);
    if (!w) waits.set(e.controller, (w = { ms: [], paths: new Map(), minutes: new Map() }));
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
      return {
        controller,
        count: sorted.length,
        peakPerMinute: Math.max(...w.minutes.values()),
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1] ?? 0,
        ...(top ? { topPath: top[0] } : {}),
      };
    });

  const tuning: TuneRow[] = events
    .filter((e): e is Extract<JournalEvent, { type: 'tune' }> => e.type === 'tune')
    .map((e) => ({
      t: e.t,
      minute: (e.t - startedAt) / 60_000,
      controller: e.controller,
      before: e.before,
      after: e.after,
    }));
  const readyTimes = [...readyAt.values()].sort((a, b) => a - b);

  return {
    runId: start?.runId ?? 'unknown',
    topology: start?.topology ?? 'unknown',
    startedAt,
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
    resources,
    tuning,
    throttling,
    cpuSeries,
    readySeries: readyTimes.map((t, i) => ({ t, ready: i + 1 })),
  };
}
