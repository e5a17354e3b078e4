// THE command table: every key-bound command once, with its default keys, the scopes it
// works in, its help text and footer word, and whether it changes clusters (refused under
// --read-only). Dispatch (reducer.ts), the footer and `?` help all read this table, and
// the user's key overrides remap it; a key cannot do one thing and be documented as another.
import { TABLE_COLUMNS, nextSortColumn } from './columns.js';
import { backingChoices, requestQuit } from './dialogs.js';
import { buildKeymap, type Binding, type Keymap, type Scope } from './keymap.js';
import { PANES } from './layout.js';
import { entryText, logEntries, logSources, SINCE_RANGES, visibleEntries } from './logview.js';
import {
  detailCluster,
  focusedTable,
  logPage,
  move,
  openDetail,
  openLog,
  PAGE,
  replaceTop,
  tuneDialog,
} from './page-actions.js';

export { openDetail, openLog, replaceTop };
import { selectedCluster } from './selection.js';
import { type KeyContext, type Reduced, same, topPage, type ViewState, withMessage } from './view-state.js';

export interface Command extends Binding {
  help: string;
  footer?: string;
  /** Changes clusters or controllers: hidden and refused under --read-only. */
  mutates?: boolean;
  /** Shown only when the topology supports it (farm faults). */
  available?: (ctx: Pick<KeyContext, 'faults'>) => boolean;
  run: (v: ViewState, ctx: KeyContext) => Reduced;
}

const MAIN: Scope[] = ['main'];

/** A fault on the cluster on screen, else the one selected in the cluster list. */
function faultOn(v: ViewState, ctx: KeyContext, fault: 'api-down' | 'api-slow'): Reduced {
  const cluster =
    detailCluster(v) ?? (v.focus === 'progress' ? selectedCluster(v, ctx.state, ctx.now)?.name : undefined);
  if (!cluster) return withMessage(v, 'error', 'select a cluster in the cluster list first');
  return { view: v, effects: [{ type: 'fault', fault, cluster }] };
}
const ALL: Scope[] = ['main', 'detail', 'log'];

