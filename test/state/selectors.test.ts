// Memoized selectors (src/state/selectors.ts): each answer is computed once per clusters map,
// however many panes read it, again after any mutator that changes a cluster, and not after a
// mutator that touches another slice. The answers match a plain recomputation.
import { describe, expect, it } from 'vitest';
import { CREATE_PHASES, type ClusterRecord, type Phase } from '../../src/core/types.js';
import { stepQuantiles } from '../../src/core/phase-quantiles.js';
import {
  filterComputationCount,
  selectClustersByNumber,
  selectClustersMatching,
  selectStepQuantiles,
  selectCounts,
  selectFailures,
  selectFunnel,
  selectReadyRatePerMinute,
} from '../../src/state/selectors.js';
import { appendLog, createScaleStore, removeCluster, setPhase, upsertCluster } from '../../src/state/store.js';

const PHASES: Phase[] = ['queued', 'objects', 'ready', 'failed', 'deleting', 'ready', 'ready'];

function rec(n: number): ClusterRecord {
  const phase = PHASES[n % PHASES.length]!;
  const transitions: ClusterRecord['transitions'] = { queued: n * 1000 };
  if (phase === 'ready') transitions.ready = n * 1000 + 30_000;
  return {
    name: `test-${n}`,
    number: n,
    namespace: `test-${n}`,
    batchId: 'b-1',
    phase,
    transitions,
    ...(phase === 'failed' ? { failure: { step: 'etcd-tenant', reason: 'boom', at: n } } : {}),
  };
}

function world(n = 300) {
  const store = createScaleStore();
  // out of order, so the sorted list has work to do
  for (let i = n; i >= 1; i--) upsertCluster(store, rec(i));
  return store;
}

// The plain answers, recomputed from scratch: what derive.ts did per frame before.
function plainRate(cs: ClusterRecord[], now: number, windowMs = 5 * 60_000): number {
  let n = 0;
  let earliest = now;
  for (const c of cs) {
    const t = c.transitions.ready;
    if (t !== undefined && t >= now - windowMs && t <= now) {
      n++;
      earliest = Math.min(earliest, c.transitions.queued ?? t);
    }
  }
  return n === 0 ? 0 : (n / Math.max(10_000, Math.min(windowMs, now - earliest))) * 60_000;
}

