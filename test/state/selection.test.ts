// One answer to "which clusters does this selection mean": src/state/selection.ts, used by
// the engine's deleteClusters and by the UI's confirm dialog (derive.ts re-exports it, so the
// dialog and the engine cannot drift apart again).
import { describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../src/core/types.js';
import { createScaleStore, upsertCluster } from '../../src/state/store.js';
import { resolveSelection } from '../../src/state/selection.js';
import { resolveSelection as uiResolve } from '../../src/ui/model/derive.js';

function rec(n: number, batchId: string): ClusterRecord {
  return { name: `test-${n}`, number: n, namespace: `test-${n}`, batchId, phase: 'ready', transitions: {} };
}

function world() {
  const store = createScaleStore();
  // inserted out of order: the answer comes back in cluster-number order
  for (const n of [7, 1, 3, 40, 41, 2]) upsertCluster(store, rec(n, n <= 3 ? 'b-1' : 'b-2'));
  store.setState({
    batches: [
      { id: 'b-1', requested: 3, clusters: ['test-1', 'test-2', 'test-3'], backing: 'auto', startedAt: 1 },
      { id: 'b-2', requested: 3, clusters: ['test-7', 'test-40', 'test-41'], backing: 'auto', startedAt: 2 },
    ],
  });
  return store.getState();
}

const names = (cs: ClusterRecord[]) => cs.map((c) => c.name);

describe('resolveSelection', () => {
  it('answers each kind of selection in cluster-number order', () => {
    const s = world();
    expect(names(resolveSelection(s, { kind: 'all' }))).toEqual([
      'test-1',
      'test-2',
      'test-3',
      'test-7',
      'test-40',
      'test-41',
    ]);
    expect(names(resolveSelection(s, { kind: 'range', from: 3, to: 40 }))).toEqual(['test-3', 'test-7', 'test-40']);
    expect(names(resolveSelection(s, { kind: 'last-batch' }))).toEqual(['test-7', 'test-40', 'test-41']);
    expect(names(resolveSelection(s, { kind: 'batch', batchId: 'b-1' }))).toEqual(['test-1', 'test-2', 'test-3']);
    expect(names(resolveSelection(s, { kind: 'names', names: ['test-41', 'test-9', 'test-2'] }))).toEqual([
      'test-2',
      'test-41',
    ]);
  });

  it('last with no batch in this session selects nothing', () => {
    const store = createScaleStore();
    upsertCluster(store, rec(5, ''));
    expect(resolveSelection(store.getState(), { kind: 'last-batch' })).toEqual([]);
  });

  it('is the very function the UI dialog uses', () => {
    expect(uiResolve).toBe(resolveSelection);
  });
});
