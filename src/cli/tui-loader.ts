// The TUI module (Ink + React) is loaded only by the commands that show it, so headless
// subcommands start without React. The loading itself is src/demo/tui-loader.ts, shared with
// the demo; this names the module's type and what a CLI user runs instead.
import { loadTuiModule } from '../demo/tui-loader.js';
// Types only: erased at build, so this does not load Ink.
import type { RunTuiOptions } from '../ui/index.js';

export interface TuiModule {
  runTui(opts: RunTuiOptions): Promise<void>;
}

export function loadTui(): Promise<TuiModule> {
  return loadTuiModule<TuiModule>(
    'Use the headless subcommands (scale-tui create/status/delete) or `scale-tui demo --headless`.',
  );
}
