// Quantiles of per-cluster phase latencies, kept in core because two layers need the same
// numbers: the report (src/metrics/report/phases.ts, from the journal) and the TUI's
// progress pane (from the live store, which ui may read but metrics may not be imported by
// ui). Nearest rank: the value at rank ceil(p/100 * n), so hand-computed fixtures are exact.
import { CREATE_PHASES, type ClusterRecord } from './types.js';

export interface PhaseQuantiles {
  phase: string;
  count: number;
  /** Seconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function quantiles(phase: string, values: readonly number[]): PhaseQuantiles {
  const sorted = values.slice().sort((a, b) => a - b);
  return {
    phase,
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/**
 * scale-tui's own steps (`step:objects` … `step:ready`) from the store's records: seconds
 * from the 'objects' step (else queueing) to the first entry of each later step. The store
 * holds no CAPI conditions; those are in the journal, for the report.
 */
export function stepQuantiles(clusters: Iterable<ClusterRecord>): PhaseQuantiles[] {
  const byStep = new Map<string, number[]>();
  for (const c of clusters) {
    const origin = c.transitions.objects ?? c.transitions.queued;
    if (origin === undefined) continue;
    for (const p of CREATE_PHASES) {
      const t = c.transitions[p];
      if (p === 'queued' || t === undefined) continue;
      const xs = byStep.get(p) ?? [];
      xs.push(Math.max(0, t - origin) / 1000);
      byStep.set(p, xs);
    }
  }
  return CREATE_PHASES.filter((p) => byStep.has(p)).map((p) => quantiles(`step:${p}`, byStep.get(p)!));
}

/** Seconds as the tables print them: "850 ms", "42.0 s", "12.5 min". */
export function secondsText(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 600) return `${s.toFixed(1)} s`;
  return `${(s / 60).toFixed(1)} min`;
}
