// Keys inside a dialog (add, delete, confirm, concurrency, rate, quit). Dialogs take text,
// so their keys are not remappable commands: every printable key types.
import { MAX_BATCH, TUNE_LIMITS, type ClusterSelection } from '../../core/types.js';
import type { ScaleState } from '../../state/store.js';
import { parseInteger, parseSelection, rangePrefix } from './command.js';
import { batchRunning, describeClusters, resolveSelection } from './derive.js';
import { type Dialog, type KeyContext, type KeyPress, type Reduced, same, type ViewState } from './view-state.js';

export function backingChoices(state: ScaleState): string[] {
  return ['auto', ...Object.keys(state.backing).sort()];
}

/** Typing into a text field: printable characters append, backspace removes. */
export function edit(text: string, input: string, key: KeyPress, allowed: RegExp): string {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl || !input) return text;
  const add = [...input].filter((ch) => allowed.test(ch)).join('');
  return (text + add).slice(0, 200);
}

/** The one call site that turns a selection into clusters before a delete is confirmed. */
export function confirmDelete(
  view: ViewState,
  state: ScaleState,
  selection: ClusterSelection,
  prefix?: string,
): Reduced {
  const chosen = resolveSelection(state, selection);
  // Ranges go to the engine as numbers; a range written with another run's prefix must not
  // quietly select this run's clusters of the same numbers.
  const foreign = prefix ? chosen.find((c) => !c.name.startsWith(`${prefix}-`)) : undefined;
  if (foreign)
    return same({
      ...view,
      dialog: {
        kind: 'delete',
        text: '',
        error: `no cluster here is named ${prefix}-N (this run's are named like ${foreign.name})`,
      },
    });
  if (chosen.length === 0)
    return same({
      ...view,
      dialog: { kind: 'delete', text: '', error: 'that selects no cluster scale-tui created in this run' },
    });
  return same({ ...view, dialog: { kind: 'confirm-delete', selection, summary: describeClusters(chosen) } });
}

export function requestQuit(view: ViewState, state: ScaleState): Reduced {
  if (batchRunning(state)) return same({ ...view, dialog: { kind: 'confirm-quit' } });
  return { view, effects: [{ type: 'exit' }] };
}

function numberField(text: string, input: string, key: KeyPress): string {
  return edit(text, input, key, /[0-9-]/);
}

export function reduceDialog(view: ViewState, d: Dialog, input: string, key: KeyPress, ctx: KeyContext): Reduced {
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
        return same({ ...view, dialog: { ...d, count: numberField(d.count, input, key), error: undefined } });
      return same(view);
    }
    case 'concurrency': {
      if (key.return) {
        const lim = TUNE_LIMITS.concurrency;
        const n = parseInteger(d.value, 'concurrency', lim.min, lim.max);
        if (!n.ok) return same({ ...view, dialog: { ...d, error: n.error } });
        const request = { concurrency: n.value };
        return {
          view: close,
          effects: [{ type: 'intent', intent: { type: 'tune', controller: d.controller, request } }],
        };
      }
      return same({ ...view, dialog: { ...d, value: numberField(d.value, input, key), error: undefined } });
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
        const request = { qps: qps.value, burst: burst.value };
        return {
          view: close,
          effects: [{ type: 'intent', intent: { type: 'tune', controller: d.controller, request } }],
        };
      }
      const field = d.field === 0 ? 'qps' : 'burst';
      return same({ ...view, dialog: { ...d, [field]: numberField(d[field], input, key), error: undefined } });
    }
  }
}
