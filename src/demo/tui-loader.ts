// Loads the TUI module (Ink + React) at run time, for the two places that show it: the CLI's
// `ui` command and the demo. Resolved at run time for two reasons: headless subcommands start
// without React, and the UI sits above the demo in the layers (ARCHITECTURE.md), so a static
// import here would be an upward arrow. The path is relative to this folder, as it is from
// src/cli (both sit one level under src/), so the built tree resolves it the same way.
import { UserError } from '../core/errors.js';

/** The TUI module as the caller types it; `fix` says what to run instead when it cannot load. */
export async function loadTuiModule<T>(fix: string): Promise<T> {
  const path = '../ui/index.js';
  try {
    return (await import(path)) as T;
  } catch (err) {
    throw new UserError(`the TUI cannot be loaded: ${(err as Error).message.split('\n')[0]}`, fix);
  }
}
