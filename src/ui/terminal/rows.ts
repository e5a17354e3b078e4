// A composed screen as terminal rows: each Line becomes one ANSI string (SGR codes from the
// theme's semantic tones, NO_COLOR honoured here and nowhere else), and the pane columns
// are joined side by side at fixed offsets. The row writer (row-writer.ts) sends these
// strings to the terminal as they are, so what is built here is exactly what is shown.
import type { Line } from '../model/text.js';
import type { Screen } from '../screen.js';
import { toneCode } from '../theme.js';

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
 * The whole screen as one ANSI string per terminal row: header, the pane columns joined
 * side by side (each but the last padded to its width, so the next one starts at the same
 * column on every row), footer.
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
