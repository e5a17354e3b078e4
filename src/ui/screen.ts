// The whole screen as columns of lines for a terminal size: header, panes (or an overlay,
// or a dialog over the focused pane), footer. Pure, so every size is testable.
import type { ScaleState } from '../state/store.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './model/layout.js';
import { box, line, seg, type Line } from './model/text.js';
import type { ViewState } from './model/view.js';
import { dialogLines, footerLine, helpLines, logLines } from './views/overlays.js';
import { collapsedLine, headerLines, paneLines } from './views/panes.js';

export interface Screen {
  header: Line[];
  /** Columns side by side; each is the lines of its stacked panes. */
  columns: Array<{ width: number; lines: Line[] }>;
  footer: Line;
}

export function renderScreen(
  state: ScaleState,
  view: ViewState,
  cols: number,
  rows: number,
  now: number,
  title: string,
): Screen {
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    const msg = box(
      [line(seg(`terminal too small (${cols}x${rows}); scale-tui needs ${MIN_COLS}x${MIN_ROWS}`, { color: 'yellow' }))],
      Math.max(1, cols),
      1,
    );
    return { header: msg, columns: [], footer: [] };
  }
  const layout = computeLayout(cols, rows, view.focus, view.zoomed);
  const header = headerLines(state, now, title, cols, layout.headerHeight);
  const footer = footerLine(view, state, cols);
  const body = layout.bodyHeight;

  if (view.overlay === 'help') return { header, columns: [{ width: cols, lines: helpLines(cols, body) }], footer };
  if (view.overlay === 'log') return { header, columns: [{ width: cols, lines: logLines(state, cols, body) }], footer };

  const columns = layout.columns.map((stack) => {
    const width = stack[0]?.width ?? cols;
    const lines: Line[] = [];
    for (const p of stack) {
      const focused = p.id === view.focus;
      lines.push(
        ...(p.collapsed
          ? collapsedLine(p.id, state, focused, now, p.width)
          : paneLines(p.id, { state, view, width: p.width, height: p.height, now }, focused)),
      );
    }
    return { width, lines };
  });

  if (view.dialog) {
    // The dialog replaces the top of the first column; the rest stays visible for context.
    const d = dialogLines(view.dialog, state).map((l) => [seg('│ ', { color: 'cyan' }), ...l]);
    const framed = [
      line(seg('┌' + '─'.repeat(Math.max(0, Math.min(cols, 100) - 2)), { color: 'cyan' })),
      ...d,
      line(seg('└' + '─'.repeat(Math.max(0, Math.min(cols, 100) - 2)), { color: 'cyan' })),
    ];
    const first = columns[0]!;
    const shown = box(framed, first.width, Math.min(framed.length, body));
    first.lines = [...shown, ...first.lines.slice(shown.length)];
  }
  return { header, columns, footer };
}

export function screenText(s: Screen): string {
  const text = (l: Line): string => l.map((x) => x.text).join('');
  const height = Math.max(0, ...s.columns.map((c) => c.lines.length));
  const body: string[] = [];
  for (let i = 0; i < height; i++)
    body.push(
      s.columns
        .map((c) => text(c.lines[i] ?? []).padEnd(c.width))
        .join(' ')
        .trimEnd(),
    );
  return [...s.header.map(text), ...body, text(s.footer)].join('\n');
}
