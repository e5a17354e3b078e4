// Calibration of the demo's cost model against the seed (SEED-SCRIPTS §16.1), measured the
// way the seed measured: clusters are added 10 at a time, each batch of 10 waited for
// before the next starts (the seed's "at most 10 in flight, barrier every 10", §3.2). The
// demo time of every batch is summed per 100 clusters and converted to modelled real
// minutes (demo s / timeScale / 60), then printed beside seed Run A and Run B with the
// ratio to Run B, the curve the model is fitted to. It drives the demo's own headless
// engine (startDemoWorld), so the same queues, probes and costs produce the figures.
//
// The machine this runs on is shared: every figure is printed with `uptime`'s load and the
// demo process's own CPU seconds, because on a loaded host a step's demo time is partly the
// host's, not the model's (a step whose CPU share is near 100 % of one core is host-bound).
//
// Target: every 100-cluster step within a factor FIT_BOUND of Run B (exit 1 otherwise, or
// when a cluster fails). Why 2: the seed's figures are wall-clock approximations rounded to
// 5 minutes ("~10 min" can be 7.5-12.5), from a 32-core VM; this runs on 2 shared cores
// whose load moved one 10-cluster step by 8x in earlier runs (README). A tighter bound
// would test the host, a looser one would hide a model that is off by its own fault.
// With --time-scales=0.1,0.5 it runs the same clusters at both scales one after the other;
// the least compressed run is judged (the host's share grows with compression).
// usage: node bin/run-ts.js bench/calibration.ts [clusters=200] [--defaults] [--time-scales=0.5[,0.1]] [--cost-factor=1] [--node-port-base=31000]
import { execFileSync } from 'node:child_process';
import { CREATE_PHASES, type CreatePhase } from '../src/core/types.js';
import { startDemoWorld } from '../src/demo/run.js';
import { SEED_PATCH_ARGS } from '../src/demo/manifests.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../src/sim/cost-model/model.js';
import {
  SEED_RUN_A,
  SEED_RUN_B,
  compareSteps,
  fitError,
  modelledMinutes,
  stepsOf,
} from '../src/sim/cost-model/calibration.js';
import { verdict } from './verdict.js';

const BATCH = 10;
const STEP = 100;
/** Largest factor any step may be off Run B (see the header for why 2). */
const FIT_BOUND = 2;

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const clusters = Number(positional[0] ?? 200);
if (!Number.isInteger(clusters) || clusters < STEP || clusters % STEP !== 0) {
  console.error(`error: clusters must be a multiple of ${STEP} (got ${positional[0]})`);
  console.error(`fix: pass 100, 200 or 300; the seed's figures are per ${STEP} clusters`);
  process.exit(2);
}
const seedPatch = !process.argv.includes('--defaults');
// Several scales show how much of a step is the host's: compression multiplies the host's share.
// Default 0.5, not the demo's 0.1: at 0.1 the demo's own CPU (probes, resyncs at 10x their real
// rate per demo second) is most of each step on this machine, so the figure would be the host's.
const timeScales = (flag('time-scales') ?? '0.5').split(',').map(Number);
if (timeScales.some((t) => !(t > 0 && t <= 1))) {
  console.error(`error: --time-scales=${flag('time-scales')}: each scale must be in (0, 1]`);
  console.error('fix: e.g. --time-scales=0.1 or --time-scales=0.1,0.5');
  process.exit(2);
}
const nodePortBase = Number(flag('node-port-base') ?? 31000);
// --cost-factor=K multiplies every per-reconcile busy time (base and growth): how much the
// hand-set costs move the curve at this scale, before anyone fits them.
const costFactor = Number(flag('cost-factor') ?? 1);
if (!(costFactor > 0)) {
  console.error(`error: --cost-factor=${flag('cost-factor')}: must be a number > 0`);
  console.error('fix: e.g. --cost-factor=3');
  process.exit(2);
}
const load = (): string =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load average: /, 'load ');

interface Measured {
  timeScale: number;
  batchSeconds: number[];
  batchCpu: number[];
  failed: number;
}

