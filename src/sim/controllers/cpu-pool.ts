// The CPU a controller process gets. Workers model concurrency (a reconcile that waits on
// the API holds a worker but no CPU); this pool models the cores: the CPU part of a
// reconcile runs only while it holds one, first come first served. When steady-state
// work of the clusters already running fills the cores, every new cluster's reconciles
// queue behind it, which is how the real KCP slowed down as the seed added clusters
// (16.5 cores busy at 1000 idle clusters, SEED-SCRIPTS §16.6).
export class CpuPool {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  /** Core-milliseconds spent since the last drain, for the metrics sampler. */
  private spentMs = 0;

  constructor(readonly cores: number) {
    if (!(cores > 0)) throw new Error(`a CPU pool needs at least one core, got ${cores}`);
    this.free = cores;
  }

  /** Occupies one core for `ms` milliseconds, after waiting for one to be free. */
  async run(ms: number): Promise<void> {
    if (ms <= 0) return;
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      await new Promise((r) => setTimeout(r, ms));
      this.spentMs += ms;
    } finally {
      // Hand the core straight to the next waiter so a newcomer cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** CPU time used since the previous call. */
  drainSpentMs(): number {
    const s = this.spentMs;
    this.spentMs = 0;
    return s;
  }
}