describe('memoized selectors', () => {
  it('compute once for N reads of the same state, and again after a mutator', () => {
    const store = world();
    const before = {
      counts: selectCounts.computations,
      funnel: selectFunnel.computations,
      sorted: selectClustersByNumber.computations,
      failures: selectFailures.computations,
    };
    const first = selectCounts(store.getState().clusters);
    for (let i = 0; i < 50; i++) {
      const s = store.getState();
      expect(selectCounts(s.clusters)).toBe(first);
      selectFunnel(s.clusters);
      selectClustersByNumber(s.clusters);
      selectFailures(s.clusters);
      selectReadyRatePerMinute(s.clusters, 200_000 + i);
    }
    expect(selectCounts.computations - before.counts).toBe(1);
    expect(selectFunnel.computations - before.funnel).toBe(1);
    expect(selectClustersByNumber.computations - before.sorted).toBe(1);
    expect(selectFailures.computations - before.failures).toBe(1);

    // a mutator on another slice leaves the clusters map, and so the answers, alone
    appendLog(store, 'info', 'unrelated');
    expect(selectCounts(store.getState().clusters)).toBe(first);
    expect(selectCounts.computations - before.counts).toBe(1);

    setPhase(store, 'test-1', 'failed', 999_999, { step: 'x', reason: 'y' });
    const after = selectCounts(store.getState().clusters);
    expect(after).not.toBe(first);
    expect(after.failed).toBe(first.failed + 1);
    expect(selectCounts.computations - before.counts).toBe(2);
    expect(selectFailures(store.getState().clusters).map((c) => c.name)).toContain('test-1');

    removeCluster(store, 'test-2');
    expect(selectClustersByNumber(store.getState().clusters).map((c) => c.name)).not.toContain('test-2');
    expect(selectClustersByNumber.computations - before.sorted).toBe(3);
  });

  it('answer what a plain recomputation answers', () => {
    const store = world(500);
    const cs = Object.values(store.getState().clusters);
    const clusters = store.getState().clusters;
    const by = (p: Phase) => cs.filter((c) => c.phase === p).length;
    expect(selectCounts(clusters)).toEqual({
      desired: cs.length - by('deleting') - by('deleted'),
      ready: by('ready'),
      inProgress: CREATE_PHASES.filter((p) => p !== 'ready').reduce((n, p) => n + by(p), 0),
      failed: by('failed'),
      deleting: by('deleting') + by('deleted'),
    });
    expect(selectFunnel(clusters)).toEqual(CREATE_PHASES.map((phase) => ({ phase, count: by(phase) })));
    const sorted = [...cs].sort((a, b) => a.number - b.number);
    expect(selectClustersByNumber(clusters)).toEqual(sorted);
    expect(selectFailures(clusters)).toEqual(sorted.filter((c) => c.phase === 'failed'));
    // windows at the start, in the middle (the boundary exactly on a ready time) and past the end
    for (const now of [0, 31_000, 60_000, 131_000, 300_000, 330_000, 531_000, 900_000, 5_000_000]) {
      expect(selectReadyRatePerMinute(clusters, now)).toBeCloseTo(plainRate(cs, now), 9);
      expect(selectReadyRatePerMinute(clusters, now, 60_000)).toBeCloseTo(plainRate(cs, now, 60_000), 9);
    }
  });

  it('filter the list once per map and filter text, and match what the pane filter matched', () => {
    const store = world(200);
    const clusters = store.getState().clusters;
    const before = filterComputationCount();
    const failed = selectClustersMatching(clusters, 'FAIL');
    for (let i = 0; i < 20; i++) expect(selectClustersMatching(clusters, ' fail ')).toBe(failed);
    expect(filterComputationCount() - before).toBe(1);
    const sorted = Object.values(clusters).sort((a, b) => a.number - b.number);
    expect(failed).toEqual(sorted.filter((c) => c.phase === 'failed'));
    // by failure reason, by name; '' is the whole number-sorted list
    expect(selectClustersMatching(clusters, 'boom')).toEqual(failed);
    expect(selectClustersMatching(clusters, 'test-19').map((c) => c.name)).toEqual([
      'test-19',
      'test-190',
      'test-191',
      'test-192',
      'test-193',
      'test-194',
      'test-195',
      'test-196',
      'test-197',
      'test-198',
      'test-199',
    ]);
    expect(selectClustersMatching(clusters, '')).toBe(selectClustersByNumber(clusters));
    setPhase(store, 'test-1', 'failed', 1, { step: 'x', reason: 'boom' });
    expect(selectClustersMatching(store.getState().clusters, 'fail').map((c) => c.name)).toContain('test-1');
  });

  it('compute the step timings once per map', () => {
    const store = world(100);
    const n = selectStepQuantiles.computations;
    const q = selectStepQuantiles(store.getState().clusters);
    expect(selectStepQuantiles(store.getState().clusters)).toBe(q);
    expect(selectStepQuantiles.computations - n).toBe(1);
    expect(q).toEqual(stepQuantiles(Object.values(store.getState().clusters)));
  });

  it('give an empty run zeros and empty lists', () => {
    const clusters = createScaleStore().getState().clusters;
    expect(selectCounts(clusters)).toEqual({ desired: 0, ready: 0, inProgress: 0, failed: 0, deleting: 0 });
    expect(selectClustersByNumber(clusters)).toEqual([]);
    expect(selectReadyRatePerMinute(clusters, 1_000_000)).toBe(0);
  });
});
