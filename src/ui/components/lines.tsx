import type React from 'react';
import { Box, Transform } from 'ink';
import type { Line } from '../model/text.js';
import { toneCode } from '../theme.js';
import type { Screen } from '../screen.js';

// https://no-color.org: any non-empty NO_COLOR turns colours off (bold and inverse stay:
// they are not colours, and the focus and selection marks depend on them).
const noColor = (process.env.NO_COLOR ?? '') !== '';

/** A line as one ANSI string, padded with spaces to `width` visible columns when given. */
export function ansiLine(l: Line, width = 0): string {
  let out = '';
  let visible = 0;
  for (const s of l) {
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim && !noColor) codes.push(2);
    if (s.inverse) codes.push(7);
    if (s.color && !noColor) codes.push(toneCode(s.color));
    out += codes.length ? `\u001b[${codes.join(';')}m${s.text}\u001b[0m` : s.text;
    visible += s.text.length;
  }
  if (visible < width) out += ' '.repeat(width - visible);
  return out || ' ';
}

/**
 * The whole screen as one ANSI string per terminal row, the pane columns joined side by
 * side here rather than by Ink's flexbox: one node per row keeps Ink's layout cost flat
 * however many segments the panes draw (a 200x60 screen has thousands).
 */
export function screenRows(s: Screen): string[] {
  const height = Math.max(0, ...s.columns.map((c) => c.lines.length));
  const last = s.columns.length - 1;
  const body: string[] = [];
  for (let i = 0; i < height; i++) {
    body.push(s.columns.map((c, j) => ansiLine(c.lines[i] ?? [], j === last ? 0 : c.width)).join(' '));
  }
  return [...s.header.map((l) => ansiLine(l)), ...body, ansiLine(s.footer)];
}

const blanks = new Map<number, string>();
const blank = (width: number): string => {
  let b = blanks.get(width);
  if (b === undefined) {
    b = ' '.repeat(Math.max(1, width));
    blanks.set(width, b);
  }
  return b;
};

/**
 * One terminal row. Ink 6 keeps every distinct string it ever measured or wrapped in
 * module caches that are never emptied (vadimdemedes/ink#986): a screen whose ages and
 * counts change every frame would grow the heap for as long as the TUI runs. So Ink lays
 * out a blank row of the same width (one cache entry per width) and the row's real text
 * comes in at output time through Transform, which Ink neither measures nor caches.
 */
function Row({ text, width }: { text: string; width: number }): React.ReactElement {
  return <Transform transform={() => text}>{blank(width)}</Transform>;
}

/** One frame: header, the pane columns side by side, footer; one row per terminal line. */
export function ScreenRows({ screen, cols }: { screen: Screen; cols: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={cols}>
      {screenRows(screen).map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row is its terminal line number; rows never reorder
        <Row key={i} text={row} width={cols} />
      ))}
    </Box>
  );
}
