// A bounded work pool: at most `concurrency` tasks in flight, resizable while running,
// pausable. Replaces the seed's barrier on every 10th index with a sliding window.
export interface PoolStats {
  pending: number;
  inFlight: number;
  concurrency: number;
  paused: boolean;
}

export class Pool {
  private queue: Array<{ start: () => void; cancel: (err: Error) => void }> = [];
  private running = 0;
  private paused = false;

  constructor(
    private concurrency: number,
    private readonly onChange: (s: PoolStats) => void = () => {},
  ) {
    if (!(concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        start: () => {
          this.running++;
          this.emit();
          task()
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              this.pump();
            });
        },
        cancel: reject,
      });
      this.pump();
    });
  }

  setConcurrency(n: number): void {
    if (!(n >= 1)) throw new RangeError('concurrency must be >= 1');
    this.concurrency = Math.floor(n);
    this.pump();
  }

  pause(): void {
    this.paused = true;
    this.emit();
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Drops queued (not started) tasks, rejecting them with `reason`. Used on shutdown. */
  clear(reason = new Error('aborted')): void {
    const dropped = this.queue;
    this.queue = [];
    for (const q of dropped) q.cancel(reason);
    this.emit();
  }

  stats(): PoolStats {
    return { pending: this.queue.length, inFlight: this.running, concurrency: this.concurrency, paused: this.paused };
  }

  private pump(): void {
    while (!this.paused && this.running < this.concurrency && this.queue.length > 0) this.queue.shift()!.start();
    this.emit();
  }

  private emit(): void {
    this.onChange(this.stats());
  }
}
