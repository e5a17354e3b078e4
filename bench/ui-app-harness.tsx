// The real TUI, mounted for the benches: the App under Ink with a terminal stand-in of a
// chosen size (a TTY as Ink sees it) and a scripted stdin. Everything the App writes goes
// through the row writer to this stand-in; a frame is timed from its trigger (a store change
// or a key written to stdin) to the moment its bytes reach the terminal's write(). A virtual
// terminal (test/ui/vterm.ts) can replay the writes so a bench reads what the screen shows.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { render } from 'ink';
import type { ScaleStore } from '../src/state/store.js';
import { App } from '../src/ui/app.js';
import { INK_RENDER_OPTIONS } from '../src/ui/index.js';
import type { DetailActions } from '../src/ui/use-details.js';
import { recordingIntents } from '../test/ui/fixtures.js';
import { VirtualTerminal } from '../test/ui/vterm.js';

/** A stdin as Ink reads it: raw mode, 'readable' then read(). */
class ScriptedStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface Written {
  /** From the trigger to the write, ms. */
  ms: number;
  bytes: number;
}

export function mountApp(opts: {
  cols: number;
  rows: number;
  store: ScaleStore;
  detail?: DetailActions;
  /** The App's redraw tick; the benches use 1 ms so a store change is picked up at once. */
  frameMs?: number;
}) {
  let trigger = 0;
  let waiting: ((w: Written) => void) | undefined;
  // Every write is replayed (after its time is taken) so the bench can read the screen.
  const replay = new VirtualTerminal(opts.cols, opts.rows);
  let writes = 0;
  const sink = Object.assign(
    new Writable({
      write: (c: Buffer | string, _e, cb) => {
        const at = performance.now();
        const text = c.toString();
        if (text.length > 0) {
          writes++;
          replay.write(text);
          const w = waiting;
          waiting = undefined;
          w?.({ ms: at - trigger, bytes: text.length });
        }
        cb();
      },
    }),
    { columns: opts.cols, rows: opts.rows, isTTY: true },
  );
  const stdin = new ScriptedStdin();
  const ink = render(
    <App
      store={opts.store}
      intents={recordingIntents()}
      title="scale-tui"
      defaultCount={10}
      frameMs={opts.frameMs ?? 1}
      onExit={() => undefined}
      detail={opts.detail}
    />,
    {
      ...INK_RENDER_OPTIONS,
      stdout: sink as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    },
  );
  /** The next write after `act` runs (act is the trigger); rejects after `timeoutMs`. */
  const frame = (act: () => void, timeoutMs = 2000): Promise<Written> => frameFrom(act, timeoutMs, true);
  function frameFrom(act: () => void, timeoutMs: number, restart: boolean): Promise<Written> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting = undefined;
        reject(new Error(`no frame written within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting = (w) => {
        clearTimeout(timer);
        resolve(w);
      };
      if (restart) trigger = performance.now();
      act();
    });
  }
  /** The next write, timed from the last trigger (a frame that takes more than one write). */
  const more = (timeoutMs = 2000): Promise<Written> => frameFrom(() => undefined, timeoutMs, false);
  return {
    frame,
    more,
    press: (keys: string): void => stdin.write(keys),
    /** The screen as the writes so far left it. */
    screen: (): string => replay.text(),
    writes: (): number => writes,
    unmount: (): void => ink.unmount(),
  };
}

export type MountedApp = ReturnType<typeof mountApp>;
