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
// usage: node bin/run-ts.js bench/calibration.ts [clusters=200] [--defaults] [--time-scale=0.1] [--node-port-base=31000]
import { execFileSync } from 'node:child_process';
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
const timeScale = Number(flag('time-scale') ?? DEFAULT_COST_MODEL.timeScale);
const nodePortBase = Number(flag('node-port-base') ?? 31000);
const model = withTimeScale(DEFAULT_COST_MODEL, timeScale);
const load = (): string =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load average: /, 'load ');

// One backing cluster per 100 workload clusters, as the seed's Run B (10 × 100).
const world = await startDemoWorld({
  clusters,
  backing: clusters / STEP,
  headless: true,
  concurrency: BATCH,
  model,
  args: seedPatch ? { ...SEED_PATCH_ARGS } : {},
  nodePortBase,
});
console.log(
  `calibration: ${clusters} clusters in batches of ${BATCH}, ${clusters / STEP} backing, timeScale ${timeScale}, controllers ${seedPatch ? 'with the seed §10 patch (Run B)' : 'at v1.14 defaults'}; startup ${(world.startupMs / 1000).toFixed(1)} s; ${load()}`,
);
console.log(`model: ${model.upstream}`);

const batchSeconds: number[] = [];
const batchCpu: number[] = [];
let failed = 0;
for (let done = 0; done < clusters; done += BATCH) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const summary = await world.engine.addBatch({ count: BATCH });
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  batchSeconds.push(s);
  batchCpu.push((cpu.user + cpu.system) / 1e6);
  failed += summary.failed;
  console.log(
    `  ${done}-${done + BATCH}: ${s.toFixed(1)} demo s = ${modelledMinutes(s, timeScale).toFixed(1)} modelled min; demo CPU ${(batchCpu.at(-1) ?? 0).toFixed(1)} s; ready ${summary.ready}, failed ${summary.failed}; ${load()}`,
  );
}
await world.stop();

const steps = stepsOf(batchSeconds, BATCH, STEP, timeScale);
const vsB = compareSteps(steps, SEED_RUN_B);
console.log('');
console.log('| clusters | demo s | demo CPU s | model min | seed Run A min | seed Run B min | model / Run B |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [i, st] of steps.entries()) {
  const per = STEP / BATCH;
  const cpu = batchCpu.slice(i * per, (i + 1) * per).reduce((a, b) => a + b, 0);
  const a = SEED_RUN_A.find((x) => x.from === st.from)?.minutes;
  const b = vsB.find((x) => x.from === st.from);
  console.log(
    `| ${st.from}–${st.to} | ${st.demoSeconds.toFixed(1)} | ${cpu.toFixed(1)} | ${st.modelMinutes.toFixed(1)} | ${a ?? ''} | ${b?.seedMinutes ?? ''} | ${b ? b.ratio.toFixed(2) : ''} |`,
  );
}
const err = fitError(vsB);
console.log(`fit error vs Run B: ${err.toFixed(2)}x (largest factor any step is off); ${load()}`);
verdict('calibration', [
  { what: `failed clusters ${failed} = 0`, met: failed === 0 },
  { what: `fit error vs seed Run B ${err.toFixed(2)}x <= ${FIT_BOUND}x`, met: err <= FIT_BOUND },
]);
