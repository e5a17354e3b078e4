// Folds journal events into what resume needs: every allocated cluster with its last
// known phase, and the batches. Pure, so it is tested without files.
import type { BatchRecord, ClusterRecord, JournalEvent, Phase } from '../types.js';

export interface ReplayState {
  clusters: Map<string, ClusterRecord>;
  batches: Map<string, BatchRecord>;
  /** Clusters whose delete was requested and not recorded as finished. */
  deleting: Set<string>;
  maxNumber: number;
}

export function replay(events: Iterable<JournalEvent>): ReplayState {
  const state: ReplayState = { clusters: new Map(), batches: new Map(), deleting: new Set(), maxNumber: 0 };
  for (const e of events) {
    switch (e.type) {
      case 'batch-start':
        state.batches.set(e.batchId, {
          id: e.batchId,
          requested: e.requested,
          backing: e.backing,
          clusters: [],
          startedAt: e.t,
        });
        break;
      case 'allocated': {
        state.clusters.set(e.cluster, {
          name: e.cluster,
          number: e.number,
          namespace: e.namespace,
          batchId: e.batchId,
          placement: e.placement,
          phase: 'queued',
          transitions: { queued: e.t },
        });
        state.batches.get(e.batchId)?.clusters.push(e.cluster);
        state.maxNumber = Math.max(state.maxNumber, e.number);
        break;
      }
      case 'phase': {
        const c = state.clusters.get(e.cluster);
        if (!c) break;
        applyPhase(c, e.phase, e.t, e.step, e.reason);
        if (e.phase === 'deleting') state.deleting.add(e.cluster);
        if (e.phase === 'deleted') {
          state.deleting.delete(e.cluster);
          state.clusters.delete(e.cluster);
        }
        break;
      }
      case 'batch-end': {
        const b = state.batches.get(e.batchId);
        if (b) b.endedAt = e.t;
        break;
      }
      default:
        break;
    }
  }
  return state;
}

function applyPhase(c: ClusterRecord, phase: Phase, t: number, step?: string, reason?: string): void {
  c.phase = phase;
  if (c.transitions[phase] === undefined) c.transitions[phase] = t;
  if (phase === 'failed') c.failure = { step: step ?? 'unknown', reason: reason ?? 'unknown', at: t };
  else c.failure = undefined;
}
