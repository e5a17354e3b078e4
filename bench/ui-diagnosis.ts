// TUI costs of the diagnosis views (issue 18 targets), with 1000 clusters:
//  1. frame median under 16 ms at 200x60 for the cluster detail page and the log viewer over
//     a 10,000-line log (wrapped, and filtered), measured beside the main screen in the same
//     run (the reference: the ratio says what the new views cost over it);
//  2. key to screen under 50 ms: enter opens the detail page, l the log viewer, esc returns
//     (Ink app, key written to stdin until the frame shows it);
//  3. heap flat over one simulated hour with the log viewer following a busy 10,000-line log
//     and the detail page re-read every 3 s.
// Run: NODE_ENV=production node --expose-gc bin/run-ts.js bench/ui-diagnosis.ts
import React from 'react';
import { render as inkRender } from 'ink';
import { Writable } from 'node:stream';
import { render } from 'ink-testing-library';
import type { LogLine } from '../src/state/store.js';
import { App, frameRows } from '../src/ui/app.js';
import { ScreenRows } from '../src/ui/components/lines.js';
import { defaultKeymap } from '../src/ui/model/commands.js';
import { initialView, type Page, type ViewState } from '../src/ui/model/reducer.js';
import { renderScreen, type ScreenContext } from '../src/ui/screen.js';
import { INK_RENDER_OPTIONS } from '../src/ui/index.js';
import { describedCluster } from '../test/ui/fixture-detail.js';
import { fullState, NOW, recordingIntents, storeWith } from '../test/ui/fixtures.js';
import { type Check, verdict } from './verdict.js';

const FRAME_TARGET_MS = 16;
const KEY_TARGET_MS = 50;
const HEAP_TREND_LIMIT_MIB_PER_HOUR = 2;
const LOG_LINES = 10_000;
const checks: Check[] = [];
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gc = (globalThis as { gc?: () => void }).gc;
if (process.env.NODE_ENV !== 'production')
  console.log("ui-diagnosis: NODE_ENV is not production: React development build, figures are not the tool's");

const logLine = (i: number): LogLine => ({
  t: NOW - (LOG_LINES - i) * 100,
  level: i % 17 === 0 ? 'warn' : 'info',
  message: `test-${i % 1000}: step ${i % 7 === 0 ? 'wait-machine failed: no Machine after 600 s, the BareMetalHost worker stays in provisioning while the image is written' : 'done'} (${i})`,
});
const state = fullState(1000);
state.log = Array.from({ length: LOG_LINES }, (_, i) => logLine(i));
const failed = Object.values(state.clusters).find((c) => c.phase === 'failed')!.name;
const sctx: ScreenContext = {
  keymap: defaultKeymap(),
  readOnly: false,
  faults: [],
  details: new Map([[failed, { loading: false, description: describedCluster(failed) }]]),
};
const logPage = (over: Partial<Page & { kind: 'log' }> = {}): Page => ({
  kind: 'log',
  source: 'engine',
  scroll: 0,
  follow: true,
  wrap: false,
  timestamps: true,
  filter: '',
  sinceMs: 0,
  ...over,
});

// 1. Frames: one persistent Ink instance (the TUI's render options) re-rendered with a new
// screen each frame; the time covers composing the screen, React's reconcile, Ink's layout
// and the terminal write. Frames are spaced past Ink's 30 fps throttle.
async function frames(name: string, view: (i: number) => ViewState): Promise<number> {
  const [cols, rows] = [200, 60];
  const sink = Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { columns: cols, rows, isTTY: true });
  const el = (i: number) =>
    React.createElement(ScreenRows, {
      screen: renderScreen(state, view(i), cols, frameRows(rows), NOW + i * 250, 'scale-tui', sctx),
      cols,
    });
  const ink = inkRender(el(0), {
    ...INK_RENDER_OPTIONS,
    stdout: sink as unknown as NodeJS.WriteStream,
    patchConsole: false,
  });
  await new Promise((r) => setTimeout(r, 50));
  const times: number[] = [];
  for (let i = 1; i <= 120; i++) {
    const t = performance.now();
    ink.rerender(el(i));
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 40));
  }
  ink.unmount();
  const m = median(times);
  console.log(
    `ui-diagnosis frame 200x60 ${name}: median ${m.toFixed(2)} ms, p95 ${times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!.toFixed(2)} ms`,
  );
  return m;
}

