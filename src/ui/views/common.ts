// What every pane shares: its arguments, its title line, and a table drawn from column data.
import type { ScaleState } from '../../state/store.js';
import type { Column } from '../model/columns.js';
import { visibleColumns } from '../model/columns.js';
import { PANE_TITLES, type PaneId } from '../model/layout.js';
import { sparkline } from '../model/format.js';
import { line, padEnd, padStart, seg, type Line, type Segment } from '../model/text.js';
import type { SortState, ViewState } from '../model/view-state.js';

export interface PaneArgs {
  state: ScaleState;
  view: ViewState;
  width: number;
  height: number;
  now: number;
  /** --read-only: panes do not suggest keys that are off. */
  readOnly?: boolean;
}

export function title(id: PaneId, focused: boolean, extra = ''): Line {
  return line(seg(` ${PANE_TITLES[id]} `, { inverse: focused, bold: true }), seg(extra, { dim: true }));
}

function cell<Row>(c: Column<Row>, text: string): string {
  const gap = c.gap ? ' '.repeat(c.gap) : '';
  if (c.width === 0) return gap + text;
  return gap + (c.align === 'right' ? padStart(text, c.width) : padEnd(text, c.width));
}

/**
 * The header row: each visible column's title, the sort column marked ↑ or ↓ (unless `mark`
 * is off: a pane whose title already says how it is sorted).
 */
export function tableHeader<Row>(cols: Column<Row>[], sort: SortState, wide: boolean, mark = true): Segment {
  const text = visibleColumns(cols, wide)
    .map((c) => cell(c, mark && c.id === sort.column ? `${c.title}${sort.desc ? '↓' : '↑'}` : c.title))
    .join('');
  return seg(text, { dim: true });
}

/** One row as segments, one per column, each in the column's tone; a sparkline column draws its series. */
export function tableRow<Row>(cols: Column<Row>[], row: Row, wide: boolean, now: number, selected = false): Line {
  return visibleColumns(cols, wide).map((c) =>
    // sparkline() reads a width of 0 as "all of it": a column squeezed to nothing draws nothing.
    seg(cell(c, c.series ? (c.width > 0 ? sparkline(c.series(row), c.width) : '') : c.text(row, now)), {
      color: c.tone?.(row),
      inverse: selected,
      ...(c.dim ? { dim: true } : {}),
      ...(c.bold ? { bold: true } : {}),
    }),
  );
}
