// The TUI's root: the coalesced store snapshot, the terminal size and the view state in,
// one composed screen out per frame. Keys go through Ink's useInput to the pure reducer
// (model/reducer.ts); effects run after the view is set. The screen is not drawn by Ink:
// its rows go to the terminal through the row writer (terminal/row-writer.ts), which
// rewrites only what changed, because Ink's layout and output stage cost 30-45 ms a frame
// at 200x60 with 1000 clusters against ~1 ms for composing and diffing the rows.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApp, useInput, useStdout, type Key } from 'ink';
import type { EngineIntents } from '../core/types.js';
import { appendLog, type ScaleState, type ScaleStore } from '../state/store.js';
import { tuneWarnings } from '../engine/tune/warnings.js';
import type { UiIntent } from './model/command.js';
import { defaultKeymap } from './model/commands.js';
import type { Keymap } from './model/keymap.js';
import { type Effect, initialView, type KeyPress, reduceKey, type ViewState } from './model/reducer.js';
import { renderScreen } from './screen.js';
import { RowWriter } from './terminal/row-writer.js';
import { screenRows } from './terminal/rows.js';
import { type DetailActions, useDetails } from './use-details.js';
import { saveLog } from './save-log.js';

export interface AppProps {
  store: ScaleStore;
  intents: EngineIntents;
  title: string;
  defaultCount: number;
  /** Redraw period: store updates in between are coalesced (1000 clusters change often). */
  frameMs?: number;
  onExit: () => void;
  /** --read-only: actions that change clusters are hidden and refused. */
  readOnly?: boolean;
  /** Defaults plus the user's overrides (config.yaml `keys:`). */
  keymap?: Keymap;
  /** The detail page's data source and per-cluster actions (describe, retry, farm faults). */
  detail?: DetailActions;
  /** Where `ctrl-s` in the log viewer writes (mode 0600). */
  saveDir?: string;
  /** How the log viewer opens (preferences `log:`). */
  logDefaults?: { wrap: boolean; timestamps: boolean };
  /** Shown once at start (bad entries in the preferences file). */
  startMessage?: { level: 'info' | 'error'; text: string };
}

/** A snapshot of the store at most every `ms`, plus a clock tick for ages and ETA. */
function useCoalescedStore(store: ScaleStore, ms: number): { state: ScaleState; now: number } {
  const [snap, setSnap] = useState(() => ({ state: store.getState(), now: Date.now() }));
  const dirty = useRef(false);
  useEffect(() => {
    const off = store.subscribe(() => {
      dirty.current = true;
    });
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      // Redraw on change, and once a second anyway for the clock.
      if (dirty.current || ticks * ms >= 1000) {
        dirty.current = false;
        ticks = 0;
        setSnap({ state: store.getState(), now: Date.now() });
      }
    }, ms);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [store, ms]);
  return snap;
}

function useTerminalSize(): { cols: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { cols: number; rows: number } => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read() only reads stdout, the one dependency
  useEffect(() => {
    const on = (): void => setSize(read());
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
  }, [stdout]);
  return size;
}

/**
 * A paste, or keys sent faster than a frame (tmux send-keys, a slow SSH link), arrive as
 * one chunk; each character is a key of its own, with Enter, Tab and Backspace recognised.
 */
export function splitKeys(input: string, key: Key): Array<[string, KeyPress]> {
  if (input.length <= 1 || key.ctrl || key.meta || input.startsWith('\u001b')) return [[input, key]];
  return [...input].map((ch): [string, KeyPress] =>
    ch === '\r' || ch === '\n'
      ? ['', { return: true }]
      : ch === '\t'
        ? ['', { tab: true }]
        : ch === '\u007f' || ch === '\b'
          ? ['', { backspace: true }]
          : [ch, {}],
  );
}

function describe(intent: UiIntent): string {
  switch (intent.type) {
    case 'add':
      return `adding ${intent.count} clusters (${intent.backing ?? 'auto'})`;
    case 'delete':
      return 'deleting';
    case 'tune':
      return `tuning ${intent.controller}: ${JSON.stringify(intent.request)} (waiting for the rollout)`;
    case 'concurrency':
      return `concurrency ${intent.n}`;
    default:
      return intent.type;
  }
}

const fallbackKeymap = defaultKeymap();

