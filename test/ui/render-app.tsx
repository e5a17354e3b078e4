// The real App under ink-testing-library, for the suites that type keys into it and read
// the screen: app (keys), notes (in-flight notes) and the demo's controller log viewer each
// rendered it and wrote the same key helper. The screen is read through a virtual terminal
// fed with the app's writes (the row writer sends only changed rows after the first frame).
import { render } from 'ink-testing-library';
import type { EngineIntents } from '../../src/core/types.js';
import type { ScaleStore } from '../../src/state/store.js';
import { App } from '../../src/ui/app.js';
import { screenOf } from './vterm.js';

export interface RenderedApp {
  r: ReturnType<typeof render>;
  /** Writes each key to stdin, then waits `keyGapMs` (stdin is read in order, whatever the wait). */
  press(...keys: string[]): Promise<void>;
  /** The text on a 100x24 virtual terminal after everything written so far. */
  frame(): string;
}

export function renderApp(opts: {
  store: ScaleStore;
  intents: EngineIntents;
  title: string;
  defaultCount: number;
  onExit?: () => void;
  keyGapMs: number;
}): RenderedApp {
  const r = render(
    <App
      store={opts.store}
      intents={opts.intents}
      title={opts.title}
      defaultCount={opts.defaultCount}
      frameMs={20}
      onExit={opts.onExit ?? (() => undefined)}
    />,
  );
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      r.stdin.write(k);
      await new Promise((done) => setTimeout(done, opts.keyGapMs));
    }
  };
  return { r, press, frame: screenOf(r) };
}
