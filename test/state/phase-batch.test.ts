// Phase changes without one whole-map copy each: setPhases writes many changes with one copy
// and one store notification, and the per-tick batcher queues a tick's changes and writes them
// together, answering each change's resulting record at once. The end state is the one that
// one setPhase per change gives.
import { describe, expect, it } from 'vitest';
import { CREATE_PHASES, type ClusterRecord } from '../../src/core/types.js';
import { createPhaseBatcher } from '../../src/state/phase-batch.js';
import { type PhaseChange, removeCluster, type ScaleStore, setPhase, setPhases } from '../../src/state/store.js';
import { queuedStore } from '../support/queued-clusters.js';

const world = (n: number): ScaleStore => queuedStore(n);

/** Every cluster through every create phase, one failing on the way: 20 clusters' worth. */
function changes(n: number): PhaseChange[] {
  const out: PhaseChange[] = [];
  let t = 1;
  for (const phase of CREATE_PHASES.slice(1))
    for (let i = 1; i <= n; i++) out.push({ name: `test-${i}`, phase, t: t++ });
  out.push({ name: 'test-3', phase: 'failed', t: t++, failure: { step: 'etcd-tenant', reason: 'no quota' } });
  out.push({ name: 'test-3', phase: 'ready', t: t++ }); // a retry: transitions keep the first time
  return out;
}

function writes(store: ScaleStore): () => number {
  let n = 0;
  store.subscribe(() => n++);
  return () => n;
}

describe('setPhases', () => {
  it('writes many changes with one copy and one notification, ending where setPhase one by one ends', () => {
    const one = world(20);
    for (const c of changes(20)) setPhase(one, c.name, c.phase, c.t, c.failure);
    const many = world(20);
    const count = writes(many);
    setPhases(many, changes(20));
    expect(count()).toBe(1);
    expect(many.getState().clusters).toEqual(one.getState().clusters);
    expect(many.getState().clusters['test-3']).toMatchObject({ phase: 'ready', failure: undefined });
    expect(many.getState().clusters['test-3']?.transitions.failed).toBeDefined();
  });

  it('leaves the map alone when no change names a tracked cluster', () => {
    const store = world(2);
    const before = store.getState().clusters;
    setPhases(store, [{ name: 'gone', phase: 'ready', t: 1 }]);
    setPhases(store, []);
    expect(store.getState().clusters).toBe(before);
  });
});

describe('createPhaseBatcher', () => {
  it('answers each change at once and writes a tick of changes in one store write', () => {
    const store = world(20);
    const count = writes(store);
    const ticks: Array<() => void> = [];
    const batcher = createPhaseBatcher(store, (f) => ticks.push(f));
    const answers = new Map<string, ClusterRecord | undefined>();
    for (const c of changes(20)) answers.set(c.name, batcher.setPhase(c));
    expect(count()).toBe(0); // nothing written before the tick ends
    expect(batcher.pending).toBe(changes(20).length);
    expect(ticks).toHaveLength(1); // one flush scheduled per tick, not one per change
    ticks[0]!();
    expect(count()).toBe(1);
    expect(batcher.pending).toBe(0);
    const reference = world(20);
    setPhases(reference, changes(20));
    expect(store.getState().clusters).toEqual(reference.getState().clusters);
    for (const [name, rec] of answers) expect(rec).toEqual(store.getState().clusters[name]);
    expect(batcher.setPhase({ name: 'nope', phase: 'ready', t: 1 })).toBeUndefined();
  });

  it('flushes at the end of the tick by default, and never brings back a cluster removed meanwhile', async () => {
    const store = world(3);
    const batcher = createPhaseBatcher(store);
    batcher.setPhase({ name: 'test-1', phase: 'objects', t: 5 });
    batcher.setPhase({ name: 'test-2', phase: 'objects', t: 5 });
    removeCluster(store, 'test-2');
    expect(store.getState().clusters['test-1']?.phase).toBe('queued');
    await Promise.resolve();
    expect(store.getState().clusters['test-1']?.phase).toBe('objects');
    expect(store.getState().clusters['test-2']).toBeUndefined();
  });
});
