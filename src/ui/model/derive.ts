// What the panes show, derived from the store: counts, funnel, rate, ETA, selections.
import { CREATE_PHASES, type ClusterRecord, type Phase } from '../../core/types.js';
import { countByPhase, type ScaleState } from '../../state/store.js';

export interface Counts {
  desired: number;
  ready: number;
  inProgress: number;
  failed: number;
  deleting: number;
}

const IN_PROGRESS = new Set<Phase>(CREATE_PHASES.filter((p) => p !== 'ready'));

export function counts(clusters: Record<string, ClusterRecord>): Counts {
  const by = countByPhase(clusters);
  const sum = (ps: Iterable<Phase>): number => [...ps].reduce((n, p) => n + (by[p] ?? 0), 0);
  const deleting = (by.deleting ?? 0) + (by.deleted ?? 0);
  return {
    desired: Object.keys(clusters).length - deleting,
    ready: by.ready ?? 0,
    inProgress: sum(IN_PROGRESS),
    failed: by.failed ?? 0,
    deleting,
  };
}

/** How many clusters are in each create phase now (the funnel), in pipeline order. */
export function funnel(clusters: Record<string, ClusterRecord>): Array<{ phase: Phase; count: number }> {
  const by = countByPhase(clusters);
  return CREATE_PHASES.map((phase) => ({ phase, count: by[phase] ?? 0 }));
}

/** Clusters that reached ready in the last `windowMs`, per minute. */
export function readyRatePerMinute(
  clusters: Record<string, ClusterRecord>,
  now: number,
  windowMs = 5 * 60_000,
): number {
  let n = 0;
  let earliest = now;
  for (const c of Object.values(clusters)) {
    const t = c.transitions.ready;
    if (t !== undefined && t >= now - windowMs && t <= now) {
      n++;
      earliest = Math.min(earliest, c.transitions.queued ?? t);
    }
  }
  // A window that started less than windowMs ago (a fresh run) is measured from its start.
  const span = Math.max(10_000, Math.min(windowMs, now - earliest));
  return n === 0 ? 0 : (n / span) * 60_000;
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

export function sortedClusters(clusters: Record<string, ClusterRecord>, filter: string): ClusterRecord[] {
  const f = filter.trim().toLowerCase();
  const all = Object.values(clusters);
  const kept = f
    ? all.filter(
        (c) =>
          c.name.includes(f) ||
          c.phase.includes(f) ||
          (c.placement ?? '').includes(f) ||
          (c.failure?.reason.toLowerCase().includes(f) ?? false),
      )
    : all;
  return kept.sort((a, b) => a.number - b.number);
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

export function failures(clusters: Record<string, ClusterRecord>): ClusterRecord[] {
  return sortedClusters(clusters, '').filter((c) => c.phase === 'failed');
}
