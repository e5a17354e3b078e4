// Step quantiles from live store records (the progress pane's line) by nearest rank, and
// the pane showing them.
import { describe, expect, it } from 'vitest';
import { nearestRank, quantiles, secondsText, stepQuantiles } from '../../src/core/phase-quantiles.js';
import type { ClusterRecord } from '../../src/core/types.js';
import { initialView } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import { fullState, NOW } from '../ui/fixtures.js';

const rec = (i: number, t: Partial<ClusterRecord['transitions']>): ClusterRecord => ({
  name: `c${i}`,
  number: i,
  namespace: `c${i}`,
  batchId: 'b',
  phase: t.ready ? 'ready' : 'objects',
  transitions: { queued: 0, ...t },
});

describe('step quantiles', () => {
  it('are nearest-rank seconds from the objects step (else queueing) to each later step', () => {
    // 10 clusters: objects at 1000 i ms, api-up 5 i s later, ready 10 i s later; c11 only queued.
    const cs = Array.from({ length: 10 }, (_, k) => {
      const i = k + 1;
      return rec(i, { objects: 1000 * i, 'api-up': 1000 * i + 5000 * i, ready: 1000 * i + 10_000 * i });
    });
    cs.push(rec(11, {}));
    const q = stepQuantiles(cs);
    expect(q.map((x) => x.phase)).toEqual(['step:objects', 'step:api-up', 'step:ready']);
    expect(q[1]).toEqual({ phase: 'step:api-up', count: 10, p50: 25, p90: 45, p99: 50, max: 50 });
    expect(q[2]).toMatchObject({ p50: 50, p90: 90, p99: 100 });
    // c11 has no objects step: counted from queueing, it reached nothing after.
    expect(q[0]!.count).toBe(10);
  });

  it('nearest rank and the text form', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 99)).toBe(4);
    expect(nearestRank([], 50)).toBe(0);
    expect(quantiles('x', [3, 1, 2])).toEqual({ phase: 'x', count: 3, p50: 2, p90: 3, p99: 3, max: 3 });
    expect([0.25, 42, 750].map(secondsText)).toEqual(['250 ms', '42.0 s', '12.5 min']);
  });

  it('show in the progress pane', () => {
    // The UI fixture's ready clusters are queued, then ready 120 s later.
    const text = screenText(renderScreen(fullState(), initialView(), 160, 50, NOW, 'scale-tui'));
    expect(text).toContain('p50/p90/p99 from create: ready 120.0 s/120.0 s/120.0 s');
  });
});
