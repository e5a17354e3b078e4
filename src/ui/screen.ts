// The whole screen as columns of lines for a terminal size: header, panes (or the page on
// top of the view stack: cluster detail, log viewer; or help), a dialog over the focused
// pane, footer. Pure, so every size is testable.
import type { ScaleState } from '../state/store.js';
import { currentScope, defaultKeymap } from './model/commands.js';
import { footerText } from './model/keys.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './model/layout.js';
import { box, line, seg, type Line } from './model/text.js';
import { type KeyContext, topPage, type ViewState } from './model/view-state.js';
import { type DetailData, detailLines } from './views/detail.js';
import { logViewerLines } from './views/log-viewer.js';
import { dialogLines, footerLine, helpLines } from './views/overlays.js';
import { collapsedLine, headerLines, paneLines } from './views/panes.js';

export interface Screen {
  header: Line[];
  /** Columns side by side; each is the lines of its stacked panes. */
  columns: Array<{ width: number; lines: Line[] }>;
  footer: Line;
}

/** What the screen needs beyond the store and the view: the keymap in force, modes, fetched data. */
export interface ScreenContext extends Pick<KeyContext, 'keymap' | 'readOnly' | 'faults'> {
  /** The detail page's data, by cluster name. */
  details?: ReadonlyMap<string, DetailData>;
}

let fallback: ScreenContext | undefined;
const defaultScreenContext = (): ScreenContext => {
  fallback ??= { keymap: defaultKeymap(), readOnly: false, faults: [] };
  return fallback;
};

export function renderScreen(
  state: ScaleState,
  view: ViewState,
  cols: number,
  rows: number,
  now: number,
  title: string,
  sctx: ScreenContext = defaultScreenContext(),
): Screen {
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    const msg = box(
      [line(seg(`terminal too small (${cols}x${rows}); scale-tui needs ${MIN_COLS}x${MIN_ROWS}`, { color: 'warn' }))],
      Math.max(1, cols),
      1,
    );
    return { header: msg, columns: [], footer: [] };
  }
  const layout = computeLayout(cols, rows, view.focus, view.zoomed);
  const header = headerLines(state, now, title, cols, layout.headerHeight, sctx.readOnly);
  const scope = currentScope(view);
  const footer = footerLine(view, state, cols, scope, sctx);
  const body = layout.bodyHeight;
  const page = topPage(view);
  const full = (lines: Line[]): Screen => ({ header, columns: [{ width: cols, lines }], footer });

  if (view.help) return full(helpLines(scope, sctx, cols, body));
  if (page?.kind === 'log')
    return full(logViewerLines(state, page, now, cols, body, footerText(cols - 60, 'log', sctx)));
  if (page?.kind === 'detail')
    return full(
      detailLines(
        page.cluster,
        state,
        sctx.details?.get(page.cluster),
        now,
        cols,
        body,
        page.scroll,
        footerText(cols - 70, 'detail', sctx),
      ),
    );

  const columns = layout.columns.map((stack) => {
    const width = stack[0]?.width ?? cols;
    const lines: Line[] = [];
    for (const p of stack) {
      const focused = p.id === view.focus;
      lines.push(
        ...(p.collapsed
          ? collapsedLine(p.id, state, focused, now, p.width)
          : paneLines(p.id, { state, view, width: p.width, height: p.height, now, readOnly: sctx.readOnly }, focused)),
      );
    }
    return { width, lines };
  });

  if (view.dialog) {
    // The dialog replaces the top of the first column; the rest stays visible for context.
    const d = dialogLines(view.dialog, state).map((l) => [seg('│ ', { color: 'accent' }), ...l]);
    const rule = '─'.repeat(Math.max(0, Math.min(cols, 100) - 2));
    const framed = [line(seg(`┌${rule}`, { color: 'accent' })), ...d, line(seg(`└${rule}`, { color: 'accent' }))];
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
