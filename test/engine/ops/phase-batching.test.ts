// The engine's phase changes reach the store once per tick, not once per change: record()
// in src/engine/ops/scope.ts goes through the per-tick batcher (src/state/phase-batch.ts).
// Each store write copies the whole clusters map, so a burst of N changes used to cost N
// copies. What must not change: the journal gets every change at once, the store shows every
// change by the time any await resumes, and an operation reading through scope.state() sees
// the phase it just recorded. Built on an EngineScope with no API server behind it: nothing
// here dials one (the management target points at a closed port and is never used).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal, runJournalPath } from '../../../src/core/journal/journal.js';
import type { EngineScope } from '../../../src/engine/ops/scope.js';
import { removeCluster, type ScaleStore } from '../../../src/state/store.js';
import { offlineScope, queuedStore } from '../../support/queued-clusters.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scopeWith(n: number): { scope: EngineScope; store: ScaleStore; writes: () => number; stateDir: string } {
  const stateDir = mkdtempSync(join(tmpdir(), 'phase-batching-'));
  dirs.push(stateDir);
  const store = queuedStore(n, 'b1');
  let count = 0;
  store.subscribe((s, prev) => {
    if (s.clusters !== prev.clusters) count++;
  });
  const scope = offlineScope(store, stateDir, { now: () => 1000 });
  return { scope, store, writes: () => count, stateDir };
}

describe('engine phase changes', () => {
  it('N changes in one tick make one store write; the journal has each at once', async () => {
    const { scope, store, writes, stateDir } = scopeWith(50);
    for (let i = 1; i <= 50; i++) scope.record(`test-${i}`, 'objects');
    scope.record('test-7', 'failed', { step: 'wait-machine', reason: 'no host' });
    // The journal is written at once, change by change (a kill here loses nothing).
    const phases = readJournal(runJournalPath(stateDir, scope.runId)).filter((e) => e.type === 'phase');
    expect(phases).toHaveLength(51);
    expect(writes()).toBe(0);
    await Promise.resolve(); // the tick ends before any await resumes
    expect(writes()).toBe(1);
    const clusters = store.getState().clusters;
    for (let i = 1; i <= 50; i++) expect(clusters[`test-${i}`]?.transitions.objects).toBe(1000);
    expect(clusters['test-7']).toMatchObject({ phase: 'failed', failure: { step: 'wait-machine', reason: 'no host' } });
    expect(clusters['test-8']?.phase).toBe('objects');
    scope.closeJournal();
  });

  it('an operation reading through state() sees the phase it just recorded, and the tick writes nothing more', async () => {
    const { scope, writes } = scopeWith(3);
    scope.record('test-2', 'ready');
    expect(scope.state().clusters['test-2']?.phase).toBe('ready');
    expect(writes()).toBe(1);
    await Promise.resolve();
    expect(writes()).toBe(1);
    scope.closeJournal();
  });

  it('a change to a cluster removed before the tick ends does not bring it back', async () => {
    const { scope, store } = scopeWith(2);
    scope.record('test-1', 'deleted');
    removeCluster(store, 'test-1');
    await Promise.resolve();
    expect(store.getState().clusters['test-1']).toBeUndefined();
    expect(store.getState().clusters['test-2']?.phase).toBe('queued');
    scope.closeJournal();
  });
});
