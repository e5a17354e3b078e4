// Two or more runs side by side, as a performance engineer compares a default run with a
// patched one: time per 100 clusters, time-to-ready and phase quantiles, controller CPU and
// memory at idle and peak, throttling, the tuning timelines, each with its delta against
// the reference run (the first, or --baseline), and regressions beyond a tolerance flagged.
// Every compared figure is "lower is better" except the ready count. Pure: reports in,
// a comparison out; compare-render.ts formats it.
import type { Report } from './build.js';
import { phaseOrder } from './phases.js';

export interface CompareRow {
  section: 'throughput' | 'latency' | 'phase' | 'resources' | 'throttling' | 'clusters';
  metric: string;
  unit: 's' | 'min' | 'cores' | 'MiB' | 'count' | 'ms';
  /** One value per run, in run order; undefined where a run has no such figure. */
  values: Array<number | undefined>;
  /** Values of the reference run (index `reference`) compared to each run: percent change. */
  deltaPercent: Array<number | undefined>;
  /** Per run: worse than the reference by more than the tolerance (only with --baseline). */
  regression: boolean[];
  higherIsBetter?: boolean;
}

export interface Comparison {
  runs: Array<{ runId: string; label: string; topology: string; clustersReady: number; elapsedSeconds: number }>;
  /** Index of the run the deltas are against. */
  reference: number;
  baseline: boolean;
  tolerancePercent: number;
  rows: CompareRow[];
  tuning: Array<Array<{ minute: number; controller: string; change: string }>>;
  /** Per run: minutes since its first create -> clusters ready, for the overlaid chart. */
  readyCurves: Array<Array<{ minute: number; ready: number }>>;
  regressions: Array<{ run: string; metric: string; reference: number; value: number; deltaPercent: number }>;
  /** Settings (flattened config keys) whose values differ between the runs. */
  settingsDiff: Array<{ key: string; values: string[] }>;
}

/** `{a: {b: 1}}` -> `a.b = 1`; arrays print as JSON so `args` lists compare as one value. */
export function flattenConfig(v: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flattenConfig(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, typeof v === 'string' ? v : JSON.stringify(v));
  return out;
}

function settingsDiff(reports: readonly Report[]): Comparison['settingsDiff'] {
  const flat = reports.map((r) => flattenConfig(r.config ?? {}));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return keys
    .map((key) => ({ key, values: flat.map((m) => m.get(key) ?? '(unset)') }))
    .filter((d) => new Set(d.values).size > 1 && !/(^|\.)stateDir$/.test(d.key));
}

export interface CompareOptions {
  /** Index into reports of the baseline; undefined = compare against the first, flag nothing. */
  baseline?: number;
  /** Percent worse than the baseline before a figure counts as a regression (default 10). */
  tolerancePercent?: number;
  /** Absolute floors below which a change is noise, per unit (default: 1 s, 0.1 min, 0.05 cores, 5 MiB, 1 count, 5 ms). */
  labels?: string[];
}

const FLOOR: Record<CompareRow['unit'], number> = { s: 1, min: 0.1, cores: 0.05, MiB: 5, count: 1, ms: 5 };

