// The headless demo's timing table, in the seed README's shape (§16: "from | to |
// minutes" per 100 clusters), computed from the clusters' phase transitions.
import type { ClusterRecord } from '../core/types.js';

export interface TimingRow {
  from: number;
  to: number;
  seconds: number;
}

export interface TimingSummary {
  rows: TimingRow[];
  ready: number;
  failed: number;
  totalSeconds: number;
  p50Seconds: number;
  p95Seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Rows per `step` ready clusters (ordered by readiness time), measured from `startedAt`. */
export function timingTable(clusters: ClusterRecord[], startedAt: number, step: number): TimingSummary {
  const readyAt = clusters
    .map((c) => c.transitions.ready)
    .filter((t): t is number => t !== undefined)
    .sort((a, b) => a - b);
  const rows: TimingRow[] = [];
  let prevT = startedAt;
  for (let to = step; to <= readyAt.length; to += step) {
    const t = readyAt[to - 1]!;
    rows.push({ from: to - step, to, seconds: (t - prevT) / 1000 });
    prevT = t;
  }
  if (readyAt.length % step !== 0) {
    const t = readyAt[readyAt.length - 1]!;
    rows.push({ from: readyAt.length - (readyAt.length % step), to: readyAt.length, seconds: (t - prevT) / 1000 });
  }
  const ttr = clusters
    .map((c) =>
      c.transitions.ready !== undefined
        ? (c.transitions.ready - (c.transitions.queued ?? startedAt)) / 1000
        : undefined,
    )
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  return {
    rows,
    ready: readyAt.length,
    failed: clusters.filter((c) => c.phase === 'failed').length,
    totalSeconds: readyAt.length ? ((readyAt[readyAt.length - 1] ?? startedAt) - startedAt) / 1000 : 0,
    p50Seconds: percentile(ttr, 50),
    p95Seconds: percentile(ttr, 95),
  };
}

export function renderTimingTable(s: TimingSummary): string {
  const lines = ['| from | to | seconds |', '| ---: | ---: | ---: |'];
  for (const r of s.rows) lines.push(`| ${r.from} | ${r.to} | ${r.seconds.toFixed(1)} |`);
  lines.push('');
  lines.push(
    `ready ${s.ready}, failed ${s.failed}, total ${s.totalSeconds.toFixed(1)} s, time-to-ready p50 ${s.p50Seconds.toFixed(1)} s, p95 ${s.p95Seconds.toFixed(1)} s`,
  );
  lines.push("(demo figures come from the simulator's cost model, not from CAPI)");
  return lines.join('\n');
}