export const COMMANDS: Command[] = [
  {
    command: 'help',
    keys: ['?'],
    scopes: ALL,
    help: 'help: every key here',
    footer: 'help',
    run: (v) => same({ ...v, help: true }),
  },
  {
    command: 'add',
    keys: ['a'],
    scopes: MAIN,
    help: 'add a batch (count, backing cluster or auto)',
    footer: 'add',
    mutates: true,
    run: (v, ctx) => same({ ...v, dialog: { kind: 'add', count: String(ctx.defaultCount), backing: 0, field: 0 } }),
  },
  {
    command: 'delete',
    keys: ['d'],
    scopes: ['main', 'detail'],
    help: 'delete: the selected (or shown) cluster, a range, the last batch or all (asks first)',
    footer: 'delete',
    mutates: true,
    run: (v, ctx) => {
      const shown = detailCluster(v);
      const selected = shown ?? (v.focus === 'progress' ? selectedCluster(v, ctx.state, ctx.now)?.name : undefined);
      return same({ ...v, dialog: { kind: 'delete', text: selected ?? (ctx.state.batches.length ? 'last' : '') } });
    },
  },
  {
    command: 'concurrency',
    keys: ['c'],
    scopes: MAIN,
    help: 'concurrency flags of the selected controller',
    footer: 'concurrency',
    mutates: true,
    run: (v, ctx) => tuneDialog(v, ctx, 'c'),
  },
  {
    command: 'rate',
    keys: ['r'],
    scopes: MAIN,
    help: 'client QPS and burst of the selected controller',
    footer: 'rate',
    mutates: true,
    run: (v, ctx) => tuneDialog(v, ctx, 'r'),
  },
  {
    command: 'retry',
    keys: ['r'],
    scopes: ['detail'],
    help: 'retry: re-run this failed cluster only (the engine resumes just it)',
    footer: 'retry',
    mutates: true,
    run: (v, ctx) => {
      const name = detailCluster(v);
      const c = name ? ctx.state.clusters[name] : undefined;
      if (c?.phase !== 'failed')
        return withMessage(v, 'error', `${name ?? 'this cluster'} has not failed: nothing to retry`);
      return {
        view: { ...v, message: { level: 'info', text: `retrying ${c.name}` } },
        effects: [{ type: 'retry', cluster: c.name }],
      };
    },
  },
  {
    command: 'api-down',
    keys: ['x'],
    scopes: ['main', 'detail'],
    help: "farm: take the shown (or selected) cluster's API down, or up again",
    footer: 'api down/up',
    mutates: true,
    available: (ctx) => ctx.faults.includes('api-down'),
    run: (v, ctx) => faultOn(v, ctx, 'api-down'),
  },
  {
    command: 'api-slow',
    keys: ['X'],
    scopes: ['main', 'detail'],
    help: "farm: slow the shown (or selected) cluster's API (200 ms per request), or make it fast again",
    footer: 'api slow',
    mutates: true,
    available: (ctx) => ctx.faults.includes('api-slow'),
    run: (v, ctx) => faultOn(v, ctx, 'api-slow'),
  },
  {
    command: 'pause',
    keys: ['p'],
    scopes: MAIN,
    help: 'pause or resume the batch queue',
    footer: 'pause',
    mutates: true,
    run: (v, ctx) => ({
      view: v,
      effects: [{ type: 'intent', intent: { type: ctx.state.queue.paused ? 'resume' : 'pause' } }],
    }),
  },
  {
    command: 'command',
    keys: [':'],
    scopes: ALL,
    help: 'command line (↑↓ history, tab completes); :help lists the commands',
    footer: 'cmd',
    run: (v) => same({ ...v, input: { kind: 'command', text: '' } }),
  },
  {
    command: 'filter',
    keys: ['/'],
    scopes: ['main', 'log'],
    help: 'filter the cluster list (name, phase, backing, reason) or the log',
    footer: 'filter',
    run: (v) => {
      const page = topPage(v);
      if (page?.kind === 'log') return same({ ...v, input: { kind: 'log-filter', text: page.filter } });
      return same({ ...v, focus: 'progress', input: { kind: 'filter', text: v.filter } });
    },
  },
  {
    command: 'log',
    keys: ['l'],
    scopes: ['main', 'detail'],
    help: 'log viewer (engine log; tab: throttling, each controller)',
    footer: 'log',
    run: (v, ctx) => same(openLog(v, 'engine', ctx.logDefaults)),
  },
  {
    command: 'open',
    keys: ['enter'],
    scopes: MAIN,
    help: 'open the selected cluster (cluster list), else zoom the focused pane',
    footer: 'open',
    run: (v, ctx) => {
      if (v.focus === 'progress') {
        const c = selectedCluster(v, ctx.state, ctx.now);
        if (c) return openDetail(v, c.name);
      }
      return same({ ...v, zoomed: !v.zoomed });
    },
  },
  {
    command: 'zoom',
    keys: ['z'],
    scopes: MAIN,
    help: 'zoom the focused pane to full screen (again to return)',
    footer: 'zoom',
    run: (v) => same({ ...v, zoomed: !v.zoomed }),
  },
  {
    command: 'focus-next',
    keys: ['tab'],
    scopes: MAIN,
    help: 'focus the next pane',
    footer: 'focus',
    run: (v) => same({ ...v, focus: PANES[(PANES.indexOf(v.focus) + 1) % PANES.length]! }),
  },
  {
    command: 'focus-prev',
    keys: ['shift-tab'],
    scopes: MAIN,
    help: 'focus the previous pane',
    run: (v) => same({ ...v, focus: PANES[(PANES.indexOf(v.focus) + PANES.length - 1) % PANES.length]! }),
  },
  ...PANES.map(
    (id, i): Command => ({
      command: `focus-${i + 1}`,
      keys: [String(i + 1)],
      scopes: MAIN,
      help: `focus pane ${i + 1}: ${id}`,
      run: (v) => same({ ...v, focus: id }),
    }),
  ),
  {
    command: 'up',
    keys: ['up', 'k'],
    scopes: ALL,
    help: 'move up (list) or scroll up (detail, log)',
    run: (v, c) => move(v, c, -1),
  },
  {
    command: 'down',
    keys: ['down', 'j'],
    scopes: ALL,
    help: 'move down (list) or scroll down (detail, log)',
    run: (v, c) => move(v, c, 1),
  },
  { command: 'page-up', keys: ['pgup'], scopes: ALL, help: 'a page up', run: (v, c) => move(v, c, -PAGE) },
  { command: 'page-down', keys: ['pgdn'], scopes: ALL, help: 'a page down', run: (v, c) => move(v, c, PAGE) },
  {
    command: 'top',
    keys: ['g'],
    scopes: ALL,
    help: 'to the top (the oldest log line)',
    run: (v, c) => move(v, c, -1e9),
  },
  {
    command: 'bottom',
    keys: ['G'],
    scopes: ALL,
    help: 'to the bottom (the live end of a log, following again)',
    run: (v, c) =>
      topPage(v)?.kind === 'log' ? logPage(v, () => ({ scroll: 0, follow: true, until: undefined })) : move(v, c, 1e9),
  },
  {
    command: 'sort',
    keys: ['s'],
    scopes: MAIN,
    help: 'sort the focused table by its next column (:sort COLUMN names one)',
    footer: 'sort',
    run: (v) => {
      const t = focusedTable(v);
      const sort = nextSortColumn(t, v.sort[t], v.wide);
      return withMessage({ ...v, sort: { ...v.sort, [t]: sort } }, 'info', `${t} sorted by ${sort.column}`);
    },
  },
  {
    command: 'sort-reverse',
    keys: ['S'],
    scopes: MAIN,
    help: 'reverse the sort order of the focused table',
    run: (v) => {
      const t = focusedTable(v);
      return same({ ...v, sort: { ...v.sort, [t]: { ...v.sort[t], desc: !v.sort[t].desc } } });
    },
  },
  {
    command: 'wide',
    keys: ['w'],
    scopes: MAIN,
    help: `wide mode: more columns (${TABLE_COLUMNS.clusters
      .filter((c) => c.wide)
      .map((c) => c.id)
      .join(', ')})`,
    footer: 'wide',
    run: (v) => same({ ...v, wide: !v.wide }),
  },
  {
    command: 'follow',
    keys: ['f'],
    scopes: ['log'],
    help: 'follow the live end on or off',
    footer: 'follow',
    run: (v, ctx) =>
      logPage(v, (p) =>
        p.follow ? { follow: false, scroll: 0, until: ctx.now } : { follow: true, scroll: 0, until: undefined },
      ),
  },
  {
    command: 'wrap',
    keys: ['w'],
    scopes: ['log'],
    help: 'wrap long lines on or off',
    footer: 'wrap',
    run: (v) => logPage(v, (p) => ({ wrap: !p.wrap })),
  },
  {
    command: 'timestamps',
    keys: ['t'],
    scopes: ['log'],
    help: 'timestamps on or off',
    footer: 'time',
    run: (v) => logPage(v, (p) => ({ timestamps: !p.timestamps })),
  },
  ...SINCE_RANGES.map(
    (r): Command => ({
      command: `since-${r.label}`,
      keys: [r.key],
      scopes: ['log'],
      help: r.ms ? `only the last ${r.label}` : 'the whole buffer',
      run: (v) => logPage(v, () => ({ sinceMs: r.ms, scroll: 0 })),
    }),
  ),
  {
    command: 'source',
    keys: ['tab'],
    scopes: ['log'],
    help: 'next log: engine, throttling tail, each controller',
    footer: 'next log',
    run: (v, ctx) =>
      logPage(v, (p) => {
        const all = logSources(ctx.state);
        return { source: all[(all.indexOf(p.source) + 1) % all.length]!, scroll: 0 };
      }),
  },
  {
    command: 'save',
    keys: ['ctrl-s'],
    scopes: ['log'],
    help: 'save the lines shown (filter and range applied) to a file (mode 0600)',
    footer: 'save',
    run: (v, ctx) => {
      const p = topPage(v);
      if (p?.kind !== 'log') return same(v);
      const lines = visibleEntries(logEntries(ctx.state, p.source), p, ctx.now).map((e) => entryText(e, true));
      return { view: v, effects: [{ type: 'save-log', source: p.source, lines }] };
    },
  },
  {
    command: 'back',
    keys: ['esc'],
    scopes: ALL,
    help: 'back: close the page on top (detail, log), leave zoom, clear the filter',
    footer: 'back',
    run: (v) => {
      if (v.pages.length) return same({ ...v, pages: v.pages.slice(0, -1) });
      if (v.zoomed) return same({ ...v, zoomed: false });
      if (v.filter) return same({ ...v, filter: '', clusterCursor: 0 });
      return same(v);
    },
  },
  {
    command: 'quit',
    keys: ['q'],
    scopes: ALL,
    help: 'quit (asks while a batch runs; the run resumes on the next start); on a page: close it',
    footer: 'quit',
    run: (v, ctx) => (v.pages.length ? same({ ...v, pages: v.pages.slice(0, -1) }) : requestQuit(v, ctx.state)),
  },
  {
    command: 'redraw',
    keys: ['ctrl-l'],
    scopes: ALL,
    help: 'redraw the whole screen (after another program wrote over it)',
    run: (v) => ({ view: v, effects: [{ type: 'redraw' }] }),
  },
];

export const COMMAND_BY_ID = new Map(COMMANDS.map((c) => [c.command, c]));

export const defaultKeymap = (): Keymap => buildKeymap(COMMANDS);

/** The scope the keys act in now: the page on top, else the main screen. */
export function currentScope(v: ViewState): Scope {
  return topPage(v)?.kind ?? 'main';
}

/** Commands a person can use here (read-only and topology applied), in table order. */
export function commandsIn(scope: Scope, ctx: Pick<KeyContext, 'readOnly' | 'faults'>): Command[] {
  return COMMANDS.filter(
    (c) => c.scopes.includes(scope) && !(ctx.readOnly && c.mutates) && (c.available?.(ctx) ?? true),
  );
}

export { backingChoices };
