// client-go v0.33+ throttling log cadence (UPSTREAM-ANCHORS §6): V(3) logs every wait over
// 50 ms; below V(3) only waits over 1 s, at most once per 10 s at V(0) and once per second at V(2).
import { describe, expect, it } from 'vitest';
import { ThrottleLogger } from '../../../src/sim/controllers/klog.js';

function run(verbosity: number, waits: Array<[atMs: number, waitMs: number]>): number[] {
  let now = 0;
  const log = new ThrottleLogger(verbosity, () => now);
  const printed: number[] = [];
  for (const [at, wait] of waits) {
    now = at;
    if (log.shouldLog(wait)) printed.push(at);
  }
  return printed;
}

describe('throttling log cadence', () => {
  const waits: Array<[number, number]> = [
    [0, 60],
    [100, 1200],
    [200, 1500],
    [5_000, 3000],
    [10_099, 1100],
    [10_101, 1100],
    [10_500, 900],
  ];
  it('at default verbosity: only waits over 1 s, at most one line per 10 s', () => {
    expect(run(0, waits)).toEqual([100, 10_101]);
  });
  it('at V(2): waits over 1 s, at most one line per second', () => {
    expect(run(2, waits)).toEqual([100, 5_000, 10_099]);
  });
  it('at V(3): every wait over 50 ms', () => {
    expect(run(3, waits)).toEqual([0, 100, 200, 5_000, 10_099, 10_101, 10_500]);
  });
  it('follows a verbosity changed at run time (PUT /debug/flags/v)', () => {
    let v = 0;
    let now = 0;
    const log = new ThrottleLogger(
      () => v,
      () => now,
    );
    expect(log.shouldLog(200)).toBe(false);
    v = 3;
    now = 1;
    expect(log.shouldLog(200)).toBe(true);
  });
});
