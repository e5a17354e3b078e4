// What the commands do to pages and lists: moving and scrolling, opening the detail page
// and the log viewer (the view stack), the tune dialogs. The command table (commands.ts)
// binds keys to these; nothing here knows about keys.
import type { ControllerId } from '../../core/types.js';
import { logEntries, visibleEntries } from './logview.js';
import { controllerList, listedClusters, mainConcurrencyFlag, selectedController } from './selection.js';
import {
  type KeyContext,
  type LogViewState,
  type Page,
  type Reduced,
  same,
  type TableId,
  topPage,
  type ViewState,
  withMessage,
} from './view-state.js';

export const PAGE = 10;

export const focusedTable = (v: ViewState): TableId =>
  v.focus === 'controllers' ? 'controllers' : v.focus === 'backing' ? 'backing' : 'clusters';

export function move(v: ViewState, ctx: KeyContext, delta: number): Reduced {
  const page = topPage(v);
  if (page?.kind === 'detail') return same(replaceTop(v, { ...page, scroll: Math.max(0, page.scroll + delta) }));
  if (page?.kind === 'log') {
    const total = visibleEntries(logEntries(ctx.state, page.source), page, ctx.now).length;
    const scroll = Math.max(0, Math.min(Math.max(0, total - 1), (page.follow ? 0 : page.scroll) - delta));
    // Scrolling up leaves the live end; the window is anchored at now so new lines do not move it.
    if (page.follow && delta > 0) return same(v);
    return same(replaceTop(v, { ...page, scroll, follow: false, until: page.follow ? ctx.now : page.until }));
  }
  if (v.focus === 'controllers') {
    const n = controllerList(ctx.state).length;
    return same({ ...v, controllerCursor: Math.max(0, Math.min(n - 1, v.controllerCursor + delta)) });
  }
  const n = listedClusters(ctx.state, v, ctx.now).length;
  return same({ ...v, clusterCursor: Math.max(0, Math.min(n - 1, v.clusterCursor + delta)) });
}

export function replaceTop(v: ViewState, page: Page): ViewState {
  return { ...v, pages: [...v.pages.slice(0, -1), page] };
}

export function logPage(v: ViewState, fn: (p: Extract<Page, { kind: 'log' }>) => Partial<LogViewState>): Reduced {
  const page = topPage(v);
  if (page?.kind !== 'log') return same(v);
  return same(replaceTop(v, { ...page, ...fn(page) }));
}

export function openDetail(v: ViewState, cluster: string): Reduced {
  const pages = v.pages.filter((p) => !(p.kind === 'detail' && p.cluster === cluster));
  return {
    view: { ...v, help: false, pages: [...pages, { kind: 'detail', cluster, scroll: 0 }] },
    effects: [{ type: 'describe', cluster }],
  };
}

export function openLog(
  v: ViewState,
  source: LogViewState['source'] = 'engine',
  defaults: { wrap: boolean; timestamps: boolean } = { wrap: false, timestamps: true },
): ViewState {
  const page: Page = {
    kind: 'log',
    source,
    scroll: 0,
    follow: true,
    wrap: defaults.wrap,
    timestamps: defaults.timestamps,
    filter: '',
    sinceMs: 0,
  };
  return { ...v, help: false, pages: [...v.pages.filter((p) => p.kind !== 'log'), page] };
}

export function detailCluster(v: ViewState): string | undefined {
  const p = topPage(v);
  return p?.kind === 'detail' ? p.cluster : undefined;
}

export function tuneDialog(v: ViewState, ctx: KeyContext, which: 'c' | 'r'): Reduced {
  const c = selectedController(v, ctx.state, ctx.now);
  if (!c)
    return withMessage(
      v,
      'error',
      'no controller is known yet: the controllers pane fills once their Deployments are read',
    );
  const id = c.id as ControllerId;
  if (which === 'c') {
    if (c.supportedConcurrencyFlags.length === 0)
      return withMessage(v, 'error', `${c.id} has no --*-concurrency flag in its pinned version`);
    const current = c.flags.concurrency[mainConcurrencyFlag(c)];
    return same({
      ...v,
      focus: 'controllers',
      dialog: { kind: 'concurrency', controller: id, value: current === undefined ? '' : String(current) },
    });
  }
  if (!c.supportsRateFlags)
    return withMessage(v, 'error', `${c.id} has no --kube-api-qps/--kube-api-burst flags in its pinned version`);
  return same({
    ...v,
    focus: 'controllers',
    dialog: {
      kind: 'rate',
      controller: id,
      qps: c.flags.qps === undefined ? '' : String(c.flags.qps),
      burst: c.flags.burst === undefined ? '' : String(c.flags.burst),
      field: 0,
    },
  });
}