export function compareReports(reports: readonly Report[], opts: CompareOptions = {}): Comparison {
  const reference = opts.baseline ?? 0;
  const tolerance = opts.tolerancePercent ?? 10;
  const rows: CompareRow[] = [];
  const add = (
    section: CompareRow['section'],
    metric: string,
    unit: CompareRow['unit'],
    pick: (r: Report) => number | undefined,
    higherIsBetter = false,
  ): void => {
    const values = reports.map(pick);
    const ref = values[reference];
    const deltaPercent = values.map((v) =>
      v === undefined || ref === undefined
        ? undefined
        : ref === 0
          ? v === 0
            ? 0
            : undefined
          : ((v - ref) / ref) * 100,
    );
    const regression = values.map((v, i) => {
      if (opts.baseline === undefined || i === reference || v === undefined || ref === undefined) return false;
      const worse = higherIsBetter ? ref - v : v - ref;
      if (worse <= FLOOR[unit] * 0.999) return false;
      return ref === 0 ? true : (worse / Math.abs(ref)) * 100 > tolerance;
    });
    if (values.every((v) => v === undefined)) return;
    rows.push({
      section,
      metric,
      unit,
      values,
      deltaPercent,
      regression,
      ...(higherIsBetter ? { higherIsBetter } : {}),
    });
  };

  add('clusters', 'clusters ready', 'count', (r) => r.clusters.ready, true);
  add('clusters', 'clusters failed', 'count', (r) => r.clusters.failed);
  const maxSlices = Math.max(0, ...reports.map((r) => r.slices.length));
  const step = reports[0]?.step ?? 100;
  for (let i = 0; i < maxSlices; i++) {
    add('throughput', `minutes for clusters ${i * step}-${(i + 1) * step}`, 'min', (r) =>
      r.step === step ? r.slices[i]?.minutes : undefined,
    );
  }
  add('latency', 'time-to-ready p50', 's', (r) => (r.timeToReadySeconds.count ? r.timeToReadySeconds.p50 : undefined));
  add('latency', 'time-to-ready p90', 's', (r) => (r.timeToReadySeconds.count ? r.timeToReadySeconds.p90 : undefined));
  add('latency', 'time-to-ready max', 's', (r) => (r.timeToReadySeconds.count ? r.timeToReadySeconds.max : undefined));
  const phases = [...new Set(reports.flatMap((r) => r.phases.map((p) => p.phase)))].sort(phaseOrder);
  for (const phase of phases)
    for (const q of ['p50', 'p90', 'p99'] as const)
      add('phase', `${phase} ${q}`, 's', (r) => r.phases.find((p) => p.phase === phase)?.[q]);
  const controllers = [...new Set(reports.flatMap((r) => r.resources.map((x) => x.controller)))].sort();
  for (const c of controllers) {
    const row = (r: Report) => r.resources.find((x) => x.controller === c);
    add('resources', `${c} CPU idle`, 'cores', (r) => {
      const v = row(r)?.idleCpuMillicores;
      return v === undefined ? undefined : v / 1000;
    });
    add('resources', `${c} CPU peak`, 'cores', (r) => {
      const v = row(r)?.peakCpuMillicores;
      return v === undefined ? undefined : v / 1000;
    });
    add('resources', `${c} memory idle`, 'MiB', (r) => {
      const v = row(r)?.idleMemoryBytes;
      return v === undefined ? undefined : v / 2 ** 20;
    });
    add('resources', `${c} memory peak`, 'MiB', (r) => {
      const v = row(r)?.peakMemoryBytes;
      return v === undefined ? undefined : v / 2 ** 20;
    });
  }
  for (const q of [...new Set(reports.flatMap((r) => r.queues.map((x) => x.controller)))].sort()) {
    const row = (r: Report) => r.queues.find((x) => x.controller === q);
    add('resources', `${q} peak workqueue depth`, 'count', (r) => row(r)?.peakDepth);
    add('resources', `${q} reconciles`, 'count', (r) => row(r)?.reconciles);
    add('resources', `${q} reconcile errors`, 'count', (r) => row(r)?.reconcileErrors);
    add('throttling', `${q} 429 answers`, 'count', (r) => row(r)?.rest429);
  }
  const throttled = [...new Set(reports.flatMap((r) => r.throttling.map((x) => x.controller)))].sort();
  for (const c of throttled) {
    add('throttling', `${c} throttled waits`, 'count', (r) => r.throttling.find((x) => x.controller === c)?.count ?? 0);
    add('throttling', `${c} wait p95`, 'ms', (r) => r.throttling.find((x) => x.controller === c)?.p95Ms);
  }

  const labels = reports.map((r, i) => opts.labels?.[i] ?? r.runId);
  const regressions: Comparison['regressions'] = [];
  for (const row of rows)
    row.regression.forEach((bad, i) => {
      if (bad)
        regressions.push({
          run: labels[i]!,
          metric: row.metric,
          reference: row.values[reference]!,
          value: row.values[i]!,
          deltaPercent: row.deltaPercent[i] ?? Number.POSITIVE_INFINITY,
        });
    });
  return {
    runs: reports.map((r, i) => ({
      runId: r.runId,
      label: labels[i]!,
      topology: r.topology,
      clustersReady: r.clusters.ready,
      elapsedSeconds: (r.endedAt - r.startedAt) / 1000,
    })),
    reference,
    baseline: opts.baseline !== undefined,
    tolerancePercent: tolerance,
    rows,
    tuning: reports.map((r) =>
      r.tuning.map((t) => ({
        minute: (t.t - r.firstCreateAt) / 60_000,
        controller: t.controller,
        change: t.change,
      })),
    ),
    readyCurves: reports.map((r) =>
      r.readySeries.map((p) => ({ minute: (p.t - r.firstCreateAt) / 60_000, ready: p.ready })),
    ),
    regressions,
    settingsDiff: settingsDiff(reports),
  };
}
