// The UI's own state (focus, dialogs, filter, cursors) and the key reducer. Pure: a key
// and a snapshot of the store in, the next view state and the intents to run out. The
// store stays the engine's; nothing here talks to Kubernetes.
import { CONTROLLER_IDS, MAX_BATCH, TUNE_LIMITS, type ClusterSelection, type ControllerId } from '../../core/types.js';
import type { ControllerStatus, ScaleState } from '../../state/store.js';
import { CONTROLLERS } from '../../core/tune/flags.js';
import { parseCommand, parseInteger, parseSelection, rangePrefix, type UiIntent } from './command.js';
import { batchRunning, describeClusters, resolveSelection, sortedClusters } from './derive.js';
import { PANES, type PaneId } from './layout.js';

export type Dialog =
  | { kind: 'add'; count: string; backing: number; field: 0 | 1; error?: string }
  | { kind: 'delete'; text: string; error?: string }
  | { kind: 'confirm-delete'; selection: ClusterSelection; summary: string }
  | { kind: 'concurrency'; controller: ControllerId; value: string; error?: string }
  | { kind: 'rate'; controller: ControllerId; qps: string; burst: string; field: 0 | 1; error?: string }
  | { kind: 'confirm-quit' };

export interface ViewState {
  focus: PaneId;
  zoomed: boolean;
  overlay: 'none' | 'help' | 'log';
  /** The `:` command line or the `/` filter being typed. */
  input?: { kind: 'command' | 'filter'; text: string };
  dialog?: Dialog;
  filter: string;
  clusterCursor: number;
  controllerCursor: number;
  message?: { level: 'info' | 'error'; text: string };
}

export const initialView = (): ViewState => ({
  focus: 'progress',
  zoomed: false,
  overlay: 'none',
  filter: '',
  clusterCursor: 0,
  controllerCursor: 0,
});

/** The subset of Ink's key object the reducer reads (so this module does not import Ink). */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
}

export type Effect = { type: 'intent'; intent: UiIntent } | { type: 'exit' };

export interface KeyContext {
  state: ScaleState;
  /** Count the add dialog starts with (the config's batch size). */
  defaultCount: number;
}

export interface Reduced {
  view: ViewState;
  effects: Effect[];
}

const PAGE = 10;

export function backingChoices(state: ScaleState): string[] {
  return ['auto', ...Object.keys(state.backing).sort()];
}

/** Controllers in display order: the known ones first, then whatever else the store holds. */
export function controllerList(state: ScaleState): ControllerStatus[] {
  const known = CONTROLLER_IDS.map((id) => state.controllers[id]).filter((c): c is ControllerStatus => c !== undefined);
  const rest = Object.values(state.controllers).filter((c) => !(CONTROLLER_IDS as readonly string[]).includes(c.id));
  return [...known, ...rest];
}

/**
 * The flag the `c` dialog sets: the controller's own reconciler (what `tune --concurrency`
 * sets), not every flag; a status row for an id outside the table falls back to its first.
 */
export function mainConcurrencyFlag(c: Pick<ControllerStatus, 'id' | 'supportedConcurrencyFlags'>): string {
  const main = (CONTROLLERS as Record<string, { mainConcurrencyFlag: string } | undefined>)[c.id]?.mainConcurrencyFlag;
  if (main !== undefined && c.supportedConcurrencyFlags.includes(main)) return main;
  return c.supportedConcurrencyFlags[0] ?? '';
}

function selectedController(view: ViewState, state: ScaleState): ControllerStatus | undefined {
  const list = controllerList(state);
  return list[Math.min(view.controllerCursor, list.length - 1)];
}

const same = (view: ViewState): Reduced => ({ view, effects: [] });
const withMessage = (view: ViewState, level: 'info' | 'error', text: string): Reduced => ({
  view: { ...view, message: { level, text } },
  effects: [],
});

/** Typing into a text field: printable characters append, backspace removes. */
function edit(text: string, input: string, key: KeyPress, allowed: RegExp): string {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl || !input) return text;
  const add = [...input].filter((ch) => allowed.test(ch)).join('');
  return (text + add).slice(0, 200);
}

function confirmDelete(view: ViewState, state: ScaleState, selection: ClusterSelection, prefix?: string): Reduced {
  const chosen = resolveSelection(state, selection);
  // Ranges go to the engine as numbers; a range written with another run's prefix must not
  // quietly select this run's clusters of the same numbers.
  const foreign = prefix ? chosen.find((c) => !c.name.startsWith(`${prefix}-`)) : undefined;
  if (foreign)
    return {
      view: {
        ...view,
        dialog: {
          kind: 'delete',
          text: '',
          error: `no cluster here is named ${prefix}-N (this run's are named like ${foreign.name})`,
        },
      },
      effects: [],
    };
  if (chosen.length === 0)
    return {
      view: {
        ...view,
        dialog: { kind: 'delete', text: '', error: 'that selects no cluster scale-tui created in this run' },
      },
      effects: [],
    };
  return same({ ...view, dialog: { kind: 'confirm-delete', selection, summary: describeClusters(chosen) } });
}

