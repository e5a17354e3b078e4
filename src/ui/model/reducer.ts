// The key reducer. Pure: a key, the view state and a snapshot of the store in; the next
// view state and the effects to run (engine intents, exit, fetch, save) out. Keys outside
// dialogs and text fields are looked up in the keymap, which is built from the command
// table (commands.ts): no hand-written switch decides what a key does.
import type { ScaleState } from '../../state/store.js';
import { parseCommand, type UiIntent } from './command.js';
import { COMMAND_BY_ID, currentScope, defaultKeymap, openDetail, openLog, replaceTop } from './commands.js';
import { complete } from './complete.js';
import { confirmDelete, edit, reduceDialog, requestQuit } from './dialogs.js';
import { keyName } from './keymap.js';
import { sortableColumns, TABLE_COLUMNS } from './columns.js';
import { logSources } from './logview.js';
import {
  type KeyContext,
  type KeyPress,
  type Reduced,
  same,
  type TableId,
  topPage,
  type ViewState,
  withMessage,
} from './view-state.js';

export * from './view-state.js';
export { backingChoices } from './dialogs.js';
export { controllerList, mainConcurrencyFlag } from './selection.js';

const HISTORY_LIMIT = 100;

/** Intents that change clusters or controllers: refused under --read-only. */
const MUTATING: ReadonlySet<UiIntent['type']> = new Set([
  'add',
  'delete',
  'tune',
  'concurrency',
  'pause',
  'resume',
  'retry',
]);

export const readOnlyMessage = (what: string): string =>
  `read-only: ${what} changes clusters, and scale-tui was started with --read-only`;

/** Turns a parsed intent into a view change, a confirmation step, or effects to run now. */
export function applyIntent(view: ViewState, ctx: KeyContext, intent: UiIntent): Reduced {
  const v = { ...view, input: undefined };
  if (ctx.readOnly && MUTATING.has(intent.type)) return withMessage(v, 'error', readOnlyMessage(`:${intent.type}`));
  const state = ctx.state;
  switch (intent.type) {
    case 'delete':
      return confirmDelete(v, state, intent.selection, intent.prefix);
    case 'help':
      return same({ ...v, help: true });
    case 'quit':
      return requestQuit(v, state);
    case 'describe':
      if (!state.clusters[intent.cluster])
        return withMessage(v, 'error', `no cluster ${intent.cluster} in this run (tab completes the names)`);
      return openDetail(v, intent.cluster);
    case 'log': {
      const sources = logSources(state);
      const source =
        intent.source === 'engine' || intent.source === 'throttling' ? intent.source : `controller:${intent.source}`;
      if (!sources.includes(source as never) && source !== 'engine' && source !== 'throttling')
        return withMessage(
          v,
          'error',
          `no log ${intent.source}: one of ${sources.map((s) => s.replace('controller:', '')).join(', ')}`,
        );
      return same(openLog(v, source as ReturnType<typeof logSources>[number], ctx.logDefaults));
    }
    case 'sort': {
      const table: TableId = v.focus === 'controllers' ? 'controllers' : v.focus === 'backing' ? 'backing' : 'clusters';
      const cols = sortableColumns(TABLE_COLUMNS[table]);
      if (!cols.some((c) => c.id === intent.column))
        return withMessage(
          v,
          'error',
          `${table} has no column ${intent.column}: one of ${cols.map((c) => c.id).join(', ')}`,
        );
      return withMessage(
        { ...v, sort: { ...v.sort, [table]: { column: intent.column, desc: intent.desc } } },
        'info',
        `${table} sorted by ${intent.column}${intent.desc ? ' (descending)' : ''}`,
      );
    }
    case 'wide':
      return same({ ...v, wide: !v.wide });
    case 'retry':
      return { view: v, effects: [{ type: 'retry', cluster: intent.cluster }] };
    case 'tune': {
      const c = state.controllers[intent.controller];
      if (c && (intent.request.qps !== undefined || intent.request.burst !== undefined) && !c.supportsRateFlags) {
        return withMessage(
          v,
          'error',
          `${intent.controller} has no --kube-api-qps/--kube-api-burst flags in its pinned version`,
        );
      }
      return { view: v, effects: [{ type: 'intent', intent }] };
    }
    default:
      return { view: v, effects: [{ type: 'intent', intent }] };
  }
}

