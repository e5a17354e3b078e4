// The TUI module (Ink + React) is loaded only by the commands that show it, so headless
// subcommands start without React.
import { UserError } from '../core/errors.js';
// Types only: erased at build, so this does not load Ink.
import type { RunTuiOptions } from '../ui/index.js';

export interface TuiModule {
  runTui(opts: RunTuiOptions): Promise<void>;
}

export async function loadTui(): Promise<TuiModule> {
  const path = '../ui/index.js';
  try {
    return (await import(path)) as TuiModule;
  } catch (err) {
    throw new UserError(
      `the TUI cannot be loaded: ${(err as Error).message.split('\n')[0]}`,
      'Use the headless subcommands (scale-tui create/status/delete) or `scale-tui demo --headless`.',
    );
  }
}
