import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { columnValues, termChart } from '../../src/metrics/index.js';

describe('terminal chart', () => {
  it('puts each point in its slice of time, keeps the max, and carries values over gaps', () => {
    // 0..400 s over 4 columns = 100 s each: t=0,50 -> col 0; t=150 -> col 1; none in col 2; t=400 -> last col.
    const pts = [
      { t: 0, v: 3 },
      { t: 50, v: 7 },
      { t: 150, v: 2 },
      { t: 400, v: 5 },
    ];
    expect(columnValues(pts, 4, 0, 400)).toEqual([7, 2, 2, 5]);
  });

  it('draws full, half and empty cells against the max, labels the scale and marks tuning', () => {
    // Values 0, 2, 4 in three columns, height 2, max 4: column 2 fills both rows,
    // column 1 fills the bottom row exactly, column 0 nothing.
    const rows = termChart(
      [
        { t: 0, v: 0 },
        { t: 10, v: 2 },
        { t: 20, v: 4 },
      ],
      { width: 3, height: 2, marks: [12, 99] },
    );
    expect(rows).toEqual(['4 ┤  █', '0 ┤ ██', '    ^ ']);
  });

  it('uses eighth blocks for partial cells', () => {
    // One row, max 8: a value of 4 is half a cell (4 eighths).
    const rows = termChart(
      [
        { t: 0, v: 4 },
        { t: 1, v: 8 },
      ],
      { width: 2, height: 1, format: (v) => `${v}m` },
    );
    expect(rows).toEqual(['8m ┤▄█']);
  });

  it('draws an empty series as a flat zero line and refuses an undrawable size', () => {
    expect(termChart([], { width: 3, height: 1 })).toEqual(['0 ┤   ']);
    expect(() => termChart([], { width: 0, height: 1 })).toThrow(UserError);
  });
});
