// TUI costs of the diagnosis views (issue 18 targets), with 1000 clusters on a 200x60
// terminal:
//  1. frame median under 16 ms for the main screen, the cluster detail page and the log
//     viewer over a 10,000-line log (following, wrapped and scrolled, filtered). A frame is
//     timed on the real output path end to end: the App under Ink (input) with the row
//     writer (output), from the App picking up the trigger (its redraw tick reading the
//     changed store, or the key) to the frame's bytes reaching the terminal's write(). The
//     figure from the store change itself, which adds the wait for the tick (1 ms here,
//     250 ms in the TUI: the coalescing of a busy store, by design), is printed beside it.
//     The reference, measured in the same run, is the old Ink output path
//     (bench/ui-ink-reference.tsx) drawing the same kind of frame;
//  2. key to screen under 50 ms: enter opens the detail page, l the log viewer, esc returns
//     (key written to stdin until the screen, replayed on a virtual terminal, shows it);
//  3. heap flat over one simulated hour (14,400 frames, each a store change drawn by the
//     App) with the log viewer following a busy 10,000-line log and the detail page open.
// Run: NODE_ENV=production node --expose-gc bin/run-ts.js bench/ui-diagnosis.ts
import { type LogLine, type ScaleStore, setPhase } from '../src/state/store.js';
import type { Phase } from '../src/core/types.js';
import { frameRows } from '../src/ui/app.js';
import { defaultKeymap } from '../src/ui/model/commands.js';
import { initialView, type ViewState } from '../src/ui/model/reducer.js';
import { renderScreen, type ScreenContext } from '../src/ui/screen.js';
import { describedCluster } from '../test/ui/fixture-detail.js';
import { fullState, logPage, NOW, storeWith } from '../test/ui/fixtures.js';
import { type MountedApp, mountApp } from '../test/ui/mount-app.js';
import { inkReference } from './ui-ink-reference.js';
import { type Check, verdict } from './verdict.js';

const FRAME_TARGET_MS = 16;
const KEY_TARGET_MS = 50;
const HEAP_TREND_LIMIT_MIB_PER_HOUR = 2;
const LOG_LINES = 10_000;
const [COLS, ROWS] = [200, 60];
const FRAMES = 100;
const checks: Check[] = [];
const sorted = (xs: number[]): number[] => xs.slice().sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]): number => sorted(xs)[Math.floor(xs.length * 0.95)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;
if (process.env.NODE_ENV !== 'production')
  console.log("ui-diagnosis: NODE_ENV is not production: React development build, figures are not the tool's");

const logLine = (i: number, t = NOW - (LOG_LINES - i) * 100): LogLine => ({
  t,
  level: i % 17 === 0 ? 'warn' : 'info',
  message: `test-${i % 1000}: step ${i % 7 === 0 ? 'wait-machine failed: no Machine after 600 s, the BareMetalHost worker stays in provisioning while the image is written' : 'done'} (${i})`,
});
const state = fullState(1000);
state.log = Array.from({ length: LOG_LINES }, (_, i) => logLine(i));
const failed = Object.values(state.clusters).find((c) => c.phase === 'failed')!.name;
const names = Object.keys(state.clusters);
const original = new Map(names.map((n) => [n, state.clusters[n]!.phase]));
const describe = async (c: string) => describedCluster(c);

/**
 * One store change as a run makes them: a cluster fails (on even calls) or gets its phase
 * back (odd), so the header's counts change, and a log line arrives; the log is kept at
 * 10,000 lines (a bounded buffer of that size; the store's own mutator keeps fewer).
 */
let changes = 0;
function storeChange(store: ScaleStore): void {
  const k = changes++;
  const name = names[Math.floor(k / 2) % names.length]!;
  const back = original.get(name)!;
  const phase: Phase = k % 2 === 1 ? back : back === 'failed' ? 'ready' : 'failed';
  setPhase(store, name, phase, Date.now());
  const line = logLine(LOG_LINES + k, Date.now());
  store.setState((s) => ({ log: s.log.slice(1).concat(line) }));
}

async function until(app: MountedApp, pred: (screen: string) => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!pred(app.screen())) {
    if (Date.now() > end) throw new Error(`ui-diagnosis: the screen never showed ${what}:\n${app.screen()}`);
    await sleep(5);
  }
}

async function typeKeys(app: MountedApp, keys: string[]): Promise<void> {
  for (const k of keys) {
    app.press(k);
    await sleep(20);
  }
}

