// Keys through the TUI's pure key reducer, for the tests that check what a key sequence does
// (the command table, the farm fault keys): a sequence in, the last view and every effect
// out, with no Ink and no sleeps. One runner, so each suite spells a key the same way.
import type { ScaleState } from '../../src/state/store.js';
import {
  type Effect,
  initialView,
  type KeyContext,
  type KeyPress,
  keyContext,
  reduceKey,
  type ViewState,
} from '../../src/ui/model/reducer.js';

/** The keys a test names by a word: what Ink reports for each (input, key). */
export const NAMED_KEYS: Readonly<Record<string, [string, KeyPress]>> = {
  enter: ['', { return: true }],
  esc: ['', { escape: true }],
  tab: ['', { tab: true }],
  'shift-tab': ['', { tab: true, shift: true }],
  up: ['', { upArrow: true }],
  down: ['', { downArrow: true }],
  pgup: ['', { pageUp: true }],
  pgdn: ['', { pageDown: true }],
  backspace: ['', { backspace: true }],
  'ctrl-s': ['s', { ctrl: true }],
  'ctrl-c': ['c', { ctrl: true }],
};

export interface KeyRun {
  view: ViewState;
  effects: Effect[];
}

/**
 * A runner over one store state at one time: each entry of `keys` that NAMED_KEYS names is
 * that key, anything else types its characters one by one; `over` changes the key context
 * (read-only, faults, keymap), `start` the view the keys begin from.
 */
export function keyRunner(
  state: ScaleState,
  now: number,
): (keys: string[], over?: Partial<KeyContext>, start?: Partial<ViewState>) => KeyRun {
  return (keys, over = {}, start = {}) => {
    const ctx = keyContext(state, { now, ...over });
    let view: ViewState = { ...initialView(), ...start };
    const effects: Effect[] = [];
    for (const k of keys) {
      const named = NAMED_KEYS[k];
      const presses: Array<[string, KeyPress]> = named ? [named] : [...k].map((ch) => [ch, {}]);
      for (const [input, key] of presses) {
        const r = reduceKey(view, input, key, ctx);
        view = r.view;
        effects.push(...r.effects);
      }
    }
    return { view, effects };
  };
}