/** Turns a parsed intent into either a confirmation step or effects to run now. */
export function applyIntent(view: ViewState, state: ScaleState, intent: UiIntent): Reduced {
  switch (intent.type) {
    case 'delete':
      return confirmDelete({ ...view, input: undefined }, state, intent.selection, intent.prefix);
    case 'help':
      return same({ ...view, input: undefined, overlay: 'help' });
    case 'quit':
      return requestQuit({ ...view, input: undefined }, state);
    case 'tune': {
      const c = state.controllers[intent.controller];
      if (c && (intent.request.qps !== undefined || intent.request.burst !== undefined) && !c.supportsRateFlags) {
        return withMessage(
          { ...view, input: undefined },
          'error',
          `${intent.controller} has no --kube-api-qps/--kube-api-burst flags in its pinned version`,
        );
      }
      return { view: { ...view, input: undefined }, effects: [{ type: 'intent', intent }] };
    }
    default:
      return { view: { ...view, input: undefined }, effects: [{ type: 'intent', intent }] };
  }
}

function requestQuit(view: ViewState, state: ScaleState): Reduced {
  if (batchRunning(state)) return same({ ...view, dialog: { kind: 'confirm-quit' } });
  return { view, effects: [{ type: 'exit' }] };
}

function reduceDialog(view: ViewState, d: Dialog, input: string, key: KeyPress, ctx: KeyContext): Reduced {
  const close = { ...view, dialog: undefined };
  if (key.escape) return same(close);
  switch (d.kind) {
    case 'confirm-quit':
      if (input === 'y' || input === 'Y') return { view: close, effects: [{ type: 'exit' }] };
      if (input === 'n' || input === 'N' || key.return) return same(close);
      return same(view);
    case 'confirm-delete':
      if (input === 'y' || input === 'Y')
        return {
          view: { ...close, message: { level: 'info', text: `deleting ${d.summary}` } },
          effects: [{ type: 'intent', intent: { type: 'delete', selection: d.selection } }],
        };
      if (input === 'n' || input === 'N' || key.return) return same(close);
      return same(view);
    case 'delete': {
      if (key.return) {
        const sel = parseSelection(d.text);
        if (!sel.ok) return same({ ...view, dialog: { ...d, error: sel.error } });
        return confirmDelete(view, ctx.state, sel.value, rangePrefix(d.text));
      }
      return same({ ...view, dialog: { ...d, text: edit(d.text, input, key, /[-a-z0-9., ]/), error: undefined } });
    }
    case 'add': {
      const choices = backingChoices(ctx.state);
      if (key.tab || key.upArrow || key.downArrow)
        return same({ ...view, dialog: { ...d, field: d.field === 0 ? 1 : 0 } });
      if (d.field === 1 && (key.leftArrow || key.rightArrow)) {
        const step = key.leftArrow ? -1 : 1;
        return same({ ...view, dialog: { ...d, backing: (d.backing + step + choices.length) % choices.length } });
      }
      if (key.return) {
        const n = parseInteger(d.count, 'the count', 1, MAX_BATCH);
        if (!n.ok) return same({ ...view, dialog: { ...d, error: n.error } });
        const backing = choices[d.backing] ?? 'auto';
        return { view: close, effects: [{ type: 'intent', intent: { type: 'add', count: n.value, backing } }] };
      }
      if (d.field === 0)
        return same({ ...view, dialog: { ...d, count: edit(d.count, input, key, /[0-9-]/), error: undefined } });
      return same(view);
    }
    case 'concurrency': {
      if (key.return) {
        const lim = TUNE_LIMITS.concurrency;
        const n = parseInteger(d.value, 'concurrency', lim.min, lim.max);
        if (!n.ok) return same({ ...view, dialog: { ...d, error: n.error } });
        return {
          view: close,
          effects: [
            { type: 'intent', intent: { type: 'tune', controller: d.controller, request: { concurrency: n.value } } },
          ],
        };
      }
      return same({ ...view, dialog: { ...d, value: edit(d.value, input, key, /[0-9-]/), error: undefined } });
    }
    case 'rate': {
      if (key.tab || key.upArrow || key.downArrow)
        return same({ ...view, dialog: { ...d, field: d.field === 0 ? 1 : 0 } });
      if (key.return) {
        const qps = parseInteger(d.qps, 'QPS', TUNE_LIMITS.qps.min, TUNE_LIMITS.qps.max);
        if (!qps.ok) return same({ ...view, dialog: { ...d, error: qps.error } });
        const burst = parseInteger(d.burst, 'burst', TUNE_LIMITS.burst.min, TUNE_LIMITS.burst.max);
        if (!burst.ok) return same({ ...view, dialog: { ...d, error: burst.error } });
        if (burst.value < qps.value)
          return same({
            ...view,
            dialog: {
              ...d,
              error: `burst (${burst.value}) below QPS (${qps.value}) caps every burst at ${burst.value}: set burst >= QPS`,
            },
          });
        return {
          view: close,
          effects: [
            {
              type: 'intent',
              intent: { type: 'tune', controller: d.controller, request: { qps: qps.value, burst: burst.value } },
            },
          ],
        };
      }
      const field = d.field === 0 ? 'qps' : 'burst';
      return same({ ...view, dialog: { ...d, [field]: edit(d[field], input, key, /[0-9-]/), error: undefined } });
    }
  }
}