// 1. Frames on the real path: one App per scenario, keys to reach the page, then FRAMES
// triggers 40 ms apart (past the 1 ms redraw tick and any throttle): store changes, and on
// pages that scroll every other trigger is a scroll key, so whole pages are rewritten too.
interface Scenario {
  name: string;
  setup: string[];
  shows: string;
  /** Keys taken in turn for the scrolling triggers (each must move the page). */
  scrollKeys?: string[];
  /** The same kind of frame for the old Ink path: the view on frame i. */
  view: (i: number) => ViewState;
}
const base = initialView();
const SCENARIOS: Scenario[] = [
  {
    name: 'main screen',
    setup: [],
    shows: 'Creation progress',
    scrollKeys: ['j'],
    view: (i) => ({ ...base, clusterCursor: i * 7 }),
  },
  {
    name: 'detail page',
    setup: [`:describe ${failed}`, '\r'],
    shows: `Cluster ${failed}`,
    // The fixture's page fits 200x60, so there is nothing to scroll: store changes only.
    view: (i) => ({ ...base, pages: [{ kind: 'detail', cluster: failed, scroll: i % 3 }] }),
  },
  {
    name: `log viewer ${LOG_LINES} lines following`,
    setup: ['l'],
    shows: 'Engine log',
    view: () => ({ ...base, pages: [logPage()] }),
  },
  {
    name: `log viewer ${LOG_LINES} lines wrapped, scrolled`,
    setup: ['l', 'w', 'k', 'k'],
    shows: 'not at the live end',
    scrollKeys: ['k'],
    view: (i) => ({ ...base, pages: [logPage({ wrap: true, follow: false, until: NOW, scroll: 100 + i * 37 })] }),
  },
  {
    name: `log viewer ${LOG_LINES} lines filtered`,
    setup: ['l', '/', 'test-7', '\r'],
    shows: 'test-7',
    scrollKeys: ['k'],
    view: (i) => ({ ...base, pages: [logPage({ filter: `test-${i % 100}:` })] }),
  },
];

const sctx: ScreenContext = {
  keymap: defaultKeymap(),
  readOnly: false,
  faults: [],
  details: new Map([[failed, { loading: false, description: describedCluster(failed) }]]),
};

async function oldInkPath(view: (i: number) => ViewState): Promise<number> {
  const screen = (i: number) => renderScreen(state, view(i), COLS, frameRows(ROWS), NOW + i * 250, 'scale-tui', sctx);
  const ink = inkReference(COLS, ROWS, screen(0));
  await sleep(50);
  const times: number[] = [];
  for (let i = 1; i <= 60; i++) {
    const t = performance.now();
    ink.draw(screen(i));
    times.push(performance.now() - t);
    await sleep(40);
  }
  ink.unmount();
  return median(times);
}

for (const sc of SCENARIOS) {
  const store = storeWith({ ...state, log: state.log.slice() });
  const app = mountApp({ cols: COLS, rows: ROWS, store, detail: { describe } });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  await typeKeys(app, sc.setup);
  await until(app, (s) => s.includes(sc.shows), sc.shows);
  await sleep(100);
  const times: number[] = [];
  const fromChange: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const keys = sc.scrollKeys;
    const key = keys && i % 2 === 1 ? keys[((i - 1) / 2) % keys.length]! : undefined;
    const w = await app.frame(key ? () => app.press(key) : () => storeChange(store)).catch((err: Error) => {
      throw new Error(`ui-diagnosis: ${sc.name}, trigger ${i} (${key ?? 'store change'}): ${err.message}`);
    });
    times.push(w.work);
    if (!key) fromChange.push(w.ms);
    bytes.push(w.bytes);
    await sleep(40);
  }
  if (!app.screen().includes(sc.shows)) throw new Error(`ui-diagnosis: ${sc.name} left its page:\n${app.screen()}`);
  app.unmount();
  const ref = await oldInkPath(sc.view);
  const m = median(times);
  console.log(
    `ui-diagnosis frame 200x60 ${sc.name}: median ${m.toFixed(2)} ms, p95 ${p95(times).toFixed(2)} ms (store change to bytes, with the 1 ms tick: median ${median(fromChange).toFixed(2)} ms), bytes median ${median(bytes)}; old Ink path ${ref.toFixed(2)} ms (${(ref / m).toFixed(1)}x slower); target ${FRAME_TARGET_MS} ms, ratio ${(m / FRAME_TARGET_MS).toFixed(2)}`,
  );
  checks.push({
    what: `frame 200x60 ${sc.name} median ${m.toFixed(2)} ms < ${FRAME_TARGET_MS} ms`,
    met: m < FRAME_TARGET_MS,
  });
}