function remember(history: string[], text: string): string[] {
  const t = text.trim();
  if (!t || history[history.length - 1] === t) return history;
  return [...history, t].slice(-HISTORY_LIMIT);
}

function reduceInput(v: ViewState, input: string, key: KeyPress, ctx: KeyContext): Reduced {
  const inp = v.input!;
  const page = topPage(v);
  if (key.escape) {
    if (inp.kind === 'filter') return same({ ...v, input: undefined, filter: '' });
    if (inp.kind === 'log-filter' && page?.kind === 'log')
      return same(replaceTop({ ...v, input: undefined }, { ...page, filter: '' }));
    return same({ ...v, input: undefined });
  }
  if (key.return) {
    if (inp.kind !== 'command') return same({ ...v, input: undefined });
    const history = remember(v.history, inp.text);
    const parsed = parseCommand(inp.text);
    if (!parsed.ok) return withMessage({ ...v, history, input: undefined }, 'error', parsed.error);
    return applyIntent({ ...v, history }, ctx, parsed.value);
  }
  if (inp.kind === 'command' && (key.upArrow || key.downArrow)) {
    // ↑ walks back through the history, ↓ forward and finally to an empty line.
    const n = v.history.length;
    const at = inp.historyIndex ?? n;
    const next = Math.max(0, Math.min(n, at + (key.upArrow ? -1 : 1)));
    return same({ ...v, input: { ...inp, historyIndex: next, text: next === n ? '' : v.history[next]! } });
  }
  if (inp.kind === 'command' && key.tab) {
    const c = complete(inp.text, ctx.state);
    if (c.text === inp.text && c.choices.length > 1) return withMessage(v, 'info', c.choices.slice(0, 12).join('  '));
    return same({ ...v, input: { ...inp, text: c.text } });
  }
  const text = edit(inp.text, input, key, /[ -~]/);
  if (inp.kind === 'filter') return same({ ...v, input: { ...inp, text }, filter: text, clusterCursor: 0 });
  if (inp.kind === 'log-filter' && page?.kind === 'log')
    return same(replaceTop({ ...v, input: { ...inp, text } }, { ...page, filter: text, scroll: 0 }));
  return same({ ...v, input: { ...inp, text } });
}

export function reduceKey(view: ViewState, input: string, key: KeyPress, ctx: KeyContext): Reduced {
  const v: ViewState = view.message ? { ...view, message: undefined } : view;
  if (key.ctrl && input === 'c') return requestQuit(v, ctx.state);
  if (v.dialog) return reduceDialog(v, v.dialog, input, key, ctx);
  if (v.input) return reduceInput(v, input, key, ctx);

  const name = keyName(input, key);
  if (v.help) {
    if (name === 'esc' || name === 'q' || ctx.keymap.keysOf.get('help')?.includes(name))
      return same({ ...v, help: false });
    return same(v);
  }
  const scope = currentScope(v);
  const id = ctx.keymap.byKey[scope].get(name);
  const cmd = id ? COMMAND_BY_ID.get(id) : undefined;
  if (!cmd) return same(v);
  if (cmd.available && !cmd.available(ctx)) return same(v);
  if (ctx.readOnly && cmd.mutates)
    return withMessage(v, 'error', readOnlyMessage(`${name} (${cmd.help.split(/[:(]/)[0]!.trim()})`));
  return cmd.run(v, ctx);
}

/** A context for tests and benches: default keymap, not read-only, no faults. */
export function keyContext(state: ScaleState, over: Partial<KeyContext> = {}): KeyContext {
  return {
    state,
    defaultCount: 10,
    keymap: over.keymap ?? defaultKeymapCached(),
    readOnly: false,
    now: Date.now(),
    faults: [],
    ...over,
  };
}

let cached: KeyContext['keymap'] | undefined;
function defaultKeymapCached(): KeyContext['keymap'] {
  cached ??= defaultKeymap();
  return cached;
}
