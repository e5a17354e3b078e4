// The real TUI, mounted for tests and benches: the App under Ink with a terminal stand-in
// of a chosen size (a TTY as Ink sees it, resizable) and a scripted stdin. Everything the App writes goes
// through the row writer to this stand-in; a frame is timed from its trigger (a store change
// or a key written to stdin) to the moment its bytes reach the terminal's write(). A virtual
// terminal (test/ui/vterm.ts) can replay the writes so a bench reads what the screen shows.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { render } from 'ink';
import type { ScaleStore } from '../../src/state/store.js';
import { App } from '../../src/ui/app.js';
import { INK_RENDER_OPTIONS } from '../../src/ui/index.js';
import type { DetailActions } from '../../src/ui/use-details.js';
import { recordingIntents } from './fixtures.js';
import { VirtualTerminal } from './vterm.js';

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
  /** From the trigger (store change or key) to the write, ms. */
  ms: number;
  /**
   * From the App's first read of the store after the trigger to the write, ms: the frame's
   * own work. For a store change this leaves out the wait for the App's redraw tick (the
   * coalescing, up to frameMs by design); for a key it is the whole path but Ink's parsing.
   */
  work: number;
  bytes: number;
}

export function mountApp(opts: {
  cols: number;
  rows: number;
  store: ScaleStore;
  detail?: DetailActions;
  /** The App's redraw tick; the benches use 1 ms so a store change is picked up at once. */
  frameMs?: number;
  /** Keep every write (tests); benches keep none, so an hour of frames does not grow. */
  keepWrites?: boolean;
}) {
  let trigger = 0;
  let firstRead = 0;
  // The App reads the store at the start of each frame's work (the redraw tick's snapshot,
  // the key reducer's context): the first read after a trigger starts the frame's work.
  const store: ScaleStore = {
    ...opts.store,
    getState: () => {
      if (firstRead === 0) firstRead = performance.now();
      return opts.store.getState();
    },
  };
  let waiting: ((w: Written) => void) | undefined;
  // Every write is replayed (after its time is taken) so the bench can read the screen;
  // a resize starts a terminal of the new size (the writer repaints all after one).
  let replay = new VirtualTerminal(opts.cols, opts.rows);
  const all: string[] = [];
  let writes = 0;
  const sink = Object.assign(
    new Writable({
      write: (c: Buffer | string, _e, cb) => {
        const at = performance.now();
        const text = c.toString();
        if (text.length > 0) {
          writes++;
          if (opts.keepWrites) all.push(text);
          replay.write(text);
          const w = waiting;
          waiting = undefined;
          w?.({ ms: at - trigger, work: at - (firstRead || trigger), bytes: text.length });
        }
        cb();
      },
    }),
    { columns: opts.cols, rows: opts.rows, isTTY: true },
  );
  const stdin = new ScriptedStdin();
  const ink = render(
    <App
      store={store}
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
      if (restart) {
        trigger = performance.now();
        firstRead = 0;
      }
      act();
    });
  }
  /** The next write, timed from the last trigger (a frame that takes more than one write). */
  const more = (timeoutMs = 2000): Promise<Written> => frameFrom(() => undefined, timeoutMs, false);
  return {
    frame,
    more,
    press: (keys: string): void => stdin.write(keys),
    /** Ink reads keys once its input effect has run; keys written before that are lost. */
    inputReady: async (): Promise<void> => {
      const end = Date.now() + 30_000;
      while (stdin.listenerCount('readable') === 0) {
        if (Date.now() > end) throw new Error('Ink never started reading stdin');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    /** The screen as the writes so far left it. */
    screen: (): string => replay.text(),
    writes: (): number => writes,
    /** Every non-empty write so far (with keepWrites). */
    written: (): readonly string[] => all,
    /** The terminal resized, as a TTY reports it: new size, then 'resize'. */
    resize: (cols: number, rows: number): void => {
      replay = new VirtualTerminal(cols, rows);
      Object.assign(sink, { columns: cols, rows });
      sink.emit('resize');
    },
    unmount: (): void => ink.unmount(),
  };
}

export type MountedApp = ReturnType<typeof mountApp>;
