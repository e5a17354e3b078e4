// The log viewer's window over a bounded buffer: follow, scroll anchored when not
// following (new lines do not move it), wrap, timestamps, filter, since-range.
import { describe, expect, it } from 'vitest';
import { type LogEntry, logWindow, visibleEntries } from '../../src/ui/model/logview.js';
import { lineText } from '../../src/ui/model/text.js';
import type { LogViewState } from '../../src/ui/model/view-state.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const entries = (n: number): LogEntry[] =>
  Array.from({ length: n }, (_, i) => ({ t: T0 + i * 1000, text: `line ${i}` }));
const base: LogViewState = {
  source: 'engine',
  scroll: 0,
  follow: true,
  wrap: false,
  timestamps: false,
  filter: '',
  sinceMs: 0,
};
const rows = (es: LogEntry[], v: Partial<LogViewState>, width = 40, height = 3) =>
  logWindow(es, { ...base, ...v }, width, height).rows.map(lineText);

describe('log window', () => {
  it('follows the live end', () => {
    expect(rows(entries(10), {})).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it('scrolled up and not following, new lines do not move the window', () => {
    const v = { follow: false, scroll: 2, until: T0 + 9000 };
    expect(rows(entries(10), v)).toEqual(['line 5', 'line 6', 'line 7']);
    expect(rows(entries(15), v)).toEqual(['line 5', 'line 6', 'line 7']);
    expect(logWindow(entries(15), { ...base, ...v }, 40, 3).below).toBe(7);
  });

  it('wraps long lines into the width, and cuts nothing when wrap is on', () => {
    const long: LogEntry[] = [{ t: T0, text: 'a'.repeat(25) }];
    expect(rows(long, { wrap: true }, 10, 5)).toEqual(['aaaaaaaaaa', 'aaaaaaaaaa', 'aaaaa']);
    expect(rows(long, { wrap: false }, 10, 5)).toEqual(['a'.repeat(25)]);
  });

  it('timestamps on and off', () => {
    expect(rows(entries(1), { timestamps: true })).toEqual(['10:00:00 line 0']);
  });

  it('filters by text and since-range', () => {
    const es = entries(200);
    expect(visibleEntries(es, { ...base, filter: 'LINE 19' }, T0).map((e) => e.text)).toEqual([
      'line 19',
      ...Array.from({ length: 10 }, (_, i) => `line ${190 + i}`),
    ]);
    expect(visibleEntries(es, { ...base, sinceMs: 60_000 }, T0 + 199_000)).toHaveLength(61);
  });
});
