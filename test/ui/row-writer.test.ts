// The row writer is the TUI's output stage: these check the bytes it writes, applied to a
// virtual terminal, against what the screen should show: a first frame, a diff on top of
// another screen, a shorter frame, a resize, and an unchanged frame writing nothing.
import { describe, expect, it } from 'vitest';
import { initialView } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import { RowWriter, SYNC_BEGIN, SYNC_END } from '../../src/ui/terminal/row-writer.js';
import { screenRows } from '../../src/ui/terminal/rows.js';
import { fullState, logPage, NOW } from './fixtures.js';
import { VirtualTerminal } from './vterm.js';

const state = fullState(300);
const main = (cols: number, rows: number, cursor = 0) =>
  renderScreen(state, { ...initialView(), clusterCursor: cursor }, cols, rows, NOW, 'scale-tui');
const log = (cols: number, rows: number) =>
  renderScreen(
    state,
    {
      ...initialView(),
      pages: [logPage()],
    },
    cols,
    rows,
    NOW,
    'scale-tui',
  );

describe('row writer', () => {
  it('draws a first frame that reads as the composed screen, in one synchronized update', () => {
    const w = new RowWriter();
    const vt = new VirtualTerminal(120, 40);
    const bytes = w.frame(screenRows(main(120, 39)), 120, 40);
    expect(bytes.startsWith(SYNC_BEGIN)).toBe(true);
    expect(bytes.endsWith(SYNC_END)).toBe(true);
    vt.write(bytes);
    expect(vt.text()).toBe(screenText(main(120, 39)));
    expect(vt.modes.get('7')).toBe(true); // autowrap back on after the frame
    expect(vt.modes.get('25')).toBe(false); // cursor hidden
    expect(w.last).toEqual({ rowsWritten: 39, full: true });
  });

  it('turns one screen into another by rewriting only the rows that differ', () => {
    const w = new RowWriter();
    const vt = new VirtualTerminal(120, 40);
    vt.write(w.frame(screenRows(main(120, 39)), 120, 40));
    const next = screenRows(main(120, 39, 5));
    vt.write(w.frame(next, 120, 40));
    expect(vt.text()).toBe(screenText(main(120, 39, 5)));
    expect(w.last.full).toBe(false);
    expect(w.last.rowsWritten).toBeGreaterThan(0);
    expect(w.last.rowsWritten).toBeLessThan(10);
    // A wholly different page through the diff path too, and back.
    vt.write(w.frame(screenRows(log(120, 39)), 120, 40));
    expect(vt.text()).toBe(screenText(log(120, 39)));
    vt.write(w.frame(screenRows(main(120, 39)), 120, 40));
    expect(vt.text()).toBe(screenText(main(120, 39)));
  });

  it('writes nothing when no row changed', () => {
    const w = new RowWriter();
    const rows = screenRows(main(100, 30));
    w.frame(rows, 100, 30);
    expect(w.frame(rows.slice(), 100, 30)).toBe('');
  });

  it('erases the rows a shorter frame no longer covers', () => {
    const w = new RowWriter();
    const vt = new VirtualTerminal(100, 30);
    vt.write(w.frame(['a', 'b', 'c', 'd'], 100, 30));
    vt.write(w.frame(['a', 'x'], 100, 30));
    expect(vt.text()).toBe('a\nx');
  });

  it('repaints everything on a new terminal size, and after invalidate()', () => {
    const w = new RowWriter();
    const big = new VirtualTerminal(120, 40);
    big.write(w.frame(screenRows(main(120, 39)), 120, 40));
    // A terminal resized smaller: whatever it kept is cleared and the new frame drawn whole.
    const small = new VirtualTerminal(80, 24);
    small.write(w.frame(screenRows(main(80, 23)), 80, 24));
    expect(w.last).toEqual({ rowsWritten: 23, full: true });
    expect(small.text()).toBe(screenText(main(80, 23)));
    w.invalidate();
    small.write('garbage written by someone else');
    small.write(w.frame(screenRows(main(80, 23)), 80, 24));
    expect(small.text()).toBe(screenText(main(80, 23)));
  });

  it('clips a row wider than the terminal instead of wrapping it onto the next', () => {
    const w = new RowWriter();
    const vt = new VirtualTerminal(10, 5);
    vt.write(w.frame(['0123456789ABCDEF', 'second'], 10, 5));
    expect(vt.text()).toBe('012345678F\nsecond');
  });
});
