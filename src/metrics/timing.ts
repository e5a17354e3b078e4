// Throughput from cluster phase transitions: for each 100 clusters the time from the
// first create to the 100th ready (the seed's "Scale 0-100 in ~10 minutes"), clusters
// ready per minute, and the time-to-ready distribution.
import type { ClusterRecord } from '../core/types.js';
import type { TimingRow } from '../state/store.js';
import { percentile } from './throttle/stats.js';

function readyTimes(clusters: Iterable<ClusterRecord>): number[] {
  const out: number[] = [];
  for (const c of clusters) if (c.transitions.ready !== undefined) out.push(c.transitions.ready);
  return out.sort((a, b) => a - b);
}

function firstCreate(clusters: Iterable<ClusterRecord>): number | undefined {
  let first: number | undefined;
  for (const c of clusters) {
    const t = c.transitions.queued;
    if (t !== undefined && (first === undefined || t < first)) first = t;
  }
  return first;
}

/** Rows for every full `step` clusters ready: minutes from the first create to the Nth ready. */
export function perStep(clusters: Iterable<ClusterRecord>, step = 100): TimingRow[] {
  const list = [...clusters];
  const start = firstCreate(list);
  const ready = readyTimes(list);
  if (start === undefined) return [];
  const rows: TimingRow[] = [];
  for (let n = step; n <= ready.length; n += step) rows.push({ upTo: n, minutes: (ready[n - 1]! - start) / 60_000 });
  return rows;
}

/** Clusters that became ready in each minute since the first create (index = minute). */
export function readyPerMinute(clusters: Iterable<ClusterRecord>): number[] {
  const list = [...clusters];
  const start = firstCreate(list);
  if (start === undefined) return [];
  const out: number[] = [];
  for (const t of readyTimes(list)) {
    const m = Math.floor((t - start) / 60_000);
    while (out.length <= m) out.push(0);
    out[m]!++;
  }
  return out;
}

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  max: number;
}

/** Seconds from a cluster's queueing to ready, over the ready ones. */
export function timeToReady(clusters: Iterable<ClusterRecord>): Distribution {
  const s: number[] = [];
  for (const c of clusters) {
    if (c.transitions.ready !== undefined && c.transitions.queued !== undefined)
      s.push((c.transitions.ready - c.transitions.queued) / 1000);
  }
  s.sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p95: percentile(s, 95),
    max: s[s.length - 1] ?? 0,
  };
}

export interface SliceRow {
  from: number;
  to: number;
  /** From the create of cluster from+1 (allocation order) to the to-th ready. */
  minutes: number;
}

/**
 * The seed's "from | to | minutes" table: each step of clusters timed on its own, from
 * when the first cluster of the step was created until `to` clusters are ready. The first
 * row equals perStep's; later rows isolate how much slower each hundred got as the
 * management cluster filled. Steps created before the previous one finished overlap, so
 * the rows need not add up to the total.
 */
export function perStepSlices(clusters: Iterable<ClusterRecord>, step = 100): SliceRow[] {
  const list = [...clusters];
  const created = list
    .filter((c) => c.transitions.queued !== undefined)
    .sort((a, b) => a.number - b.number || a.transitions.queued! - b.transitions.queued!)
    .map((c) => c.transitions.queued!);
  const ready = readyTimes(list);
  const rows: SliceRow[] = [];
  for (let to = step; to <= ready.length && to - step < created.length; to += step) {
    rows.push({ from: to - step, to, minutes: Math.max(0, ready[to - 1]! - created[to - step]!) / 60_000 });
  }
  return rows;
}
