// TUI costs with 1000 clusters (issue 8 targets):
//  1. a full frame (screen composition + Ink reconcile, layout and terminal write of every
//     pane), median under 16 ms, at 80x24 and 200x60;
//  2. key-to-screen latency under 100 ms (Ink app, key written to stdin until the frame shows it);
//  3. heap over 1 hour of simulated updates (14,400 frames at the 250 ms tick, with phase
//     changes, churn, throttling and log lines): no growth trend.
// Run: NODE_ENV=production node --expose-gc bin/run-ts.js bench/ui-render.ts (as the tool runs;
// React's development build retains per-render debug data and shows a heap trend of its own).
import React from 'react';
import { render as inkRender } from 'ink';
import { Writable } from 'node:stream';
import { render } from 'ink-testing-library';
import { CREATE_PHASES } from '../src/core/types.js';
import { appendLog, pushThrottleLines, setPhase, upsertCluster, removeCluster } from '../src/state/store.js';
import { App, frameRows } from '../src/ui/app.js';
import { ScreenRows } from '../src/ui/components/lines.js';
import { initialView } from '../src/ui/model/reducer.js';
import { renderScreen } from '../src/ui/screen.js';
import { INK_RENDER_OPTIONS } from '../src/ui/index.js';
import { fullState, NOW, recordingIntents, storeWith } from '../test/ui/fixtures.js';
import { type Check, verdict } from './verdict.js';

const FRAME_TARGET_MS = 16;
const KEY_TARGET_MS = 100;
/** "No growth trend": the second half's heap slope may not exceed this (GC noise). */
const HEAP_TREND_LIMIT_MIB_PER_HOUR = 2;
const checks: Check[] = [];
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gc = (globalThis as { gc?: () => void }).gc;
if (process.env.NODE_ENV !== 'production')
  console.log("ui-render: NODE_ENV is not production: React development build, figures are not the tool's");

// 1. Frames, as the app draws them: one persistent Ink instance (the TUI's own render
// options) re-rendered with a new screen each frame; the time covers composing the screen,
// React's reconcile, Ink's layout and the terminal write. Frames are spaced past Ink's
// 30 fps throttle so every rerender is drawn at once. Bytes are what goes to the terminal.
const state = fullState(1000);
for (const [cols, rows] of [
  [80, 24],
  [200, 60],
] as const) {
  let bytes = 0;
  const sink = Object.assign(
    new Writable({
      write: (c: Buffer | string, _e, cb) => {
        bytes += c.length;
        cb();
      },
    }),
    { columns: cols, rows, isTTY: true },
  );
  const el = (i: number) =>
    React.createElement(ScreenRows, {
      screen: renderScreen(
        state,
        { ...initialView(), clusterCursor: i * 7 },
        cols,
        frameRows(rows),
        NOW + i * 250,
        'scale-tui',
      ),
      cols,
    });
  const ink = inkRender(el(0), {
    ...INK_RENDER_OPTIONS,
    stdout: sink as unknown as NodeJS.WriteStream,
    patchConsole: false,
  });
  await new Promise((r) => setTimeout(r, 50));
  const fullDraw = bytes;
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = 1; i <= 150; i++) {
    const before = bytes;
    const t = performance.now();
    ink.rerender(el(i));
    times.push(performance.now() - t);
    sizes.push(bytes - before);
    await new Promise((r) => setTimeout(r, 40));
  }
  ink.unmount();
  const m = median(times);
  console.log(
    `ui-render frame ${cols}x${rows}, 1000 clusters, all panes: median ${m.toFixed(2)} ms, p95 ${times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!.toFixed(2)} ms; target ${FRAME_TARGET_MS} ms, ratio ${(m / FRAME_TARGET_MS).toFixed(2)}; terminal bytes per frame median ${median(sizes)} (the first, full draw: ${fullDraw})`,
  );
  checks.push({
    what: `frame ${cols}x${rows} median ${m.toFixed(2)} ms < ${FRAME_TARGET_MS} ms`,
    met: m < FRAME_TARGET_MS,
  });
}

// 2. Key to screen.
{
  const store = storeWith(fullState(1000));
  const app = render(
    React.createElement(App, {
      store,
      intents: recordingIntents(),
      title: 'bench',
      defaultCount: 10,
      onExit: () => undefined,
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    app.stdin.write('?');
    while (!(app.lastFrame() ?? '').includes('esc, ? or q closes')) await new Promise((r) => setImmediate(r));
    lat.push(performance.now() - t);
    app.stdin.write('\u001b');
    while ((app.lastFrame() ?? '').includes('esc, ? or q closes')) await new Promise((r) => setImmediate(r));
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

// 3. One simulated hour.
{
  const store = storeWith(fullState(1000));
  let next = 1001;
  const samples: Array<[number, number]> = [];
  const FRAMES = 14_400;
  const started = performance.now();
  // One persistent Ink instance re-rendered, as the app does (a fresh root per frame would
  // measure Ink's setup instead), writing to a terminal stand-in that keeps nothing
  // (ink-testing-library keeps every frame, which is a growth of its own).
  const sink = Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { columns: 200, rows: 60, isTTY: true });
  const ink = inkRender(
    React.createElement(ScreenRows, {
      screen: renderScreen(store.getState(), initialView(), 200, frameRows(60), NOW, 'scale-tui'),
      cols: 200,
    }),
    { ...INK_RENDER_OPTIONS, stdout: sink as unknown as NodeJS.WriteStream, patchConsole: false },
  );
  for (let f = 0; f < FRAMES; f++) {
    const now = NOW + f * 250;
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
    const screen = renderScreen(store.getState(), initialView(), 200, frameRows(60), now, 'scale-tui');
    if (f % 10 === 0) ink.rerender(React.createElement(ScreenRows, { screen, cols: 200 }));
    if (f % 240 === 0) {
      gc?.();
      samples.push([f / 14_400, process.memoryUsage().heapUsed / 2 ** 20]);
    }
  }
  ink.unmount();
  const n = samples.length;
  const mx = samples.reduce((a, [x]) => a + x, 0) / n;
  const my = samples.reduce((a, [, y]) => a + y, 0) / n;
  const slope =
    samples.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / samples.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const second = samples.slice(Math.floor(n / 2));
  const slope2 = (second[second.length - 1]![1] - second[0]![1]) / (second[second.length - 1]![0] - second[0]![0]);
  console.log(
    `ui-render 1 simulated hour (${FRAMES} frames composed, ${FRAMES / 10} drawn by one Ink instance, ${next - 1001} clusters churned, ${((performance.now() - started) / 1000).toFixed(0)} s): heap ${samples[0]![1].toFixed(1)} -> ${samples[n - 1]![1].toFixed(1)} MiB, trend ${slope.toFixed(2)} MiB/hour overall, ${slope2.toFixed(2)} MiB/hour over the second half${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  checks.push({
    what: `heap trend over the second simulated half-hour ${slope2.toFixed(2)} MiB/hour <= ${HEAP_TREND_LIMIT_MIB_PER_HOUR}${gc ? '' : ' (no --expose-gc: not exact)'}`,
    met: slope2 <= HEAP_TREND_LIMIT_MIB_PER_HOUR,
  });
}
verdict('ui-render', checks);
