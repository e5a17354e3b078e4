// The SIGKILL kill matrix, CI size: a few seeds, each SIGKILLing the real `scale-tui create`,
// `create --resume` and `delete --all --yes` at seeded points (kill-matrix.ts says what is
// checked). SCALE_TUI_KILL_SEEDS=7,42 (or =random:5) picks the seeds; each test's name is
// its seed and plan, so a failure is replayed with SCALE_TUI_KILL_SEEDS=<that seed>. The
// 20-seed run is test/soak/kill-matrix.soak.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEtcd } from '../support/etcd-server.js';
import { freePortBlock } from '../support/ports.js';
import {
  cliTarget,
  describePlan,
  killMatrixRound,
  planFor,
  runCli,
  seedsFromEnv,
  startMatrixWorld,
  summarize,
  sweepSeed,
  type MatrixWorld,
} from './kill-matrix.js';

const skip = requireEtcd();
// Chosen so CI covers both topologies, line and delay kills, a killed resume, and a
// multi-batch run whose later batches a kill leaves unallocated.
const plans = seedsFromEnv([3, 14, 23]).map((seed) => planFor(seed, { minCount: 8, maxCount: 8 }));
let m: MatrixWorld;

beforeAll(async () => {
  if (skip) return;
  m = await startMatrixWorld();
}, 90_000);
afterAll(async () => {
  await m?.stop();
}, 120_000);

describe.skipIf(skip)('kill matrix: SIGKILL the real binary mid-create, mid-resume, mid-delete', () => {
  it.each(plans.map((p) => [describePlan(p), p] as const))(
    '%s',
    async (_name, plan) => {
      const r = await killMatrixRound(m, plan);
      console.log(summarize(r));
      if (r.problems.length) await sweepSeed(m, plan.seed);
      expect(r.problems).toEqual([]);
      // A round whose every kill point came after its process had finished tested nothing.
      expect(r.kills).toBeGreaterThan(0);
      expect(r.ready + r.failed).toBe(plan.count);
    },
    400_000,
  );
});

describe.skipIf(skip)('kill matrix regressions, replayed deterministically', () => {
  // Seed 14 killed `delete --all` after km14-3's namespace had gone but before its 'deleted'
  // line: nothing was left on the API to adopt, so the next delete never chose it and it
  // stayed 'deleting' in status (with its key material) for good. Here the journal is
  // written in that state directly.
  it('delete --all finishes a cluster the journal has as deleting and the API no longer has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kill-matrix-reg-'));
    try {
      const basePort = await freePortBlock(2);
      const s = cliTarget(dir, { prefix: 'kmreg', topology: 'dedicated', batchSize: 1, concurrency: 1, basePort });
      const runId = '20250101T000000-0000';
      mkdirSync(join(s.state, 'runs', runId), { recursive: true });
      const events = [
        { t: 1, type: 'run-start', runId, topology: 'dedicated', context: 'x', versions: {} },
        { t: 2, type: 'batch-start', batchId: 'b1', requested: 1, backing: 'auto' },
        { t: 3, type: 'allocated', cluster: 'kmreg-1', number: 1, namespace: 'kmreg-1', batchId: 'b1' },
        { t: 4, type: 'phase', cluster: 'kmreg-1', phase: 'ready' },
        { t: 5, type: 'phase', cluster: 'kmreg-1', phase: 'deleting' },
      ];
      const journal = events.map((e) => `${JSON.stringify(e)}\n`).join('');
      writeFileSync(join(s.state, 'runs', runId, 'journal.jsonl'), journal);
      const del = await runCli(m, s, ['delete', '--all', '--yes']);
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toMatch(/deleted 1, failed 0/);
      const st = await runCli(m, s, ['status', '--json']);
      expect(st.code, st.stderr).toBe(0);
      expect((JSON.parse(st.stdout) as { clusters: unknown[] }).clusters).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
