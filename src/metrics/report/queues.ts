// Per-controller work figures from the journalled /metrics scrapes ('controller-metrics'
// events, sampler): the deepest work queue seen, and how many reconciles, reconcile errors
// and 429 answers the run cost (counters are cumulative per pod, so the run's share is the
// last reading minus the first, summed over pods; a restarted pod's reset counts from zero).
import type { JournalEvent } from '../../core/types.js';

export interface QueueRow {
  controller: string;
  scrapes: number;
  peakDepth?: number;
  reconciles?: number;
  reconcileErrors?: number;
  rest429?: number;
}

type Scrape = Extract<JournalEvent, { type: 'controller-metrics' }>;
type Counter = 'reconcileTotal' | 'reconcileErrorsTotal' | 'rest429Total';

function increase(scrapes: Scrape[], field: Counter): number | undefined {
  const byPod = new Map<string, number[]>();
  for (const s of scrapes) {
    const v = s[field];
    if (v === undefined) continue;
    const key = s.pod ?? '';
    const xs = byPod.get(key) ?? [];
    xs.push(v);
    byPod.set(key, xs);
  }
  if (byPod.size === 0) return undefined;
  let total = 0;
  for (const xs of byPod.values())
    for (let i = 1; i < xs.length; i++) total += xs[i]! >= xs[i - 1]! ? xs[i]! - xs[i - 1]! : xs[i]!;
  return total;
}

export function queueRows(events: readonly JournalEvent[]): QueueRow[] {
  const by = new Map<string, Scrape[]>();
  for (const e of events) {
    if (e.type !== 'controller-metrics') continue;
    const xs = by.get(e.controller) ?? [];
    xs.push(e);
    by.set(e.controller, xs);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([controller, xs]) => {
      const depths = xs.flatMap((x) => (x.workqueueDepth === undefined ? [] : [x.workqueueDepth]));
      const row: QueueRow = { controller, scrapes: xs.length };
      if (depths.length) row.peakDepth = Math.max(...depths);
      const reconciles = increase(xs, 'reconcileTotal');
      const errors = increase(xs, 'reconcileErrorsTotal');
      const r429 = increase(xs, 'rest429Total');
      if (reconciles !== undefined) row.reconciles = reconciles;
      if (errors !== undefined) row.reconcileErrors = errors;
      if (r429 !== undefined) row.rest429 = r429;
      return row;
    });
}