/** One demo world at one time scale, clusters added 10 at a time with a barrier. */
async function measure(timeScale: number, portBase: number): Promise<Measured> {
  const base = withTimeScale(DEFAULT_COST_MODEL, timeScale);
  const model = {
    ...base,
    costs: Object.fromEntries(
      Object.entries(base.costs).map(([id, c]) => [
        id,
        { ...c, baseMs: c.baseMs * costFactor, perHundredMs: c.perHundredMs * costFactor },
      ]),
    ),
  };
  // One backing cluster per 100 workload clusters, as the seed's Run B (10 × 100).
  const world = await startDemoWorld({
    clusters,
    backing: clusters / STEP,
    headless: true,
    concurrency: BATCH,
    model,
    args: seedPatch ? { ...SEED_PATCH_ARGS } : {},
    nodePortBase: portBase,
  });
  console.log(
    `calibration: ${clusters} clusters in batches of ${BATCH}, ${clusters / STEP} backing, timeScale ${timeScale}, controllers ${seedPatch ? 'with the seed §10 patch (Run B)' : 'at v1.14 defaults'}, per-reconcile costs x${costFactor}; startup ${(world.startupMs / 1000).toFixed(1)} s; ${load()}`,
  );
  console.log(`model: ${model.upstream}`);
  const m: Measured = { timeScale, batchSeconds: [], batchCpu: [], failed: 0 };
  for (let done = 0; done < clusters; done += BATCH) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const summary = await world.engine.addBatch({ count: BATCH });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    m.batchSeconds.push(s);
    m.batchCpu.push((cpu.user + cpu.system) / 1e6);
    m.failed += summary.failed;
    console.log(
      `  ${done}-${done + BATCH}: ${s.toFixed(1)} demo s = ${modelledMinutes(s, timeScale).toFixed(1)} modelled min; demo CPU ${(m.batchCpu.at(-1) ?? 0).toFixed(1)} s; ready ${summary.ready}, failed ${summary.failed}; ${load()}`,
    );
  }
  // Where a cluster's time goes, phase by phase (mean demo s over all clusters): the engine's
  // own steps are host time; the controllers' steps are the model's delays plus the host's.
  const recs = Object.values(world.store.getState().clusters);
  const parts = CREATE_PHASES.slice(1).map((phase, i) => {
    const prev = CREATE_PHASES[i] as CreatePhase;
    const ds = recs
      .map((r) => (r.transitions[phase] ?? Number.NaN) - (r.transitions[prev] ?? Number.NaN))
      .filter((d) => Number.isFinite(d));
    return `${prev}->${phase} ${(ds.reduce((a, b) => a + b, 0) / Math.max(1, ds.length) / 1000).toFixed(2)}`;
  });
  console.log(`  mean demo s per phase: ${parts.join(', ')}`);
  // The slowest cluster's phases: a step far off the others is usually one cluster waiting.
  const slowest = recs
    .filter((r) => r.transitions.ready !== undefined && r.transitions.queued !== undefined)
    .sort((x, y) => y.transitions.ready! - y.transitions.queued! - (x.transitions.ready! - x.transitions.queued!))[0];
  if (slowest)
    console.log(
      `  slowest ${slowest.name}: ${CREATE_PHASES.slice(1)
        .map(
          (ph, i) =>
            `${ph} +${(((slowest.transitions[ph] ?? 0) - (slowest.transitions[CREATE_PHASES[i] as CreatePhase] ?? 0)) / 1000).toFixed(1)}`,
        )
        .join(', ')}`,
    );
  // Reconciles per cluster, per controller: with the busy time per reconcile, what the
  // hand-set costs can add to a step at all.
  const managers = [...world.sim.controllers.managers.values()];
  console.log(
    `  reconciles per cluster: ${managers.map((mg) => `${mg.identity.id} ${(mg.stats.reconciles / clusters).toFixed(1)}`).join(', ')}`,
  );
  await world.stop();
  return m;
}

const runs: Measured[] = [];
for (const [i, ts] of timeScales.entries()) runs.push(await measure(ts, nodePortBase + i * (clusters + 100)));

const per = STEP / BATCH;
const sum = (xs: number[], i: number) => xs.slice(i * per, (i + 1) * per).reduce((a, b) => a + b, 0);
for (const run of runs) {
  const steps = stepsOf(run.batchSeconds, BATCH, STEP, run.timeScale);
  const vsB = compareSteps(steps, SEED_RUN_B);
  console.log('');
  console.log(`timeScale ${run.timeScale}:`);
  console.log('| clusters | demo s | demo CPU s | model min | seed Run A min | seed Run B min | model / Run B |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, st] of steps.entries()) {
    const a = SEED_RUN_A.find((x) => x.from === st.from)?.minutes;
    const b = vsB.find((x) => x.from === st.from);
    console.log(
      `| ${st.from}–${st.to} | ${st.demoSeconds.toFixed(1)} | ${sum(run.batchCpu, i).toFixed(1)} | ${st.modelMinutes.toFixed(1)} | ${a ?? ''} | ${b?.seedMinutes ?? ''} | ${b ? b.ratio.toFixed(2) : ''} |`,
    );
  }
  console.log(`fit error vs Run B at timeScale ${run.timeScale}: ${fitError(vsB).toFixed(2)}x; ${load()}`);
}
// The least compressed run is judged: compression multiplies the host's share. The demo's
// probes and resyncs come 1/timeScale times as often per demo second, so its own CPU per
// step grows with the cluster count at 0.1 (5 s to 21 s per 10 clusters from 0 to 100 here)
// and stays flat at 0.5; the host's time is not a constant that two scales could subtract.
const judgedRun = runs.reduce((x, y) => (y.timeScale > x.timeScale ? y : x));
const judged = compareSteps(stepsOf(judgedRun.batchSeconds, BATCH, STEP, judgedRun.timeScale), SEED_RUN_B);
const err = fitError(judged);
const failed = runs.reduce((a, r) => a + r.failed, 0);
console.log(
  `fit error vs Run B at timeScale ${judgedRun.timeScale}: ${err.toFixed(2)}x (largest factor any step is off); ${load()}`,
);
verdict('calibration', [
  { what: `failed clusters ${failed} = 0`, met: failed === 0 },
  { what: `fit error vs seed Run B ${err.toFixed(2)}x <= ${FIT_BOUND}x`, met: err <= FIT_BOUND },
]);