export function App({
  store,
  intents,
  title,
  defaultCount,
  frameMs = 250,
  onExit,
  readOnly = false,
  keymap = fallbackKeymap,
  detail,
  saveDir = process.cwd(),
  startMessage,
  logDefaults,
}: AppProps): null {
  const { exit } = useApp();
  const { state, now } = useCoalescedStore(store, frameMs);
  const { stdout } = useStdout();
  const { cols, rows } = useTerminalSize();
  const [writer] = useState(() => new RowWriter());
  const [, repaint] = useState(0);
  const [view, setView] = useState<ViewState>(() => ({ ...initialView(), message: startMessage }));
  const faults = detail?.faults ?? [];
  const details = useDetails(store, view, detail);
  const viewRef = useRef(view);
  viewRef.current = view;

  const note = (level: 'info' | 'error', text: string): void => setView((v) => ({ ...v, message: { level, text } }));

  const run = (intent: UiIntent): void => {
    note('info', describe(intent));
    const done = (text: string): void => note('info', text);
    const fail = (err: unknown): void =>
      note('error', `${describe(intent)} failed: ${err instanceof Error ? err.message : String(err)}`);
    switch (intent.type) {
      case 'add':
        intents
          .addBatch({ count: intent.count, backing: intent.backing })
          .then((s) => done(`batch ${s.batchId}: ${s.ready} of ${s.requested} ready, ${s.failed} failed`), fail);
        break;
      case 'delete':
        intents
          .deleteClusters(intent.selection)
          .then(
            (s) =>
              done(
                `deleted ${s.deleted.length}${s.failed.length ? `, ${s.failed.length} failed: ${s.failed[0]!.reason}` : ''}`,
              ),
            fail,
          );
        break;
      case 'tune': {
        // Warnings go to the log (and its status line) now, and stay in the note afterwards.
        const warnings = tuneWarnings(intent.controller, intent.request, store.getState().run?.versions);
        for (const w of warnings) appendLog(store, 'warn', `${intent.controller}: ${w}`);
        const after = warnings.length ? `; warning: ${warnings.join('; ')}` : '';
        if (warnings.length) note('info', `${describe(intent)}; warning: ${warnings.join('; ')}`);
        const rolledOut = (): void => done(`${intent.controller}: new flags rolled out${after}`);
        intents.tune(intent.controller, intent.request).then(rolledOut, fail);
        break;
      }
      case 'concurrency':
        intents.setConcurrency(intent.n);
        break;
      case 'pause':
        intents.pause();
        break;
      case 'resume':
        intents.resume();
        break;
      default:
        break;
    }
  };

  const perform = (e: Effect): void => {
    switch (e.type) {
      case 'exit':
        onExit();
        exit();
        return;
      case 'intent':
        run(e.intent);
        return;
      case 'describe':
        details.open(e.cluster);
        return;
      case 'save-log':
        saveLog(saveDir, e.source, e.lines).then(
          (path) => note('info', `saved ${e.lines.length} lines to ${path} (mode 0600)`),
          (err: Error) => note('error', `saving the log failed: ${err.message}`),
        );
        return;
      case 'redraw':
        // The next frame repaints every row; a render is asked for even if nothing changed.
        writer.invalidate();
        repaint((n) => n + 1);
        return;
      case 'retry':
      case 'fault':
        note('info', e.type === 'retry' ? `retrying ${e.cluster}` : `${e.fault}: ${e.cluster}`);
        details.act(e).then(
          (text) => note('info', text),
          (err: Error) => note('error', `${e.type} ${e.cluster} failed: ${err.message}`),
        );
        return;
    }
  };

  useInput((input, key) => {
    let current = viewRef.current;
    const effects: Effect[] = [];
    for (const [i, k] of splitKeys(input, key)) {
      const next = reduceKey(current, i, k, {
        state: store.getState(),
        defaultCount,
        keymap,
        readOnly,
        now: Date.now(),
        faults,
        logDefaults,
      });
      current = next.view;
      effects.push(...next.effects);
    }
    // The view first, then the effects: an effect's note (setView(fn)) then lands on top of
    // this view instead of being overwritten by it ("adding 10 clusters (auto)" was lost so).
    viewRef.current = current;
    setView(current);
    for (const e of effects) perform(e);
  });

  const screen = renderScreen(state, view, cols, frameRows(rows), now, title, {
    keymap,
    readOnly,
    faults,
    details: details.data,
  });
  // Ink handles the keys; the rows go to the terminal through the row writer (only the
  // changed ones), right after React commits this frame. Ink itself draws nothing.
  const frame = screenRows(screen);
  useLayoutEffect(() => {
    const bytes = writer.frame(frame, cols, rows);
    if (bytes !== '') stdout.write(bytes);
  });
  return null;
}

/**
 * Rows a frame may use: one short of the terminal. The bottom row stays free: every pane
 * and golden screen is sized for it, and a terminal that ignores the autowrap switch would
 * scroll the whole screen when the bottom-right cell is written.
 */
export const frameRows = (terminalRows: number): number => Math.max(1, terminalRows - 1);
