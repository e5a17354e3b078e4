// The calibration's arithmetic (bench/calibration.ts prints what these functions return):
// demo seconds to modelled real minutes, batches of 10 summed per 100 clusters, each step
// set beside the seed's, and the fit error as the largest factor off either way.
import { describe, expect, it } from 'vitest';
import {
  SEED_RUN_A,
  SEED_RUN_B,
  compareSteps,
  fitError,
  modelledMinutes,
  stepsOf,
} from '../../../src/sim/cost-model/calibration.js';

describe('cost-model calibration', () => {
  it('converts demo seconds to modelled real minutes through timeScale', () => {
    expect(modelledMinutes(60, 0.1)).toBe(10);
    expect(modelledMinutes(30, 0.5)).toBe(1);
    expect(() => modelledMinutes(1, 0)).toThrow(/timeScale/);
  });

  it('sums batches of 10 into steps of 100 and leaves a partial step out', () => {
    const batches = [...Array(10).fill(6), ...Array(10).fill(9), 5, 5];
    const steps = stepsOf(batches, 10, 100, 0.1);
    expect(steps.map((s) => [s.from, s.to, s.demoSeconds, s.modelMinutes])).toEqual([
      [0, 100, 60, 10],
      [100, 200, 90, 15],
    ]);
    expect(() => stepsOf(batches, 30, 100, 0.1)).toThrow(/multiple/);
  });

  it("sets each step beside the seed's and reports the largest factor off either way", () => {
    const steps = stepsOf([...Array(10).fill(12), ...Array(10).fill(3), ...Array(10).fill(9)], 10, 100, 0.1);
    const vsB = compareSteps(steps, SEED_RUN_B);
    expect(vsB.map((c) => [c.seedMinutes, c.ratio])).toEqual([
      [10, 2],
      [10, 0.5],
      [15, 1],
    ]);
    expect(fitError(vsB)).toBe(2);
    expect(fitError(compareSteps(steps, SEED_RUN_A).slice(2))).toBeCloseTo(35 / 15);
    expect(fitError([])).toBe(Number.POSITIVE_INFINITY);
  });

  it('holds the seed tables of SEED-SCRIPTS §16.1 (Run B totals about 255 min)', () => {
    expect(SEED_RUN_B.reduce((a, s) => a + s.minutes, 0)).toBe(255);
    expect(SEED_RUN_A.map((s) => s.minutes)).toEqual([10, 15, 35, 30, 50, 15, 165]);
  });
});
