// What the panes show, derived from the store: counts, funnel, rate, ETA, selections.
// The figures over every cluster (counts, funnel, rate, failures, the sorted list) are the
// memoized selectors of src/state/selectors.ts, computed once per store change however many
// panes and keys ask; what is left here is cheap or per batch.
import type { ClusterRecord, Phase } from '../../core/types.js';
import {
  type Counts,
  selectClustersMatching,
  selectCounts,
  selectFailures,
  selectFunnel,
  selectReadyRatePerMinute,
} from '../../state/selectors.js';
import type { ScaleState } from '../../state/store.js';

export type { Counts };

export function counts(clusters: Record<string, ClusterRecord>): Readonly<Counts> {
  return selectCounts(clusters);
}

/** How many clusters are in each create phase now (the funnel), in pipeline order. */
export function funnel(clusters: Record<string, ClusterRecord>): ReadonlyArray<{ phase: Phase; count: number }> {
  return selectFunnel(clusters);
}

/** Clusters that reached ready in the last `windowMs`, per minute. */
export function readyRatePerMinute(
  clusters: Record<string, ClusterRecord>,
  now: number,
  windowMs = 5 * 60_000,
): number {
  return selectReadyRatePerMinute(clusters, now, windowMs);
}

export function etaMs(remaining: number, perMinute: number): number | undefined {
  if (remaining <= 0) return 0;
  return perMinute > 0 ? (remaining / perMinute) * 60_000 : undefined;
}

export interface BatchProgress {
  id: string;
  requested: number;
  ready: number;
  failed: number;
  done: boolean;
  startedAt: number;
}

export function currentBatch(s: Pick<ScaleState, 'batches' | 'clusters'>): BatchProgress | undefined {
  const b = s.batches[s.batches.length - 1];
  if (!b) return undefined;
  let ready = 0;
  let failed = 0;
  for (const name of b.clusters) {
    const c = s.clusters[name];
    if (c?.phase === 'ready') ready++;
    else if (c?.phase === 'failed') failed++;
  }
  return { id: b.id, requested: b.requested, ready, failed, done: b.endedAt !== undefined, startedAt: b.startedAt };
}

export function batchRunning(s: Pick<ScaleState, 'batches' | 'clusters' | 'queue'>): boolean {
  if (s.queue.inFlight > 0 || s.queue.pending > 0) return true;
  const b = s.batches[s.batches.length - 1];
  return b !== undefined && b.endedAt === undefined;
}

/** The clusters the filter keeps, in cluster-number order. Shared (memoized): do not mutate. */
export function sortedClusters(clusters: Record<string, ClusterRecord>, filter: string): readonly ClusterRecord[] {
  return selectClustersMatching(clusters, filter);
}

/** The clusters a selection names: the engine's own answer (src/state/selection.ts). */
export { resolveSelection } from '../../state/selection.js';

/** "test-1, test-2 … test-50 (50 clusters)": what a delete will remove, in one line. */
export function describeClusters(cs: ClusterRecord[]): string {
  if (cs.length === 0) return 'no clusters';
  const names = cs.map((c) => c.name);
  const shown = names.length <= 4 ? names.join(', ') : `${names.slice(0, 2).join(', ')} … ${names[names.length - 1]}`;
  return `${shown} (${cs.length} cluster${cs.length === 1 ? '' : 's'})`;
}

export function failures(clusters: Record<string, ClusterRecord>): readonly ClusterRecord[] {
  return selectFailures(clusters);
}
