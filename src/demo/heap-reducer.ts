// Gives the demo's unused heap pages back to the system while the demo runs.
//
// Why: after a full GC, V8 keeps every page that still holds one live object, and it only
// compacts such pages hard (moving survivors together and releasing the emptied pages) in
// a memory-reducing GC, which its memory reducer starts when the program goes idle. The
// demo is never idle (controllers, watches and probes run all the time), so the pages
// freed by its churn stayed committed: at ~160 ready clusters of the 1000-cluster bench
// the heap held 265 MiB for 153 MiB in use, and one memory-reducing GC took it to 188 MiB
// (137 MiB live) and RSS from 523 to 443 MiB (issue 15, peak RSS is the demo's target).
//
// So the demo looks at its heap every few seconds and, when the committed heap exceeds
// what is in use by a margin, asks for one memory-reducing GC through the in-process
// inspector (HeapProfiler.collectGarbage, the GC V8's own reducer and heap snapshots use),
// at most once per `minGapMs`. The pause is that of a full GC (tens to hundreds of ms
// here); no figure, pane or cluster depends on it.
import { Session } from 'node:inspector';

const MiB = 1024 * 1024;

export interface HeapReading {
  heapTotal: number;
  heapUsed: number;
}

export interface HeapReducerOptions {
  /** How often the heap is read. */
  checkEveryMs?: number;
  /** Reduce when the committed heap exceeds the used heap by this share of it... */
  slackShare?: number;
  /** ...and by at least this many bytes (small heaps are not worth a pause). */
  minSlackBytes?: number;
  /** At least this long between two reducing GCs. */
  minGapMs?: number;
  /** The reading (tests); process.memoryUsage() by default. */
  read?: () => HeapReading;
  /** Runs the reducing GC (tests); the inspector's HeapProfiler.collectGarbage by default. */
  collect?: () => Promise<void>;
  now?: () => number;
}

export const HEAP_REDUCER_DEFAULTS = {
  checkEveryMs: 5_000,
  slackShare: 0.4,
  minSlackBytes: 48 * MiB,
  minGapMs: 30_000,
} as const;

/** True when a heap with this reading holds enough unused committed pages to reduce. */
export function worthReducing(r: HeapReading, slackShare: number, minSlackBytes: number): boolean {
  const slack = r.heapTotal - r.heapUsed;
  return slack > minSlackBytes && slack > slackShare * r.heapUsed;
}

export interface HeapReducer {
  /** Reducing GCs run so far. */
  readonly reductions: number;
  /** One look at the heap now (the timer calls it); resolves when any GC it started ended. */
  check(): Promise<void>;
  stop(): void;
}

function inspectorCollect(): { collect: () => Promise<void>; close: () => void } {
  const session = new Session();
  session.connect();
  return {
    collect: () =>
      new Promise<void>((resolve, reject) =>
        session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())),
      ),
    close: () => session.disconnect(),
  };
}

/** Starts looking at the heap every `checkEveryMs`; the timer does not keep the process alive. */
export function startHeapReducer(opts: HeapReducerOptions = {}): HeapReducer {
  const o = { ...HEAP_REDUCER_DEFAULTS, ...opts };
  const read = opts.read ?? (() => process.memoryUsage());
  const now = opts.now ?? Date.now;
  const own = opts.collect ? undefined : inspectorCollect();
  const collect = opts.collect ?? own!.collect;
  let last = Number.NEGATIVE_INFINITY;
  let running = false;
  let stopped = false;
  let reductions = 0;
  const check = async (): Promise<void> => {
    if (stopped || running || now() - last < o.minGapMs) return;
    if (!worthReducing(read(), o.slackShare, o.minSlackBytes)) return;
    running = true;
    last = now();
    try {
      await collect();
      reductions++;
    } catch {
      // A GC that could not be asked for leaves the heap as V8 keeps it: nothing to undo.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), o.checkEveryMs);
  timer.unref();
  return {
    get reductions() {
      return reductions;
    },
    check,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      own?.close();
    },
  };
}
