// The SIGKILL kill matrix at soak size: 20 seeds x 8-12 clusters, the real binary SIGKILLed
// mid-create, mid-resume and mid-delete (test/reliability/kill-matrix.ts says what is
// checked). Runs only with SCALE_TUI_SOAK=1 (`npm run test:soak`); SCALE_TUI_KILL_SEEDS
// replaces the seeds (e.g. =random:20). The CI variant is test/reliability/kill-matrix.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEtcd } from '../support/etcd-server.js';
import {
  describePlan,
  killMatrixRound,
  planFor,
  seedsFromEnv,
  startMatrixWorld,
  summarize,
  sweepSeed,
  type MatrixResult,
  type MatrixWorld,
} from '../reliability/kill-matrix.js';

const soak = process.env.SCALE_TUI_SOAK === '1';
const skip = soak ? requireEtcd() : 'soak off';
const seeds = seedsFromEnv(Array.from({ length: 20 }, (_, i) => 100 + i));
const plans = seeds.map((seed) => planFor(seed, { minCount: 8, maxCount: 12 }));
let m: MatrixWorld;
const results: MatrixResult[] = [];

describe.skipIf(skip)(`soak: SIGKILL kill matrix, ${plans.length} seeds x 8-12 clusters`, () => {
  beforeAll(async () => {
    m = await startMatrixWorld();
  }, 90_000);
  afterAll(async () => {
    const sum = (f: (r: MatrixResult) => number): number => results.reduce((n, r) => n + f(r), 0);
    const bad = results.filter((r) => r.problems.length).map((r) => r.plan.seed);
    console.log(
      `kill-matrix soak: ${results.length} seeds, ${sum((r) => r.kills)} SIGKILLs, ${sum((r) => r.ready)} ready, ` +
        `${sum((r) => r.failed)} cleanly failed, seeds with problems: ${bad.length ? bad.join(',') : 'none'}`,
    );
    await m?.stop();
  }, 120_000);

  it.each(plans.map((p) => [describePlan(p), p] as const))(
    '%s',
    async (_name, plan) => {
      const r = await killMatrixRound(m, plan);
      results.push(r);
      console.log(summarize(r));
      if (r.problems.length) await sweepSeed(m, plan.seed);
      expect(r.problems).toEqual([]);
      expect(r.kills).toBeGreaterThan(0);
      expect(r.ready + r.failed).toBe(plan.count);
    },
    600_000,
  );
});
