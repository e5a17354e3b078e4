// Derived data (counts, the funnel, the ready rate, failures, the number-sorted list),
// computed once per change of the clusters map and then read for free. The TUI redraws
// several times a second and several panes ask the same questions; recomputing over 1000
// clusters per pane and per frame was the cost. The mutators replace `clusters` whenever a
// cluster changes and never otherwise, so the map's identity is a complete cache key: a
// WeakMap on it holds one answer per map and lets old maps (and their answers) be collected.
import { type PhaseQuantiles, stepQuantiles } from '../core/phase-quantiles.js';
import { CREATE_PHASES, type ClusterRecord, type Phase } from '../core/types.js';

export type ClusterMap = Record<string, ClusterRecord>;

/** A function of the clusters map that computes once per map identity. */
export interface ClusterSelector<T> {
  (clusters: ClusterMap): T;
  /** How many times the answer was computed (not read): tests check the memo holds. */
  readonly computations: number;
}

function memoOnClusters<T>(compute: (clusters: ClusterMap) => T): ClusterSelector<T> {
  const cache = new WeakMap<ClusterMap, T>();
  let computations = 0;
  const select = (clusters: ClusterMap): T => {
    if (cache.has(clusters)) return cache.get(clusters) as T;
    computations++;
    const value = compute(clusters);
    cache.set(clusters, value);
    return value;
  };
  Object.defineProperty(select, 'computations', { get: () => computations });
  return select as ClusterSelector<T>;
}

/** Clusters per phase (phases with none are absent). */
export const selectPhaseCounts = memoOnClusters((clusters): Readonly<Partial<Record<Phase, number>>> => {
  const by: Partial<Record<Phase, number>> = {};
  for (const c of Object.values(clusters)) by[c.phase] = (by[c.phase] ?? 0) + 1;
  return by;
});

export interface Counts {
  desired: number;
  ready: number;
  inProgress: number;
  failed: number;
  deleting: number;
}

const IN_PROGRESS: readonly Phase[] = CREATE_PHASES.filter((p) => p !== 'ready');

/** The header's figures: wanted, ready, in progress, failed, being deleted. */
export const selectCounts = memoOnClusters((clusters): Readonly<Counts> => {
  const by = selectPhaseCounts(clusters);
  const deleting = (by.deleting ?? 0) + (by.deleted ?? 0);
  return {
    desired: Object.keys(clusters).length - deleting,
    ready: by.ready ?? 0,
    inProgress: IN_PROGRESS.reduce((n, p) => n + (by[p] ?? 0), 0),
    failed: by.failed ?? 0,
    deleting,
  };
});

/** How many clusters are in each create phase now, in pipeline order. */
export const selectFunnel = memoOnClusters((clusters): ReadonlyArray<{ phase: Phase; count: number }> => {
  const by = selectPhaseCounts(clusters);
  return CREATE_PHASES.map((phase) => ({ phase, count: by[phase] ?? 0 }));
});

/** Every cluster in cluster-number order. Shared: callers must not sort or splice it. */
export const selectClustersByNumber = memoOnClusters((clusters): readonly ClusterRecord[] =>
  Object.values(clusters).sort((a, b) => a.number - b.number),
);

/** The failed clusters in cluster-number order. */
export const selectFailures = memoOnClusters((clusters): readonly ClusterRecord[] =>
  selectClustersByNumber(clusters).filter((c) => c.phase === 'failed'),
);

/** The pane's filter: name, phase, placement or failure reason containing the text (lower-cased). */
function matches(c: ClusterRecord, f: string): boolean {
  return (
    c.name.includes(f) ||
    c.phase.includes(f) ||
    (c.placement ?? '').includes(f) ||
    (c.failure?.reason.toLowerCase().includes(f) ?? false)
  );
}

/** Per clusters map, the last few filters' answers (the pane asks with one filter per frame). */
const filtered = new WeakMap<ClusterMap, Map<string, readonly ClusterRecord[]>>();
const FILTERS_KEPT = 4;
let filterComputations = 0;

/**
 * The clusters the filter text keeps, in cluster-number order ('' keeps all). The list, the
 * cursor and every key ask this per frame and per key; it is computed once per map and filter.
 */
export function selectClustersMatching(clusters: ClusterMap, filter: string): readonly ClusterRecord[] {
  const f = filter.trim().toLowerCase();
  if (!f) return selectClustersByNumber(clusters);
  let byFilter = filtered.get(clusters);
  if (!byFilter) {
    byFilter = new Map();
    filtered.set(clusters, byFilter);
  }
  const hit = byFilter.get(f);
  if (hit) return hit;
  filterComputations++;
  const kept = selectClustersByNumber(clusters).filter((c) => matches(c, f));
  if (byFilter.size >= FILTERS_KEPT) byFilter.delete(byFilter.keys().next().value!);
  byFilter.set(f, kept);
  return kept;
}

/** How many times a filtered list was computed (tests check the memo holds). */
export function filterComputationCount(): number {
  return filterComputations;
}

/** Per-step duration quantiles over every cluster (the progress pane's step timings). */
export const selectStepQuantiles = memoOnClusters((clusters): readonly PhaseQuantiles[] =>
  stepQuantiles(Object.values(clusters)),
);

/** Ready clusters' ready and queued times, ordered by ready time: the rate's input. */
interface ReadyTimes {
  readyAt: Float64Array;
  queuedAt: Float64Array;
}

const selectReadyTimes = memoOnClusters((clusters): ReadyTimes => {
  const pairs: Array<[number, number]> = [];
  for (const c of Object.values(clusters)) {
    const t = c.transitions.ready;
    if (t !== undefined) pairs.push([t, c.transitions.queued ?? t]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    readyAt: Float64Array.from(pairs, (p) => p[0]),
    queuedAt: Float64Array.from(pairs, (p) => p[1]),
  };
});

/** First index whose value is > x (`strict`) or >= x, in ascending values. */
function bound(values: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid]!;
    if (v < x || (strict && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Clusters that reached ready in the last `windowMs`, per minute. `now` moves every frame,
 * so the ordered ready times are memoized and a read touches only the window's clusters.
 */
export function selectReadyRatePerMinute(clusters: ClusterMap, now: number, windowMs = 5 * 60_000): number {
  const { readyAt, queuedAt } = selectReadyTimes(clusters);
  const from = bound(readyAt, now - windowMs, false);
  const end = bound(readyAt, now, true);
  if (end <= from) return 0;
  // A window that started less than windowMs ago (a fresh run) is measured from its start.
  let earliest = now;
  for (let i = from; i < end; i++) earliest = Math.min(earliest, queuedAt[i]!);
  const span = Math.max(10_000, Math.min(windowMs, now - earliest));
  return ((end - from) / span) * 60_000;
}