function moveCursor(view: ViewState, key: KeyPress, input: string, ctx: KeyContext): ViewState | undefined {
  const delta =
    key.upArrow || input === 'k'
      ? -1
      : key.downArrow || input === 'j'
        ? 1
        : key.pageUp
          ? -PAGE
          : key.pageDown
            ? PAGE
            : 0;
  if (delta === 0) return undefined;
  if (view.focus === 'controllers') {
    const n = controllerList(ctx.state).length;
    return { ...view, controllerCursor: Math.max(0, Math.min(n - 1, view.controllerCursor + delta)) };
  }
  const n = sortedClusters(ctx.state.clusters, view.filter).length;
  return { ...view, clusterCursor: Math.max(0, Math.min(n - 1, view.clusterCursor + delta)) };
}

export function reduceKey(view: ViewState, input: string, key: KeyPress, ctx: KeyContext): Reduced {
  const v: ViewState = view.message ? { ...view, message: undefined } : view;
  if (key.ctrl && input === 'c') return requestQuit(v, ctx.state);
  if (v.dialog) return reduceDialog(v, v.dialog, input, key, ctx);

  if (v.input) {
    const inp = v.input;
    if (key.escape) return same({ ...v, input: undefined, filter: inp.kind === 'filter' ? '' : v.filter });
    if (key.return) {
      if (inp.kind === 'filter') return same({ ...v, input: undefined });
      const parsed = parseCommand(inp.text);
      if (!parsed.ok) return withMessage({ ...v, input: undefined }, 'error', parsed.error);
      return applyIntent(v, ctx.state, parsed.value);
    }
    const text = edit(inp.text, input, key, /[ -~]/);
    return same({
      ...v,
      input: { ...inp, text },
      ...(inp.kind === 'filter' ? { filter: text, clusterCursor: 0 } : {}),
    });
  }

  if (v.overlay !== 'none') {
    if (key.escape || input === 'q' || input === '?' || (v.overlay === 'log' && input === 'l'))
      return same({ ...v, overlay: 'none' });
    return same(v);
  }

  const moved = moveCursor(v, key, input, ctx);
  if (moved) return same(moved);

  if (key.tab) {
    const i = PANES.indexOf(v.focus);
    return same({ ...v, focus: PANES[(i + (key.shift ? PANES.length - 1 : 1)) % PANES.length]! });
  }
  if (key.return) return same({ ...v, zoomed: !v.zoomed });
  if (key.escape) {
    if (v.zoomed) return same({ ...v, zoomed: false });
    if (v.filter) return same({ ...v, filter: '', clusterCursor: 0 });
    return same(v);
  }
  const digit = Number(input);
  if (input.length === 1 && digit >= 1 && digit <= PANES.length) return same({ ...v, focus: PANES[digit - 1]! });

  switch (input) {
    case '?':
      return same({ ...v, overlay: 'help' });
    case 'l':
      return same({ ...v, overlay: 'log' });
    case ':':
      return same({ ...v, input: { kind: 'command', text: '' } });
    case '/':
      return same({ ...v, focus: 'progress', input: { kind: 'filter', text: v.filter } });
    case 'q':
      return requestQuit(v, ctx.state);
    case 'p':
      return { view: v, effects: [{ type: 'intent', intent: { type: ctx.state.queue.paused ? 'resume' : 'pause' } }] };
    case 'a':
      return same({ ...v, dialog: { kind: 'add', count: String(ctx.defaultCount), backing: 0, field: 0 } });
    case 'd': {
      const list = sortedClusters(ctx.state.clusters, v.filter);
      const selected = v.focus === 'progress' ? list[Math.min(v.clusterCursor, list.length - 1)] : undefined;
      return same({
        ...v,
        dialog: { kind: 'delete', text: selected?.name ?? (ctx.state.batches.length ? 'last' : '') },
      });
    }
    case 'c':
    case 'r': {
      const c = selectedController(v, ctx.state);
      if (!c)
        return withMessage(
          v,
          'error',
          'no controller is known yet: the controllers pane fills once their Deployments are read',
        );
      const id = c.id as ControllerId;
      if (input === 'c') {
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
    default:
      return same(v);
  }
}
