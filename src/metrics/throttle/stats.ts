// Per-controller throttling figures: waits per minute, p50/p95/max, and the request
// paths that wait most, with names and namespaces folded so 1000 clusters group as one.
import type { ThrottleStats } from '../../state/store.js';

/** /apis/g/v/namespaces/test-7/machines/test-7-abc/status -> /apis/g/v/namespaces/{ns}/machines/{name}/status */
export function normalizePath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  let i = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : 0;
  if (i === 0) return path;
  const out = parts.slice(0, i);
  if (parts[i] === 'namespaces' && parts[i + 1] !== undefined) {
    out.push('namespaces', parts.length > i + 2 ? '{ns}' : '{name}');
    i += 2;
  }
  if (parts[i] !== undefined) out.push(parts[i]!); // resource
  if (parts[i + 1] !== undefined) out.push('{name}');
  out.push(...parts.slice(i + 2)); // subresource
  return `/${out.join('/')}`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

interface Wait {
  t: number;
  ms: number;
  path: string;
}

/** A bounded window of one controller's waits; stats over the window, totals forever. */
export class ThrottleWindow {
  private waits: Wait[] = [];
  private total = 0;
  private readonly paths = new Map<string, number>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    private readonly maxKept = 20_000,
  ) {}

  add(t: number, ms: number, path: string): void {
    const p = normalizePath(path);
    this.waits.push({ t, ms, path: p });
    this.total++;
    this.paths.set(p, (this.paths.get(p) ?? 0) + 1);
    // Trimmed in halves, not per add: a per-add splice made every add cost O(window).
    if (this.waits.length > 2 * this.maxKept) this.waits = this.waits.slice(-this.maxKept);
  }

  stats(now: number): ThrottleStats {
    this.waits = this.waits.filter((w) => w.t >= now - this.windowMs);
    const lastMinute = this.waits.filter((w) => w.t >= now - 60_000).length;
    const sorted = this.waits.map((w) => w.ms).sort((a, b) => a - b);
    const topPaths = [...this.paths]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([path, count]) => ({ path, count }));
    return {
      perMinute: lastMinute,
      total: this.total,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted[sorted.length - 1] ?? 0,
      topPaths,
    };
  }
}

/**
 * Server-side throttling (API priority and fairness) and other retries of one controller,
 * counted apart from its client-side waits: a 429 is the server protecting itself, not the
 * controller's own QPS limit, and the fix differs (FlowSchemas vs --kube-api-qps).
 */
export class ServerSideCounts {
  private times: number[] = [];
  total = 0;
  rejected = 0;
  retries = 0;

  add(t: number, side: 'server' | 'retry', waitMs: number): void {
    if (side === 'retry') {
      this.retries++;
      return;
    }
    this.total++;
    if (waitMs === 0) this.rejected++;
    this.times.push(t);
    if (this.times.length > 20_000) this.times = this.times.slice(-10_000);
  }

  stats(now: number): { serverSide: { total: number; perMinute: number; rejected: number }; retries: number } {
    this.times = this.times.filter((t) => t >= now - 60_000);
    return {
      serverSide: { total: this.total, perMinute: this.times.length, rejected: this.rejected },
      retries: this.retries,
    };
  }
}
