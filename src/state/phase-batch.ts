// Phase changes batched per tick. Each store write copies the clusters map (the store is
// immutable so selectors and the UI can key on identity), so one write per phase change costs
// O(clusters) each: with 1000 clusters in flight, a watch event burst of K changes cost K
// whole-map copies. The batcher answers each change at once (the new record, for the caller's
// own bookkeeping) and writes all changes of one tick to the store in one setPhases call, one
// copy in all. Readers of the store see the tick's changes when it ends (or on flush()).
import type { ClusterRecord } from '../core/types.js';
import { applyPhase, type PhaseChange, type ScaleStore, setPhases } from './store.js';

export interface PhaseBatcher {
  /** Queues one change; returns the record as it will be after the flush (undefined: not tracked). */
  setPhase(change: PhaseChange): ClusterRecord | undefined;
  /** Writes the queued changes now (one store write); a no-op when none are queued. */
  flush(): void;
  /** Changes queued and not yet written. */
  readonly pending: number;
}

/** `schedule` runs the end-of-tick flush; queueMicrotask by default (tests pass their own). */
export function createPhaseBatcher(
  store: ScaleStore,
  schedule: (flush: () => void) => void = queueMicrotask,
): PhaseBatcher {
  let queued: PhaseChange[] = [];
  // The records as the queued changes leave them, so a second change in one tick builds on the first.
  let ahead = new Map<string, ClusterRecord>();
  const flush = (): void => {
    if (queued.length === 0) return;
    const changes = queued;
    queued = [];
    ahead = new Map();
    setPhases(store, changes);
  };
  return {
    setPhase(change) {
      const current = ahead.get(change.name) ?? store.getState().clusters[change.name];
      if (!current) return undefined;
      const next = applyPhase(current, change);
      ahead.set(change.name, next);
      if (queued.length === 0) schedule(flush);
      queued.push(change);
      return next;
    },
    flush,
    get pending() {
      return queued.length;
    },
  };
}
