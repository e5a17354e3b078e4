// The store's named mutators are its only writers: nothing outside src/state calls setState
// (engine.ts did five times, metrics/sampler.ts once), and the new mutators keep what they
// do not replace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addBatch,
  createScaleStore,
  endBatch,
  recordSample,
  startRun,
  type ControllerStatus,
  type ThrottleStats,
} from '../../src/state/store.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('store writers', () => {
  it('no module outside src/state calls setState', () => {
    const writers = sources('src')
      .filter((f) => !f.startsWith(join('src', 'state')))
      .filter((f) => /\.setState\(/.test(readFileSync(f, 'utf8')));
    expect(writers).toEqual([]);
  });

  it('startRun records once; batches are added and ended by id', () => {
    const store = createScaleStore();
    const run = { runId: 'r1', context: 'c', topology: 'backing' as const, versions: {}, startedAt: 1 };
    expect(startRun(store, run as never)).toBe(true);
    expect(startRun(store, { ...run, runId: 'r2' } as never)).toBe(false);
    expect(store.getState().run?.runId).toBe('r1');
    addBatch(store, { id: 'b1', requested: 1, clusters: [], backing: 'auto', startedAt: 1 });
    addBatch(store, { id: 'b2', requested: 1, clusters: [], backing: 'auto', startedAt: 2 });
    endBatch(store, 'b1', 9);
    expect(store.getState().batches.map((b) => b.endedAt)).toEqual([9, undefined]);
  });

  it('recordSample replaces the rows it has and keeps the others', () => {
    const store = createScaleStore();
    const stats = (n: number) => ({ total: n }) as unknown as ThrottleStats;
    const ctl = (id: string) => ({ id }) as unknown as ControllerStatus;
    recordSample(store, {
      controllers: [ctl('capi'), ctl('kcp')],
      perController: { capi: stats(1), kcp: stats(2) },
      backing: [],
      timing: [],
      readyPerMinute: [1],
    });
    recordSample(store, {
      controllers: [ctl('capi')],
      perController: { capi: stats(5) },
      backing: [],
      timing: [],
      readyPerMinute: [1, 2],
    });
    const s = store.getState();
    expect(Object.keys(s.controllers).sort()).toEqual(['capi', 'kcp']);
    expect(s.throttling.perController).toEqual({ capi: stats(5), kcp: stats(2) });
    expect(s.readyPerMinute).toEqual([1, 2]);
  });
});
