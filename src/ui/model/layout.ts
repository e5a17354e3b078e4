// Where panes go for a terminal size. Small terminals collapse the unfocused panes to a
// one-line summary instead of squeezing every pane into unreadable slivers.

export const PANES = ['progress', 'controllers', 'throttling', 'backing'] as const;
export type PaneId = (typeof PANES)[number];

export const PANE_TITLES: Record<PaneId, string> = {
  progress: 'Creation progress',
  controllers: 'Controllers',
  throttling: 'Client-side throttling',
  backing: 'Backing clusters',
};

export interface PaneBox {
  id: PaneId;
  width: number;
  height: number;
  /** One-line summary instead of the full pane. */
  collapsed: boolean;
}

export interface Layout {
  headerHeight: number;
  /** Columns side by side, each a stack of panes (one column unless the terminal is wide). */
  columns: PaneBox[][];
  bodyHeight: number;
}

export const MIN_COLS = 40;
export const MIN_ROWS = 10;

export function computeLayout(cols: number, termRows: number, focus: PaneId, zoomed: boolean): Layout {
  const headerHeight = termRows >= 20 ? 2 : 1;
  const bodyHeight = Math.max(1, termRows - headerHeight - 1); // 1 = footer
  const full = (id: PaneId): PaneBox => ({ id, width: cols, height: bodyHeight, collapsed: false });
  if (zoomed) return { headerHeight, columns: [[full(focus)]], bodyHeight };

  if (cols >= 150 && bodyHeight >= 30) {
    // Wide: progress on the left for the whole height, the others stacked on the right.
    const left = Math.floor(cols * 0.5);
    const right = cols - left - 1;
    const ctl = Math.min(12, Math.floor(bodyHeight * 0.35));
    const back = Math.min(10, Math.floor(bodyHeight * 0.25));
    const thr = bodyHeight - ctl - back;
    return {
      headerHeight,
      bodyHeight,
      columns: [
        [{ id: 'progress', width: left, height: bodyHeight, collapsed: false }],
        [
          { id: 'controllers', width: right, height: ctl, collapsed: false },
          { id: 'throttling', width: right, height: thr, collapsed: false },
          { id: 'backing', width: right, height: back, collapsed: false },
        ],
      ],
    };
  }

  if (bodyHeight >= 28) {
    const shares: Record<PaneId, number> = { progress: 0.42, controllers: 0.24, throttling: 0.18, backing: 0.16 };
    const heights = PANES.map((id) => Math.max(4, Math.floor(bodyHeight * shares[id])));
    heights[0]! += bodyHeight - heights.reduce((a, b) => a + b, 0);
    return {
      headerHeight,
      bodyHeight,
      columns: [PANES.map((id, i) => ({ id, width: cols, height: heights[i]!, collapsed: false }))],
    };
  }

  // Small (80x24 and below): the focused pane gets the room, the others one line each.
  const others = PANES.length - 1;
  const focusHeight = Math.max(1, bodyHeight - others);
  return {
    headerHeight,
    bodyHeight,
    columns: [
      PANES.map((id) => ({ id, width: cols, height: id === focus ? focusHeight : 1, collapsed: id !== focus })),
    ],
  };
}
