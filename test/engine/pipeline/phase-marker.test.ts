// The create pipeline's phase marker on a retry: a cluster that failed after it had once been
// ready must be marked ready again when its retry gets there (the store then shows `ready`,
// not the old failure); a cluster resumed mid-flight (not failed) still skips the phases it
// already reached, so its phase never goes backwards.
import { describe, expect, it } from 'vitest';
import { phaseMarker } from '../../../src/engine/pipeline/create.js';
import { CREATE_PHASES, type ClusterRecord, type Phase } from '../../../src/core/types.js';
import { createScaleStore, setPhase, upsertCluster } from '../../../src/state/store.js';

const steps = CREATE_PHASES.filter((p) => p !== 'queued');

function runPipeline(rec: ClusterRecord): { recorded: Phase[]; final: ClusterRecord } {
  const store = createScaleStore();
  upsertCluster(store, rec);
  const recorded: Phase[] = [];
  const mark = phaseMarker(
    {
      record: (cluster, phase, failure) => {
        recorded.push(phase);
        setPhase(store, cluster, phase, Date.now(), failure);
      },
    },
    store.getState().clusters[rec.name]!,
  );
  // The pipeline's steps mark each phase as they pass it; a step may mark twice (waits).
  for (const p of steps) {
    mark(p);
    mark(p);
  }
  return { recorded, final: store.getState().clusters[rec.name]! };
}

describe('phaseMarker', () => {
  it('a retry of a cluster that failed after it was ready records every phase again and ends ready', () => {
    const t = Date.now() - 60_000;
    const transitions = Object.fromEntries(CREATE_PHASES.map((p, i) => [p, t + i]));
    const { recorded, final } = runPipeline({
      name: 'c-1',
      number: 1,
      namespace: 'c-1',
      batchId: 'b1',
      phase: 'failed',
      transitions: { ...transitions, failed: t + 100 },
      failure: { step: 'after-ready', reason: 'test: the cluster failed after ready', at: t + 100 },
    });
    expect(recorded).toEqual(steps);
    expect(final.phase).toBe('ready');
    expect(final.failure).toBeUndefined();
    // The first time each phase was reached is kept (the funnel counts first entries).
    expect(final.transitions.ready).toBe(transitions.ready);
  });

  it('a cluster resumed mid-flight skips the phases it already reached', () => {
    const t = Date.now() - 60_000;
    const { recorded, final } = runPipeline({
      name: 'c-2',
      number: 2,
      namespace: 'c-2',
      batchId: 'b1',
      phase: 'api-up',
      transitions: {
        queued: t,
        objects: t + 1,
        'host-available': t + 2,
        machine: t + 3,
        associated: t + 4,
        'api-up': t + 5,
      },
    });
    expect(recorded).toEqual(['node', 'initialized', 'ready']);
    expect(final.phase).toBe('ready');
  });
});
