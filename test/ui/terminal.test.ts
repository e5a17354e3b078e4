// The App's output on a terminal, end to end: Ink for input, the row writer for output, its
// bytes replayed on a virtual terminal of the size the TTY reports. Each frame is one
// synchronized update that Ink does not add to; a resize redraws the whole screen at the
// new size; NO_COLOR leaves no colour code in what is written; the bottom row stays free.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SYNC_BEGIN, SYNC_END } from '../../src/ui/terminal/row-writer.js';
import { fullState, storeWith } from './fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function mount(cols: number, rows: number) {
  const { mountApp } = await import('./mount-app.js');
  const app = mountApp({ cols, rows, store: storeWith(fullState(300)), frameMs: 20, keepWrites: true });
  unmount = app.unmount;
  const until = async (pred: (s: string) => boolean): Promise<string> => {
    const end = Date.now() + 10_000;
    while (!pred(app.screen())) {
      if (Date.now() > end) throw new Error(`screen never matched:\n${app.screen()}`);
      await sleep(10);
    }
    return app.screen();
  };
  return { app, until };
}

describe('the TUI on a terminal', () => {
  it('writes each frame as one synchronized update, and only the rows that change', async () => {
    const { app, until } = await mount(120, 40);
    const first = await until((s) => s.includes('Creation progress'));
    const rows = first.split('\n');
    expect(rows.length).toBeLessThanOrEqual(39); // the bottom row stays free
    expect(rows[0]).toMatch(/^scale-tui/);
    const before = app.written().length;
    await app.inputReady();
    app.press('?');
    await until((s) => s.includes('esc, ? or q closes'));
    app.press('\u001b');
    await until((s) => s.includes('Creation progress') && !s.includes('esc, ? or q closes'));
    for (const w of app.written()) {
      expect(w.startsWith(SYNC_BEGIN)).toBe(true);
      expect(w.endsWith(SYNC_END)).toBe(true);
    }
    // Help over the screen and back: rows rewritten in place, no full clear after the first frame.
    const later = app.written().slice(before);
    expect(later.length).toBeGreaterThan(0);
    for (const w of later) expect(w).not.toContain('\u001b[2J');
  });

  it('ctrl-l repaints every row, so output from another program does not stay on screen', async () => {
    const { app, until } = await mount(120, 40);
    await until((s) => s.includes('Creation progress'));
    await app.inputReady();
    const before = app.written().length;
    app.press('\f'); // ctrl-l
    await until(() => app.written().length > before);
    const repaint = app.written()[before]!;
    expect(repaint).toContain('\u001b[2J');
    expect(repaint).toContain('Creation progress');
  });

  it('redraws the whole screen at the new size when the terminal is resized', async () => {
    const { app, until } = await mount(160, 45);
    await until((s) => s.includes('Creation progress'));
    const before = app.written().length;
    app.resize(90, 28);
    const after = await until((s) => s.includes('Creation progress'));
    expect(app.written()[before]).toContain('\u001b[2J');
    const rows = after.split('\n');
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual(27);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(90);
    // Too small a terminal: the notice, then back to the screen when it grows again.
    app.resize(30, 8);
    await until((s) => s.includes('terminal too small'));
    app.resize(100, 30);
    await until((s) => s.includes('Creation progress') && !s.includes('terminal too small'));
  });

  it('writes no colour under NO_COLOR, and colours without it', async () => {
    // SGR colour parameters: 30-37, 90-97 (the theme's tones) and 38 (extended).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the SGR codes looked for
    const colour = /\u001b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m/;
    vi.stubEnv('NO_COLOR', '1');
    const plain = await mount(120, 40);
    await plain.until((s) => s.includes('Creation progress'));
    expect(plain.app.written().join('')).not.toMatch(colour);
    expect(plain.app.written().join('')).toContain('\u001b[7m'); // inverse stays (the selection)
    plain.app.unmount();
    vi.unstubAllEnvs();
    vi.stubEnv('NO_COLOR', '');
    vi.resetModules();
    const coloured = await mount(120, 40);
    await coloured.until((s) => s.includes('Creation progress'));
    expect(coloured.app.written().join('')).toMatch(colour);
  });
});
