// Golden screens: the whole screen as text at 80x24 and 200x60 with 1000 clusters, the
// cluster detail page, the log viewer and help. A change to any of them shows up as a diff
// here; the files are rewritten only on purpose, with SCALE_TUI_UPDATE_GOLDEN=1.
// The text is what the TUI's output stage leaves on a terminal: the composed rows through
// the row writer, its bytes applied to a virtual terminal; each screen is drawn twice,
// whole and as a diff over another screen, and both must read the same.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialView, type ViewState } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import type { DetailData } from '../../src/ui/views/detail.js';
import { RowWriter } from '../../src/ui/terminal/row-writer.js';
import { screenRows } from '../../src/ui/terminal/rows.js';
import { describedCluster } from './fixture-detail.js';
import { fullState, logPage, NOW } from './fixtures.js';
import { defaultKeymap } from '../../src/ui/model/commands.js';
import { VirtualTerminal } from './vterm.js';

const dir = resolve(import.meta.dirname, 'golden');
const update = process.env.SCALE_TUI_UPDATE_GOLDEN === '1';
const state = fullState(1000);
state.log = Array.from({ length: 40 }, (_, i) => ({
  t: NOW - (40 - i) * 15_000,
  level: i % 13 === 0 ? ('warn' as const) : ('info' as const),
  message: `batch b2: test-${900 + i} step ${i % 5 === 0 ? 'failed: no Machine after 600 s' : 'done'}`,
}));
const failed = Object.values(state.clusters).find((c) => c.phase === 'failed')!.name;
const details = new Map<string, DetailData>([[failed, { loading: false, description: describedCluster(failed) }]]);

function golden(name: string, cols: number, rows: number, view: Partial<ViewState>, readOnly = false): void {
  const screen = renderScreen(state, { ...initialView(), ...view }, cols, rows, NOW, 'scale-tui', {
    keymap: defaultKeymap(),
    readOnly,
    faults: [],
    details,
  });
  const whole = new VirtualTerminal(cols, rows);
  whole.write(new RowWriter().frame(screenRows(screen), cols, rows));
  const text = `${whole.text()}\n`;
  // The same screen reached by a diff over the main screen (or, for it, over help).
  const writer = new RowWriter();
  const diffed = new VirtualTerminal(cols, rows);
  const other = renderScreen(state, { ...initialView(), help: !view.help && !view.pages }, cols, rows, NOW, 'x');
  diffed.write(writer.frame(screenRows(other), cols, rows));
  diffed.write(writer.frame(screenRows(screen), cols, rows));
  expect(writer.last.full).toBe(false);
  expect(`${diffed.text()}\n`).toBe(text);
  // What the screen composes, as plain text, is what the terminal shows.
  expect(text).toBe(`${screenText(screen)}\n`);
  const file = join(dir, `${name}.txt`);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`${file} is missing: run with SCALE_TUI_UPDATE_GOLDEN=1 to create it`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('golden screens (SCALE_TUI_UPDATE_GOLDEN=1 rewrites them)', () => {
  it('80x24, 1000 clusters', () => golden('main-80x24', 80, 24, {}));
  it('200x60, 1000 clusters', () => golden('main-200x60', 200, 60, {}));
  it('200x60, sorted by age, wide', () =>
    golden('main-200x60-wide-sorted', 200, 60, {
      wide: true,
      sort: { ...initialView().sort, clusters: { column: 'age', desc: true } },
    }));
  it('detail page 200x60', () =>
    golden('detail-200x60', 200, 60, { pages: [{ kind: 'detail', cluster: failed, scroll: 0 }] }));
  it('detail page 80x24', () =>
    golden('detail-80x24', 80, 24, { pages: [{ kind: 'detail', cluster: failed, scroll: 0 }] }));
  it('log viewer 80x24, scrolled up', () =>
    golden('log-80x24', 80, 24, {
      pages: [logPage({ scroll: 5, follow: false, until: NOW })],
    }));
  it('help 120x40, read-only', () => golden('help-120x40-readonly', 120, 40, { help: true }, true));
});
