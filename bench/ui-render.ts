// TUI costs with 1000 clusters (issue 8 targets), on the real output path: the App under
// Ink (input only) with the row writer writing the screen (test/ui/mount-app.tsx):
//  1. a full frame, median under 16 ms at 80x24 and 200x60: from the App picking up the
//     trigger (its redraw tick reading a changed store, or a cursor key) to the frame's
//     bytes reaching the terminal's write() (the store-change figure with the wait for the
//     1 ms tick is printed beside it); the
//     old Ink output path (bench/ui-ink-reference.tsx) drawing the same screens is the
//     reference measured in the same run;
//  2. key-to-screen latency under 100 ms (? opens help, until the screen shows it);
//  3. heap over 1 hour of simulated updates (14,400 frames, each drawn by the App, with
//     phase changes, churn, throttling and log lines): no growth trend.
// Run: NODE_ENV=production node --expose-gc bin/run-ts.js bench/ui-render.ts (as the tool runs;
// React's development build retains per-render debug data and shows a heap trend of its own).
import { CREATE_PHASES } from '../src/core/types.js';
import {
  appendLog,
  pushThrottleLines,
  removeCluster,
  type ScaleStore,
  setPhase,
  upsertCluster,
} from '../src/state/store.js';
import { frameRows } from '../src/ui/app.js';
import { initialView } from '../src/ui/model/reducer.js';
import { renderScreen } from '../src/ui/screen.js';
import { fullState, NOW, storeWith } from '../test/ui/fixtures.js';
import { type MountedApp, mountApp } from '../test/ui/mount-app.js';
import { inkReference } from './ui-ink-reference.js';
import { type Check, verdict } from './verdict.js';

const FRAME_TARGET_MS = 16;
const KEY_TARGET_MS = 100;
/** "No growth trend": the second half's heap slope may not exceed this (GC noise). */
const HEAP_TREND_LIMIT_MIB_PER_HOUR = 2;
const checks: Check[] = [];
const sorted = (xs: number[]): number[] => xs.slice().sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;
if (process.env.NODE_ENV !== 'production')
  console.log("ui-render: NODE_ENV is not production: React development build, figures are not the tool's");

async function until(app: MountedApp, pred: (s: string) => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!pred(app.screen())) {
    if (Date.now() > end) throw new Error(`ui-render: the screen never showed ${what}:\n${app.screen()}`);
    await sleep(5);
  }
}

/** A phase change a run makes: the header's counts move on every call. */
function phaseFlipper(store: ScaleStore): () => void {
  const names = Object.keys(store.getState().clusters);
  const original = new Map(names.map((n) => [n, store.getState().clusters[n]!.phase]));
  let k = 0;
  return () => {
    const name = names[Math.floor(k / 2) % names.length]!;
    const back = original.get(name)!;
    setPhase(store, name, k % 2 === 1 ? back : back === 'failed' ? 'ready' : 'failed', Date.now());
    k++;
  };
}

// 1. Frames: store changes and cursor moves in turn, 40 ms apart.
for (const [cols, rows] of [
  [80, 24],
  [200, 60],
] as const) {
  const store = storeWith(fullState(1000));
  const change = phaseFlipper(store);
  const app = mountApp({ cols, rows, store });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  await sleep(100);
  const times: number[] = [];
  const fromChange: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < 150; i++) {
    const w = await app.frame(i % 2 === 1 ? () => app.press('j') : change);
    times.push(w.work);
    if (i % 2 === 0) fromChange.push(w.ms);
    sizes.push(w.bytes);
    await sleep(40);
  }
  app.unmount();

  const state = fullState(1000);
  const screen = (i: number) =>
    renderScreen(state, { ...initialView(), clusterCursor: i * 7 }, cols, frameRows(rows), NOW + i * 250, 'scale-tui');
  const ink = inkReference(cols, rows, screen(0));
  await sleep(50);
  const refTimes: number[] = [];
  const refSizes: number[] = [];
  for (let i = 1; i <= 60; i++) {
    const before = ink.sink.bytes;
    const t = performance.now();
    ink.draw(screen(i));
    refTimes.push(performance.now() - t);
    refSizes.push(ink.sink.bytes - before);
    await sleep(40);
  }
  ink.unmount();
  const m = median(times);
  const ref = median(refTimes);
  console.log(
    `ui-render frame ${cols}x${rows}, 1000 clusters, all panes: median ${m.toFixed(2)} ms, p95 ${sorted(times)[Math.floor(times.length * 0.95)]!.toFixed(2)} ms (store change to bytes, with the 1 ms tick: median ${median(fromChange).toFixed(2)} ms), terminal bytes per frame median ${median(sizes)}; old Ink path ${ref.toFixed(2)} ms and ${median(refSizes)} bytes a frame (${(ref / m).toFixed(1)}x slower); target ${FRAME_TARGET_MS} ms, ratio ${(m / FRAME_TARGET_MS).toFixed(2)}`,
  );
  checks.push({
    what: `frame ${cols}x${rows} median ${m.toFixed(2)} ms < ${FRAME_TARGET_MS} ms`,
    met: m < FRAME_TARGET_MS,
  });
}

