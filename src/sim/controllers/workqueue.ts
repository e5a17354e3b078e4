// controller-runtime's workqueue semantics in small: a key is queued at most once, a key
// being processed is never processed twice at the same time (re-adds wait until it is
// done), delayed adds keep the earliest deadline, and N workers drain the queue. Like
// controller-runtime's priority queue (v0.20+, on by default in CAPI v1.14), a key added
// with a low priority (initial list, SyncPeriod resync) waits behind every normal one, and
// a normal add of a key already waiting at low priority moves it up.
// biome-ignore lint/suspicious/noConfusingVoidType: reconcilers end with a bare `return`, like ctrl.Result{}.
export type ReconcileResult = { requeueAfterMs?: number } | void;

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys added at low priority, served only when `queue` is empty. */
  private readonly lowQueue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly queuedLow = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly reconcile: (key: string) => Promise<ReconcileResult>,
    private readonly onError: (key: string, err: unknown) => void = () => {},
  ) {}

  get depth(): number {
    return this.queue.length + this.lowQueue.length;
  }

  /** Keys waiting at low priority right now. */
  get lowDepth(): number {
    return this.lowQueue.length;
  }

  /** Adds a key; priority < 0 queues it behind every normal key. */
  add(key: string, priority = 0): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    if (priority < 0) {
      if (this.queuedLow.has(key)) return;
      this.queuedLow.add(key);
      this.lowQueue.push(key);
    } else {
      if (this.queuedLow.delete(key)) this.lowQueue.splice(this.lowQueue.indexOf(key), 1);
      this.queued.add(key);
      this.queue.push(key);
    }
    this.waiters.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  start(workers: number): void {
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(this.workers);
  }

  private async next(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        return key;
      }
      const low = this.lowQueue.shift();
      if (low !== undefined) {
        this.queuedLow.delete(low);
        return low;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
    return undefined;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.processing.add(key);
      try {
        const res = await this.reconcile(key);
        this.failures.delete(key);
        if (res?.requeueAfterMs !== undefined) this.addAfter(key, res.requeueAfterMs);
      } catch (err) {
        // Exponential per-item backoff like the default controller rate limiter, capped low
        // because the demo runs on a compressed time scale.
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        this.onError(key, err);
        this.addAfter(key, Math.min(5 * 2 ** n, 5_000));
      } finally {
        this.processing.delete(key);
        if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      }
    }
  }
}
