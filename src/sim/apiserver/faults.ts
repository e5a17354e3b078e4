// Fault injection for reliability tests: a share of matching requests fail with a chosen status
// (429 carries Retry-After, as the real server's priority-and-fairness rejections do), watches
// can be dropped after a delay, and watches can end at once with the ERROR event a lagging
// watch cache sends (504 ResourceVersionTooLarge), so every watcher's retry of it is testable.
export interface FaultSpec {
  errorRate?: number;
  statuses?: number[];
  dropWatchesAfterMs?: number;
  paths?: RegExp;
  /**
   * The next N watches on covered paths end at once with an ERROR event
   * `504 Timeout: Too large resource version: N, current: M` (cause ResourceVersionTooLarge,
   * retryAfterSeconds 1): what kube-apiserver sends while its watch cache lags behind etcd.
   */
  watchResourceVersionTooLarge?: number;
  /** Called for every request the spec covers, faulted or not: tests count load with it. */
  onRequest?: (path: string) => void;
}

const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class Faults {
  private spec: FaultSpec | undefined;

  set(f: FaultSpec): void {
    this.spec = { ...f };
  }

  clear(): void {
    this.spec = undefined;
  }

  private applies(path: string): boolean {
    return !!this.spec && (!this.spec.paths || this.spec.paths.test(path));
  }

  /** A status to fail this request with, or undefined. */
  pick(path: string): { code: number; reason: string } | undefined {
    if (!this.applies(path)) return undefined;
    // This request is judged by the spec in force when it arrived, even if the callback
    // installs another one (tests lift a fault after N requests this way).
    const spec = this.spec!;
    spec.onRequest?.(path);
    const rate = spec.errorRate ?? 0;
    if (rate <= 0 || Math.random() >= rate) return undefined;
    const statuses = spec.statuses?.length ? spec.statuses : [500];
    const code = statuses[Math.floor(Math.random() * statuses.length)]!;
    return { code, reason: REASONS[code] ?? 'InternalError' };
  }

  /** Whether this watch is to end with ResourceVersionTooLarge (uses up one of the N). */
  takeWatchTooLarge(path: string): boolean {
    if (!this.applies(path)) return false;
    const spec = this.spec!;
    if (!spec.watchResourceVersionTooLarge || spec.watchResourceVersionTooLarge <= 0) return false;
    spec.watchResourceVersionTooLarge--;
    return true;
  }

  watchDropMs(path: string): number | undefined {
    return this.applies(path) ? this.spec!.dropWatchesAfterMs : undefined;
  }
}
