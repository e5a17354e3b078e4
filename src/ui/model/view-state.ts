// The UI's own state (pages, focus, dialogs, filter, cursors, sort) and the types the key
// reducer trades in. Kept apart from the reducer so the command table and the reducer can
// both import it without a cycle.
import type { ClusterSelection, ControllerId } from '../../core/types.js';
import type { ScaleState } from '../../state/store.js';
import type { UiIntent } from './command.js';
import type { PaneId } from './layout.js';
import type { KeyFlags, Keymap } from './keymap.js';

export type Dialog =
  | { kind: 'add'; count: string; backing: number; field: 0 | 1; error?: string }
  | { kind: 'delete'; text: string; error?: string }
  | { kind: 'confirm-delete'; selection: ClusterSelection; summary: string }
  | { kind: 'concurrency'; controller: ControllerId; value: string; error?: string }
  | { kind: 'rate'; controller: ControllerId; qps: string; burst: string; field: 0 | 1; error?: string }
  | { kind: 'confirm-quit' };

/** Which lines the log viewer shows: the engine log, every throttling line, or one controller's. */
export type LogSource = 'engine' | 'throttling' | `controller:${string}`;

export interface LogViewState {
  source: LogSource;
  /** Entries above the window's anchor (the live end, or `until` when not following). */
  scroll: number;
  follow: boolean;
  /** Not following: the window ends at the last entry at or before this time, so new lines do not move it. */
  until?: number;
  wrap: boolean;
  timestamps: boolean;
  filter: string;
  /** Only lines newer than this many ms; 0 = everything in the buffer. */
  sinceMs: number;
}

/** A page over the main screen; `esc` pops it (the view stack). */
export type Page = { kind: 'detail'; cluster: string; scroll: number } | ({ kind: 'log' } & LogViewState);

export type TableId = 'clusters' | 'controllers' | 'backing';

export interface SortState {
  column: string;
  desc: boolean;
}

export interface ViewState {
  focus: PaneId;
  zoomed: boolean;
  /** Pages opened over the main screen, last on top. */
  pages: Page[];
  help: boolean;
  /** The `:` command line or a `/` filter being typed (the cluster list's or the log's). */
  input?: { kind: 'command' | 'filter' | 'log-filter'; text: string; historyIndex?: number };
  dialog?: Dialog;
  filter: string;
  clusterCursor: number;
  controllerCursor: number;
  sort: Record<TableId, SortState>;
  wide: boolean;
  /** Commands entered with `:`, oldest first (bounded). */
  history: string[];
  message?: { level: 'info' | 'error'; text: string };
}

export const initialView = (): ViewState => ({
  focus: 'progress',
  zoomed: false,
  pages: [],
  help: false,
  filter: '',
  clusterCursor: 0,
  controllerCursor: 0,
  sort: {
    clusters: { column: 'cluster', desc: false },
    controllers: { column: 'controller', desc: false },
    backing: { column: 'name', desc: false },
  },
  wide: false,
  history: [],
});

/**
 * The subset of Ink's key object the reducer reads (so this module does not import Ink): the
 * flags a key name is made of (keymap.ts) and the two that text fields edit with.
 */
export interface KeyPress extends KeyFlags {
  backspace?: boolean;
  delete?: boolean;
}

/** What the app must do after a key: engine intents, quitting, fetching or saving. */
export type Effect =
  | { type: 'intent'; intent: UiIntent }
  | { type: 'exit' }
  /** Load (and keep refreshing) a cluster's objects for the detail page. */
  | { type: 'describe'; cluster: string }
  /** Write the log viewer's current lines to a file (0600). */
  | { type: 'save-log'; source: LogSource; lines: string[] }
  /** Re-run the failed clusters (the engine resumes the run). */
  | { type: 'retry'; cluster: string }
  /** Farm topology: take a cluster's API down or slow it. */
  | { type: 'fault'; fault: 'api-down' | 'api-slow'; cluster: string }
  /** Repaint every row: something else wrote over the screen (only changed rows are redrawn). */
  | { type: 'redraw' };

export interface KeyContext {
  state: ScaleState;
  /** Count the add dialog starts with (the config's batch size). */
  defaultCount: number;
  keymap: Keymap;
  /** --read-only: every command that changes clusters is refused. */
  readOnly: boolean;
  /** The time the log viewer's since-range counts back from. */
  now: number;
  /** How the log viewer opens (preferences `log:`). */
  logDefaults?: { wrap: boolean; timestamps: boolean };
  /** Faults the topology supports for one cluster's API (farm); empty elsewhere. */
  faults: ReadonlyArray<'api-down' | 'api-slow'>;
}

export interface Reduced {
  view: ViewState;
  effects: Effect[];
}

export const same = (view: ViewState): Reduced => ({ view, effects: [] });
export const withMessage = (view: ViewState, level: 'info' | 'error', text: string): Reduced => ({
  view: { ...view, message: { level, text } },
  effects: [],
});

export const topPage = (v: ViewState): Page | undefined => v.pages[v.pages.length - 1];
