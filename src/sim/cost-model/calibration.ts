// Calibration of the demo's cost model against the seed's published figures
// (SEED-SCRIPTS §16.1: minutes per 100 clusters, taken while adding clusters 10 at a time).
// Pure functions only: bench/calibration.ts drives the demo and feeds its batch times here,
// so the conversion (demo seconds / timeScale / 60 = modelled real minutes), the per-step
// ratio to the seed and the fit error are tested without running the demo.

/** One row of a seed table: minutes to go from `from` to `to` ready clusters. */
export interface SeedStep {
  from: number;
  to: number;
  minutes: number;
}

/**
 * SEED-SCRIPTS §16.1 Run A: default CAPI settings (v1.3-era code; concurrency raised to 100
 * only for the 500→600 step), management cluster as in the seed's v3 README.
 */
export const SEED_RUN_A: readonly SeedStep[] = [
  { from: 0, to: 100, minutes: 10 },
  { from: 100, to: 200, minutes: 15 },
  { from: 200, to: 300, minutes: 35 },
  { from: 300, to: 400, minutes: 30 },
  { from: 400, to: 500, minutes: 50 },
  { from: 500, to: 600, minutes: 15 },
  { from: 600, to: 700, minutes: 165 },
];

/** SEED-SCRIPTS §16.1 Run B: the §10 rate-limit/concurrency patch, 32-core management VM. */
export const SEED_RUN_B: readonly SeedStep[] = [
  { from: 0, to: 100, minutes: 10 },
  { from: 100, to: 200, minutes: 10 },
  { from: 200, to: 300, minutes: 15 },
  { from: 300, to: 400, minutes: 20 },
  { from: 400, to: 500, minutes: 25 },
  { from: 500, to: 600, minutes: 30 },
  { from: 600, to: 700, minutes: 30 },
  { from: 700, to: 800, minutes: 35 },
  { from: 800, to: 900, minutes: 35 },
  { from: 900, to: 1000, minutes: 45 },
];

/** One measured step of 100 clusters, in demo seconds and in modelled real minutes. */
export interface ModelStep {
  from: number;
  to: number;
  demoSeconds: number;
  modelMinutes: number;
}

/** Demo seconds to modelled real minutes: the demo runs 1/timeScale times faster than real. */
export function modelledMinutes(demoSeconds: number, timeScale: number): number {
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  return demoSeconds / timeScale / 60;
}

/**
 * Sums consecutive batch times (each batch of `batchSize` clusters, in demo seconds) into
 * steps of `stepSize` clusters. A last partial step is left out: the seed has none.
 */
export function stepsOf(batchSeconds: number[], batchSize: number, stepSize: number, timeScale: number): ModelStep[] {
  if (stepSize % batchSize !== 0) throw new RangeError(`step ${stepSize} is not a multiple of batch ${batchSize}`);
  const per = stepSize / batchSize;
  const steps: ModelStep[] = [];
  for (let i = 0; i + per <= batchSeconds.length; i += per) {
    const demoSeconds = batchSeconds.slice(i, i + per).reduce((a, b) => a + b, 0);
    const from = (i / per) * stepSize;
    steps.push({ from, to: from + stepSize, demoSeconds, modelMinutes: modelledMinutes(demoSeconds, timeScale) });
  }
  return steps;
}

export interface StepComparison {
  from: number;
  to: number;
  modelMinutes: number;
  seedMinutes: number;
  /** model / seed. */
  ratio: number;
}

/** Each model step beside the seed step with the same bounds (steps the seed lacks are left out). */
export function compareSteps(model: ModelStep[], seed: readonly SeedStep[]): StepComparison[] {
  const out: StepComparison[] = [];
  for (const m of model) {
    const s = seed.find((x) => x.from === m.from && x.to === m.to);
    if (!s) continue;
    out.push({
      from: m.from,
      to: m.to,
      modelMinutes: m.modelMinutes,
      seedMinutes: s.minutes,
      ratio: m.modelMinutes / s.minutes,
    });
  }
  return out;
}

/**
 * The fit error: the largest factor by which any step is off, either way (1 = exact,
 * 2 = some step took twice or half the seed's time). A factor, not a difference, because
 * the seed's steps range from 10 to 165 minutes and are rounded to 5.
 */
export function fitError(comparisons: StepComparison[]): number {
  if (comparisons.length === 0) return Number.POSITIVE_INFINITY;
  return Math.max(...comparisons.map((c) => (c.ratio >= 1 ? c.ratio : 1 / c.ratio)));
}
