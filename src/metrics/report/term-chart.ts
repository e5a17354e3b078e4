// The report's pictures in text rows, for the TUI and for terminals without an SVG viewer:
// a time series as an area chart of eighth blocks, with a y scale on the left and tuning
// changes marked under the columns they fall in. Pure: same input, same rows.
import { UserError } from '../../core/errors.js';

export interface ChartPoint {
  t: number;
  v: number;
}

export interface TermChartOptions {
  /** Plot columns, without the y labels. */
  width: number;
  /** Plot rows, without the mark row. */
  height: number;
  /** Times to mark under the plot (tuning changes). */
  marks?: readonly number[];
  /** Time range; defaults to the points' own. */
  from?: number;
  to?: number;
  /** How a y value prints on the scale (default: integer). */
  format?: (v: number) => string;
}

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * One column per equal slice of time. A column shows the largest value in its slice, so a
 * CPU spike never falls between two columns; a slice with no point repeats the column
 * before it, since both cumulative counts and sampled gauges hold until the next sample.
 */
export function columnValues(points: readonly ChartPoint[], width: number, from: number, to: number): number[] {
  const span = Math.max(1, to - from);
  const cols: Array<number | undefined> = new Array<number | undefined>(width).fill(undefined);
  for (const p of points) {
    if (p.t < from || p.t > to) continue;
    const i = Math.min(width - 1, Math.floor(((p.t - from) / span) * width));
    cols[i] = Math.max(cols[i] ?? -Infinity, p.v);
  }
  const out: number[] = [];
  let last = 0;
  for (const c of cols) {
    if (c !== undefined) last = c;
    out.push(last);
  }
  return out;
}

export function termChart(points: readonly ChartPoint[], opts: TermChartOptions): string[] {
  const { width, height } = opts;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new UserError(
      `chart size ${width}x${height} is not drawable`,
      'give a width and height of at least 1 column and 1 row',
    );
  }
  const fmt = opts.format ?? ((v: number): string => String(Math.round(v)));
  const times = points.map((p) => p.t);
  const from = opts.from ?? (times.length ? Math.min(...times) : 0);
  const to = opts.to ?? (times.length ? Math.max(...times) : from);
  const cols = columnValues(points, width, from, to);
  const max = Math.max(0, ...cols);
  const top = fmt(max);
  const bottom = fmt(0);
  const labelWidth = Math.max(top.length, bottom.length);
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    const label = r === height - 1 ? top : r === 0 ? bottom : '';
    let row = '';
    for (const v of cols) {
      const filled = max > 0 ? (v / max) * height - r : 0;
      row += EIGHTHS[Math.round(Math.max(0, Math.min(1, filled)) * 8)];
    }
    rows.push(`${label.padStart(labelWidth)} ┤${row}`);
  }
  if (opts.marks?.length) {
    const markRow = new Array<string>(width).fill(' ');
    const span = Math.max(1, to - from);
    for (const m of opts.marks) {
      if (m < from || m > to) continue;
      markRow[Math.min(width - 1, Math.floor(((m - from) / span) * width))] = '^';
    }
    rows.push(`${' '.repeat(labelWidth)}  ${markRow.join('')}`);
  }
  return rows;
}
