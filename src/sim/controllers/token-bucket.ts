// client-go's default client-side rate limiter is a token bucket (flowcontrol
// NewTokenBucketRateLimiter(qps, burst)): `burst` tokens, refilled at `qps` per second,
// one token per request. take() resolves when the caller may send and says how long
// it waited, which is what client-go logs as client-side throttling.
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Reservations not yet served, so concurrent callers queue fairly (FIFO). */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private qps: number,
    private burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  get limits(): { qps: number; burst: number } {
    return { qps: this.qps, burst: this.burst };
  }

  /** New limits apply to the next reservation; tokens above the new burst are dropped. */
  setLimits(qps: number, burst: number): void {
    this.refill();
    this.qps = qps;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** Reserves one token; resolves with the wait in ms (0 when a token was free). */
  take(): Promise<number> {
    const start = this.now();
    const turn = this.tail.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        const waitMs = ((1 - this.tokens) / this.qps) * 1000;
        await new Promise((r) => setTimeout(r, waitMs));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.tail = turn;
    return turn.then(() => this.now() - start);
  }
}
