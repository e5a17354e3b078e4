// Styled text as plain data. Every pane is a pure function to lines of segments, cut to
// the pane's width here, so nothing a pane draws can wrap and garble the screen.

import type { Tone } from '../theme.js';

/** A semantic colour name (theme.ts maps it to the terminal's colour). */
export type Color = Tone;

export interface Segment {
  text: string;
  color?: Color;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

export type Line = Segment[];

export const seg = (text: string, style: Omit<Segment, 'text'> = {}): Segment => ({ text, ...style });
export const line = (...parts: Array<Segment | string>): Line =>
  parts.map((p) => (typeof p === 'string' ? { text: p } : p));

export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}

/** Cuts a line to `width` columns (an ellipsis marks the cut). Wide glyphs are not used by the panes. */
export function fit(l: Line, width: number): Line {
  if (width <= 0) return [];
  const total = lineText(l).length;
  if (total <= width) return l;
  const out: Line = [];
  let left = width - 1;
  for (const s of l) {
    if (left <= 0) break;
    const text = s.text.slice(0, left);
    out.push({ ...s, text });
    left -= text.length;
  }
  out.push({ text: '…', dim: true });
  return out;
}

/** Exactly `height` lines (cut or padded with empty lines), each at most `width` wide. */
export function box(lines: Line[], width: number, height: number): Line[] {
  // biome-ignore lint/suspicious/noFocusedTests: fit() cuts a line to a width; it is not jasmine's fit
  const out = lines.slice(0, Math.max(0, height)).map((l) => fit(l, width));
  while (out.length < height) out.push([]);
  return out;
}

export function padEnd(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

export function padStart(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : ' '.repeat(n - s.length) + s;
}
