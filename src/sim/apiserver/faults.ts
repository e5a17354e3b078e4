// Fault injection for reliability tests: a share of matching requests fail with a chosen status
// (429 carries Retry-After, as the real server's priority-and-fairness rejections do), and
// watches can be dropped after a delay.
export interface FaultSpec {
  errorRate?: number;
  statuses?: number[];
  dropWatchesAfterMs?: number;
  paths?: RegExp;
}

const REASONS: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };

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
    const rate = this.spec!.errorRate ?? 0;
    if (rate <= 0 || Math.random() >= rate) return undefined;
    const statuses = this.spec!.statuses?.length ? this.spec!.statuses : [500];
    const code = statuses[Math.floor(Math.random() * statuses.length)]!;
    return { code, reason: REASONS[code] ?? 'InternalError' };
  }

  watchDropMs(path: string): number | undefined {
    return this.applies(path) ? this.spec!.dropWatchesAfterMs : undefined;
  }
}