// 2. Key to screen, at the TUI's own 250 ms redraw tick.
{
  const app = mountApp({ cols: 200, rows: 60, store: storeWith(fullState(1000)), frameMs: 250 });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  const keyToScreen = async (key: string, pred: (s: string) => boolean): Promise<number> => {
    let w = await app.frame(() => app.press(key));
    while (!pred(app.screen())) w = await app.more();
    return w.ms;
  };
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) {
    lat.push(await keyToScreen('?', (s) => s.includes('esc, ? or q closes')));
    await sleep(30);
    await keyToScreen('\u001b', (s) => !s.includes('esc, ? or q closes'));
    await sleep(30);
  }
  app.unmount();
  console.log(
    `ui-render key to screen (? opens help, 1000 clusters): median ${median(lat).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms; target ${KEY_TARGET_MS} ms, ratio ${(median(lat) / KEY_TARGET_MS).toFixed(2)}`,
  );
  checks.push({
    what: `key to screen median ${median(lat).toFixed(1)} ms < ${KEY_TARGET_MS} ms`,
    met: median(lat) < KEY_TARGET_MS,
  });
}

// 3. One simulated hour: 14,400 store updates (the 250 ms tick's count in an hour), each
// drawn by the App before the next.
{
  const store = storeWith(fullState(1000));
  const app = mountApp({ cols: 200, rows: 60, store });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  const flip = phaseFlipper(store);
  let next = 1001;
  const samples: Array<[number, number]> = [];
  const FRAMES = 14_400;
  const started = performance.now();
  for (let f = 0; f < FRAMES; f++) {
    await app.frame(() => {
      const now = Date.now();
      const names = Object.keys(store.getState().clusters);
      for (let k = 0; k < 5; k++)
        setPhase(store, names[(f * 5 + k) % names.length]!, CREATE_PHASES[(f + k) % CREATE_PHASES.length]!, now);
      if (f % 10 === 0) {
        removeCluster(store, names[f % names.length]!);
        const n = next++;
        upsertCluster(store, {
          name: `test-${n}`,
          number: n,
          namespace: `test-${n}`,
          batchId: 'b2',
          phase: 'queued',
          transitions: { queued: now },
        });
      }
      pushThrottleLines(store, [
        {
          t: now,
          controller: 'kcp',
          waitMs: 100 + (f % 900),
          verb: 'GET',
          path: `/api/v1/namespaces/test-${f % 1000}/secrets/x`,
          raw: '',
        },
      ]);
      if (f % 4 === 0) appendLog(store, 'info', `cluster test-${f % 1000} moved on`, now);
      flip();
    });
    if (f % 240 === 0) {
      gc?.();
      samples.push([f / FRAMES, process.memoryUsage().heapUsed / 2 ** 20]);
    }
  }
  app.unmount();
  const n = samples.length;
  const mx = samples.reduce((a, [x]) => a + x, 0) / n;
  const my = samples.reduce((a, [, y]) => a + y, 0) / n;
  const slope =
    samples.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / samples.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const second = samples.slice(Math.floor(n / 2));
  const slope2 = (second[second.length - 1]![1] - second[0]![1]) / (second[second.length - 1]![0] - second[0]![0]);
  console.log(
    `ui-render 1 simulated hour (${FRAMES} frames drawn by the App, ${next - 1001} clusters churned, ${((performance.now() - started) / 1000).toFixed(0)} s): heap ${samples[0]![1].toFixed(1)} -> ${samples[n - 1]![1].toFixed(1)} MiB, trend ${slope.toFixed(2)} MiB/hour overall, ${slope2.toFixed(2)} MiB/hour over the second half${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  checks.push({
    what: `heap trend over the second simulated half-hour ${slope2.toFixed(2)} MiB/hour <= ${HEAP_TREND_LIMIT_MIB_PER_HOUR}${gc ? '' : ' (no --expose-gc: not exact)'}`,
    met: slope2 <= HEAP_TREND_LIMIT_MIB_PER_HOUR,
  });
}
verdict('ui-render', checks);
