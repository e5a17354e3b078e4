// runTui: the full-screen control center over a store and the engine's intents. It renders
// and sends intents; the caller owns the engine and stops it after the UI returns.
import React from 'react';
import { UserError } from '../core/errors.js';
import type { EngineIntents } from '../core/types.js';
import { format } from 'node:util';
import { appendLog, type LogLine, type ScaleStore } from '../state/store.js';
import { loadPrefs } from './config/prefs.js';
import { buildKeymap } from './model/keymap.js';
import { RESTORE_TERMINAL } from './terminal/row-writer.js';
import { setTheme } from './theme.js';
import type { DetailActions } from './use-details.js';

export interface RunTuiOptions {
  store: ScaleStore;
  intents: EngineIntents;
  title?: string;
  /** The add dialog's starting count (the config's batch size). */
  defaultCount?: number;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** --read-only: actions that change clusters are hidden and refused. */
  readOnly?: boolean;
  /** The detail page's describe adapter and per-cluster actions. */
  detail?: DetailActions;
  /** Where the log viewer saves (the state directory). */
  saveDir?: string;
}

/**
 * How the TUI drives Ink: input only (the App draws no Ink element; the row writer in
 * terminal/ writes the screen). Console output is routed to the engine log by runTui, not
 * patched by Ink, whose patch writes the text straight over the screen.
 */
export const INK_RENDER_OPTIONS = { exitOnCtrlC: false, patchConsole: false } as const;

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H';
const ALT_SCREEN_OFF = '\u001b[?1049l';

export async function runTui(opts: RunTuiOptions): Promise<void> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new UserError(
      'the TUI needs an interactive terminal (stdin and stdout are not a TTY)',
      'Run it in a terminal (over ssh use `ssh -t`), or use the headless subcommands / `scale-tui demo --headless`.',
    );
  }
  // Ink draws only a final frame when it believes it runs in CI (CI=true, which CI
  // machines and some test VMs export). We have a real terminal here, so the live UI is
  // wanted: Ink reads the flag once when it loads, which is why it is loaded only now.
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
  const [{ render }, { App }, { COMMANDS }] = await Promise.all([
    import('ink'),
    import('./app.js'),
    import('./model/commands.js'),
  ]);
  // Preferences: a bad entry is named once in the footer and its default stays in force.
  const loaded = loadPrefs();
  setTheme(loaded.prefs.theme);
  const keymap = buildKeymap(COMMANDS, loaded.prefs.keys);
  const startMessage = loaded.problems.length
    ? {
        level: 'error' as const,
        text: `${loaded.problems[0]}${loaded.problems.length > 1 ? ` (+${loaded.problems.length - 1} more: scale-tui info)` : ''}`,
      }
    : opts.readOnly
      ? { level: 'info' as const, text: 'read-only: actions that change clusters are off' }
      : undefined;
  // The alternate screen keeps the user's scrollback intact and gives a clean full screen.
  stdout.write(ALT_SCREEN_ON);
  const instance = render(
    React.createElement(App, {
      store: opts.store,
      intents: opts.intents,
      title: opts.title ?? 'scale-tui',
      defaultCount: opts.defaultCount ?? 10,
      onExit: () => undefined,
      readOnly: opts.readOnly ?? false,
      keymap,
      detail: opts.detail,
      saveDir: opts.saveDir,
      startMessage,
      logDefaults: loaded.prefs.log,
    }),
    { ...INK_RENDER_OPTIONS, stdin, stdout },
  );
  const restoreConsole = consoleToLog(opts.store);
  // A dropped SSH session (SIGHUP, then EIO/EPIPE on every write) ends the UI like a quit:
  // the caller then shuts the engine down cleanly and the run resumes on the next start.
  let terminalGone = false;
  const end = (): void => {
    try {
      instance.unmount();
    } catch {
      // already unmounted
    }
  };
  const onOutError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EIO' || err.code === 'EPIPE' || err.code === 'ENOTCONN') {
      terminalGone = true;
      end();
    }
  };
  stdout.on('error', onOutError);
  process.once('SIGHUP', end);
  try {
    await instance.waitUntilExit();
  } finally {
    restoreConsole();
    process.removeListener('SIGHUP', end);
    if (!terminalGone) stdout.write(RESTORE_TERMINAL + ALT_SCREEN_OFF);
    // Late writes to a dead terminal must not crash the engine's shutdown.
    if (!terminalGone) stdout.removeListener('error', onOutError);
  }
}

/**
 * While the TUI owns the terminal, console output becomes engine log lines (the log pane
 * and viewer show them): written to the terminal it would land over the screen, where the
 * row writer, which rewrites only changed rows, would leave it standing. Returns the undo.
 */
function consoleToLog(store: ScaleStore): () => void {
  const levels: Array<[keyof Console & ('log' | 'info' | 'debug' | 'warn' | 'error'), LogLine['level']]> = [
    ['log', 'info'],
    ['info', 'info'],
    ['debug', 'info'],
    ['warn', 'warn'],
    ['error', 'error'],
  ];
  const saved = levels.map(([name]) => [name, console[name]] as const);
  for (const [name, level] of levels) console[name] = (...args: unknown[]) => appendLog(store, level, format(...args));
  return () => {
    for (const [name, fn] of saved) console[name] = fn;
  };
}