const base = initialView();
const reference = await frames('main screen (reference)', (i) => ({ ...base, clusterCursor: i * 7 }));
const measured: Array<[string, number]> = [
  [
    'detail page',
    await frames('detail page', (i) => ({ ...base, pages: [{ kind: 'detail', cluster: failed, scroll: i % 3 }] })),
  ],
  [
    `log viewer, ${LOG_LINES} lines, following`,
    await frames(`log viewer ${LOG_LINES} lines following`, () => ({ ...base, pages: [logPage()] })),
  ],
  [
    `log viewer, ${LOG_LINES} lines, wrapped, scrolled`,
    await frames(`log viewer ${LOG_LINES} lines wrapped, scrolled`, (i) => ({
      ...base,
      pages: [logPage({ wrap: true, follow: false, until: NOW, scroll: 100 + i * 37 })],
    })),
  ],
  [
    `log viewer, ${LOG_LINES} lines, filtered`,
    await frames(`log viewer ${LOG_LINES} lines filtered`, (i) => ({
      ...base,
      pages: [logPage({ filter: `test-${i % 100}:` })],
    })),
  ],
];
for (const [name, m] of measured) {
  console.log(
    `  ${name}: ${m.toFixed(2)} ms = ${(m / reference).toFixed(2)}x the main screen; target ${FRAME_TARGET_MS} ms, ratio ${(m / FRAME_TARGET_MS).toFixed(2)}`,
  );
  checks.push({
    what: `frame 200x60 ${name} median ${m.toFixed(2)} ms < ${FRAME_TARGET_MS} ms`,
    met: m < FRAME_TARGET_MS,
  });
}

// 2. Key to screen.
{
  const store = storeWith(state);
  const app = render(
    React.createElement(App, {
      store,
      intents: recordingIntents(),
      title: 'bench',
      defaultCount: 10,
      onExit: () => undefined,
      detail: { describe: async (c: string) => describedCluster(c) },
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const until = async (pred: (f: string) => boolean): Promise<void> => {
    while (!pred(app.lastFrame() ?? '')) await new Promise((r) => setImmediate(r));
  };
  const lat: Record<string, number[]> = { 'enter (detail page)': [], 'l (log viewer)': [], 'esc (back)': [] };
  for (let i = 0; i < 15; i++) {
    let t = performance.now();
    app.stdin.write('\r');
    await until((f) => f.includes(' Cluster test-1 '));
    lat['enter (detail page)']!.push(performance.now() - t);
    t = performance.now();
    app.stdin.write('\u001b');
    await until((f) => f.includes('Creation progress'));
    lat['esc (back)']!.push(performance.now() - t);
    t = performance.now();
    app.stdin.write('l');
    await until((f) => f.includes(' Engine log '));
    lat['l (log viewer)']!.push(performance.now() - t);
    app.stdin.write('\u001b');
    await until((f) => f.includes('Creation progress'));
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

// 3. One simulated hour: 14,400 frames at the 250 ms tick, the log growing by 4 lines a
// frame and kept at 10,000 (the viewer's buffer is bounded), the log viewer and the detail
// page (a fresh description every 3 s) on screen in turn; every 10th frame drawn by Ink.
{
  const FRAMES = 14_400;
  const s = { ...state, log: state.log.slice() };
  const started = performance.now();
  const samples: Array<[number, number]> = [];
  const sink = Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { columns: 200, rows: 60, isTTY: true });
  const ink = inkRender(
    React.createElement(ScreenRows, { screen: renderScreen(s, base, 200, frameRows(60), NOW, 'x', sctx), cols: 200 }),
    {
      ...INK_RENDER_OPTIONS,
      stdout: sink as unknown as NodeJS.WriteStream,
      patchConsole: false,
    },
  );
  let details = sctx.details!;
  for (let f = 0; f < FRAMES; f++) {
    const now = NOW + f * 250;
    const more = Array.from({ length: 4 }, (_, k) => ({ ...logLine(f * 4 + k), t: now }));
    s.log = s.log.length + more.length > LOG_LINES ? s.log.slice(more.length).concat(more) : s.log.concat(more);
    if (f % 12 === 0)
      details = new Map([[failed, { loading: false, description: { ...describedCluster(failed), fetchedAt: now } }]]);
    const view: ViewState =
      f % 2400 < 1200
        ? { ...base, pages: [logPage()] }
        : { ...base, pages: [{ kind: 'detail', cluster: failed, scroll: 0 }] };
    const screen = renderScreen(s, view, 200, frameRows(60), now, 'scale-tui', { ...sctx, details });
    if (f % 10 === 0) ink.rerender(React.createElement(ScreenRows, { screen, cols: 200 }));
    if (f % 240 === 0) {
      gc?.();
      samples.push([f / FRAMES, process.memoryUsage().heapUsed / 2 ** 20]);
    }
  }
  ink.unmount();
  const n = samples.length;
  const second = samples.slice(Math.floor(n / 2));
  const slope2 = (second[second.length - 1]![1] - second[0]![1]) / (second[second.length - 1]![0] - second[0]![0]);
  console.log(
    `ui-diagnosis 1 simulated hour (${FRAMES} frames composed, ${FRAMES / 10} drawn, log viewer and detail page, ${((performance.now() - started) / 1000).toFixed(0)} s): heap ${samples[0]![1].toFixed(1)} -> ${samples[n - 1]![1].toFixed(1)} MiB, ${slope2.toFixed(2)} MiB/hour over the second half${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  checks.push({
    what: `heap trend over the second simulated half-hour ${slope2.toFixed(2)} MiB/hour <= ${HEAP_TREND_LIMIT_MIB_PER_HOUR}${gc ? '' : ' (no --expose-gc: not exact)'}`,
    met: slope2 <= HEAP_TREND_LIMIT_MIB_PER_HOUR,
  });
}
verdict('ui-diagnosis', checks);
