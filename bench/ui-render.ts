// Frame cost of the TUI with 1000 clusters: the pure screen composition every redraw runs
// (at most 4 per second), at 80x24 and 200x60. Target: a frame well under the 250 ms tick.
// Run: node bin/run-ts.js bench/ui-render.ts
import React from 'react';
import { renderToString } from 'ink';
import { initialView } from '../src/ui/model/view.js';
import { renderScreen } from '../src/ui/screen.js';
import { Lines } from '../src/ui/components/lines.js';
import { fullState, NOW } from '../test/ui/fixtures.js';

const TARGET_MS = 25; // a tenth of the redraw tick
const state = fullState(1000);
for (const [cols, rows] of [[80, 24], [200, 60]] as const) {
  const frames = 200;
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  for (let i = 0; i < frames; i++) renderScreen(state, { ...initialView(), clusterCursor: i % 1000 }, cols, rows, NOW + i * 250, 'scale-tui');
  const composeMs = (performance.now() - t) / frames;
  const screen = renderScreen(state, initialView(), cols, rows, NOW, 'scale-tui');
  t = performance.now();
  for (let i = 0; i < 20; i++) renderToString(React.createElement(Lines, { lines: screen.columns[0]!.lines, width: screen.columns[0]!.width }), { columns: cols });
  const inkMs = (performance.now() - t) / 20;
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  console.log(`ui-render ${cols}x${rows}, 1000 clusters: compose ${composeMs.toFixed(2)} ms/frame, Ink layout+draw of the main column ${inkMs.toFixed(2)} ms, total ${(composeMs + inkMs).toFixed(2)} ms = ${(((composeMs + inkMs) / TARGET_MS) * 100).toFixed(0)}% of the ${TARGET_MS} ms budget; heap delta ${heapMiB.toFixed(1)} MiB`);
}
