// The controller log buffers (issue 18): every followed line of every controller goes to
// the store, each controller's buffer cut to its newest 2,000 lines, in one store write per
// 100 ms flush (src/metrics/log-tail.ts). Measured in one run, with one store subscriber as
// the UI has: 10 controllers each writing 100 lines/s (a busy manager at -v=3) for 10
// simulated minutes, against the reference of the same run: the throttling tail alone
// (what the store kept before), 100 lines per flush.
// Targets: a flush (100 lines, 10 buffers) has a median under 1 ms, i.e. under 1% of the
// flush period on one core; the heap after the buffers are full grows by under 2 MiB over
// the second half; every buffer holds exactly the limit at the end.
// Run: node --expose-gc bin/run-ts.js bench/controller-log-tail.ts
import { LogTailBatcher } from '../src/metrics/log-tail.js';
import { CONTROLLER_LOG_LIMIT, createScaleStore, pushThrottleLines, type ThrottleLine } from '../src/state/store.js';
import { type Check, verdict } from './verdict.js';

const CONTROLLERS = 10;
const LINES_PER_FLUSH = 10; // per controller: 100 lines/s at a 100 ms flush
const FLUSHES = 6000; // 10 simulated minutes
const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const line = (c: number, n: number): string =>
  `I1203 16:00:00.${String(n % 1e6).padStart(6, '0')}       1 controller.go:220] "Reconciling" controller="c${c}" namespace="test-${n % 1000}" name="test-${n % 1000}" reconcileID="${n.toString(16)}"`;

function reference(): number[] {
  const store = createScaleStore();
  store.subscribe(() => {});
  const times: number[] = [];
  let n = 0;
  for (let f = 0; f < FLUSHES; f++) {
    const batch: ThrottleLine[] = [];
    for (let i = 0; i < CONTROLLERS * LINES_PER_FLUSH; i++)
      batch.push({ t: n, controller: `c${i % CONTROLLERS}`, waitMs: 60, verb: 'GET', path: '/x', raw: line(i, n++) });
    const t0 = performance.now();
    pushThrottleLines(store, batch);
    times.push(performance.now() - t0);
  }
  return times;
}

function buffers(): { times: number[]; heapMid: number; heapEnd: number; sizes: number[] } {
  const store = createScaleStore();
  store.subscribe(() => {});
  const tail = new LogTailBatcher(store, CONTROLLER_LOG_LIMIT, 3_600_000);
  const times: number[] = [];
  let n = 0;
  let heapMid = 0;
  for (let f = 0; f < FLUSHES; f++) {
    for (let c = 0; c < CONTROLLERS; c++)
      for (let i = 0; i < LINES_PER_FLUSH; i++)
        tail.controllerLine(`c${c}`, { t: n, pod: `c${c}-pod`, text: line(c, n++) });
    const t0 = performance.now();
    tail.flush();
    times.push(performance.now() - t0);
    if (f === FLUSHES / 2) heapMid = heapMiB();
  }
  const heapEnd = heapMiB();
  return { times, heapMid, heapEnd, sizes: Object.values(store.getState().controllerLogs).map((l) => l.length) };
}

const ref = reference();
const got = buffers();
const refMs = median(ref);
const flushMs = median(got.times);
console.log(`controller log buffers: ${CONTROLLERS} controllers x ${LINES_PER_FLUSH * 10} lines/s, ${FLUSHES} flushes`);
console.log(
  `  reference (throttling tail only, ${CONTROLLERS * LINES_PER_FLUSH} lines/flush): median ${refMs.toFixed(3)} ms`,
);
console.log(
  `  controller buffers (+ ${CONTROLLERS} x ${CONTROLLER_LOG_LIMIT}-line buffers): median ${flushMs.toFixed(3)} ms`,
);
console.log(`  ratio to the reference: ${(flushMs / Math.max(refMs, 1e-6)).toFixed(2)}x`);
console.log(
  `  heap at half ${got.heapMid.toFixed(1)} MiB, at the end ${got.heapEnd.toFixed(1)} MiB${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
);
const checks: Check[] = [
  { what: `flush median ${flushMs.toFixed(3)} ms < 1 ms (1% of the 100 ms period)`, met: flushMs < 1 },
  {
    what: `heap growth over the second half ${(got.heapEnd - got.heapMid).toFixed(2)} MiB < 2 MiB`,
    met: got.heapEnd - got.heapMid < 2,
  },
  {
    what: `every buffer holds the limit (${CONTROLLER_LOG_LIMIT}): ${[...new Set(got.sizes)].join(',')}`,
    met: got.sizes.length === CONTROLLERS && got.sizes.every((s) => s === CONTROLLER_LOG_LIMIT),
  },
];
verdict('controller-log-tail', checks);