// 2. Key to screen, on the same App and path.
{
  const store = storeWith({ ...state, log: state.log.slice() });
  const app = mountApp({ cols: COLS, rows: ROWS, store, detail: { describe }, frameMs: 250 });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  const keyToScreen = async (key: string, pred: (s: string) => boolean): Promise<number> => {
    let w = await app.frame(() => app.press(key));
    while (!pred(app.screen())) w = await app.more();
    return w.ms;
  };
  const lat: Record<string, number[]> = { 'enter (detail page)': [], 'l (log viewer)': [], 'esc (back)': [] };
  for (let i = 0; i < 15; i++) {
    lat['enter (detail page)']!.push(await keyToScreen('\r', (s) => s.includes('Cluster test-1 ')));
    await sleep(30);
    lat['esc (back)']!.push(await keyToScreen('\u001b', (s) => s.includes('Creation progress')));
    await sleep(30);
    lat['l (log viewer)']!.push(await keyToScreen('l', (s) => s.includes('Engine log')));
    await sleep(30);
    await keyToScreen('\u001b', (s) => s.includes('Creation progress'));
    await sleep(30);
  }
  app.unmount();
  for (const [k, xs] of Object.entries(lat)) {
    const m = median(xs);
    console.log(
      `ui-diagnosis key to screen ${k}, 1000 clusters, ${LOG_LINES}-line log: median ${m.toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms; target ${KEY_TARGET_MS} ms, ratio ${(m / KEY_TARGET_MS).toFixed(2)}`,
    );
    checks.push({ what: `key to screen ${k} median ${m.toFixed(1)} ms < ${KEY_TARGET_MS} ms`, met: m < KEY_TARGET_MS });
  }
}

// 3. One simulated hour: 14,400 frames (the 250 ms tick's count in an hour) drawn back to
// back by the App, each a store change (4 log lines, the buffer held at 10,000, and a phase
// change); the log viewer and the detail page (re-read every 3 s of real time) on screen in
// turn, switched by keys every 1200 frames.
{
  const HOUR = 14_400;
  const store = storeWith({ ...state, log: state.log.slice() });
  const app = mountApp({ cols: COLS, rows: ROWS, store, detail: { describe } });
  await until(app, (s) => s.includes('Creation progress'), 'the main screen');
  await app.inputReady();
  const started = performance.now();
  const samples: Array<[number, number]> = [];
  for (let f = 0; f < HOUR; f++) {
    if (f % 1200 === 0) {
      await typeKeys(app, ['\u001b', ...(f % 2400 === 0 ? ['l'] : [`:describe ${failed}`, '\r'])]);
      await until(app, (s) => s.includes(f % 2400 === 0 ? 'Engine log' : `Cluster ${failed}`), 'the page');
    }
    await app.frame(() => {
      const more = Array.from({ length: 3 }, (_, k) => logLine(LOG_LINES + f * 4 + k, Date.now()));
      store.setState((s) => ({ log: s.log.slice(more.length).concat(more) }));
      storeChange(store);
    });
    if (f % 240 === 0) {
      gc?.();
      samples.push([f / HOUR, process.memoryUsage().heapUsed / 2 ** 20]);
    }
  }
  app.unmount();
  const n = samples.length;
  const second = samples.slice(Math.floor(n / 2));
  const slope2 = (second[second.length - 1]![1] - second[0]![1]) / (second[second.length - 1]![0] - second[0]![0]);
  console.log(
    `ui-diagnosis 1 simulated hour (${HOUR} frames drawn by the App, log viewer and detail page, ${((performance.now() - started) / 1000).toFixed(0)} s): heap ${samples[0]![1].toFixed(1)} -> ${samples[n - 1]![1].toFixed(1)} MiB, ${slope2.toFixed(2)} MiB/hour over the second half${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  checks.push({
    what: `heap trend over the second simulated half-hour ${slope2.toFixed(2)} MiB/hour <= ${HEAP_TREND_LIMIT_MIB_PER_HOUR}${gc ? '' : ' (no --expose-gc: not exact)'}`,
    met: slope2 <= HEAP_TREND_LIMIT_MIB_PER_HOUR,
  });
}
verdict('ui-diagnosis', checks);
