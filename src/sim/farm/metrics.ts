// The farm's own metrics: requests per cluster and route, latency quantiles, health-probe
// rate, port-forward sessions. Why this shape: 1000 clusters each answering a health probe
// every 10 s from four controllers is 400 requests/s, so recording must be a few Map and
// array operations, and memory per cluster a handful of counters. Latency goes into one
// shared log-scale histogram (about 2% resolution) instead of a list of samples; rates come
// from the difference of counters between two snapshots, so nothing ticks while idle.

export type Route = 'health' | 'discovery' | 'openapi' | 'read' | 'list' | 'watch' | 'write' | 'portforward' | 'other';

/** Histogram buckets: 1.02^i microseconds, up to ~1.3 hours. */
const GROWTH = Math.log(1.02);
const BUCKETS = 1200;

export class LatencyHistogram {
  private counts = new Uint32Array(BUCKETS);
  total = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const i = Math.min(BUCKETS - 1, Math.floor(Math.log(us) / GROWTH));
    this.counts[i]!++;
    this.total++;
  }

  /** The q-quantile in ms (upper bound of its bucket), 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const want = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= want) return Math.exp((i + 1) * GROWTH) / 1000;
    }
    return Math.exp(BUCKETS * GROWTH) / 1000;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

export interface ClusterCounters {
  requests: number;
  errors: number;
  byRoute: Partial<Record<Route, number>>;
}

export interface FarmMetricsSnapshot {
  at: number;
  clusters: number;
  requests: number;
  errors: number;
  healthProbes: number;
  portForwardSessions: number;
  portForwardActive: number;
  /** Since the previous snapshot (or start). */
  requestsPerSecond: number;
  healthProbesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  byRoute: Partial<Record<Route, number>>;
  /** The busiest clusters in the window, by requests/s. */
  topClusters: Array<{ cluster: string; requestsPerSecond: number; byRoute: Partial<Record<Route, number>> }>;
}

export class FarmMetrics {
  private readonly perCluster = new Map<string, ClusterCounters>();
  private readonly window = new LatencyHistogram();
  private requests = 0;
  private errors = 0;
  private healthProbes = 0;
  private pfSessions = 0;
  private pfActive = 0;
  private last = { at: Date.now(), requests: 0, healthProbes: 0, perCluster: new Map<string, number>() };

  counters(cluster: string): ClusterCounters {
    const have = this.perCluster.get(cluster);
    if (have) return have;
    const c: ClusterCounters = { requests: 0, errors: 0, byRoute: {} };
    this.perCluster.set(cluster, c);
    return c;
  }

  forget(cluster: string): void {
    this.perCluster.delete(cluster);
  }

  record(cluster: string, route: Route, ms: number, failed: boolean): void {
    const c = this.counters(cluster);
    c.requests++;
    c.byRoute[route] = (c.byRoute[route] ?? 0) + 1;
    this.requests++;
    if (route === 'health') this.healthProbes++;
    if (failed) {
      c.errors++;
      this.errors++;
    }
    // A watch or a tunnel lasts as long as its client wants: not a latency.
    if (route !== 'watch' && route !== 'portforward') this.window.record(ms);
  }

  portForwardOpened(cluster: string): () => void {
    this.pfSessions++;
    this.pfActive++;
    this.record(cluster, 'portforward', 0, false);
    let open = true;
    return () => {
      if (open) this.pfActive--;
      open = false;
    };
  }

  /** Rates and quantiles since the previous snapshot; starts a new window. */
  snapshot(): FarmMetricsSnapshot {
    const at = Date.now();
    const secs = Math.max(0.001, (at - this.last.at) / 1000);
    const byRoute: Partial<Record<Route, number>> = {};
    const top: FarmMetricsSnapshot['topClusters'] = [];
    const perCluster = new Map<string, number>();
    for (const [name, c] of this.perCluster) {
      perCluster.set(name, c.requests);
      for (const [r, n] of Object.entries(c.byRoute)) byRoute[r as Route] = (byRoute[r as Route] ?? 0) + n;
      const delta = c.requests - (this.last.perCluster.get(name) ?? 0);
      if (delta > 0) top.push({ cluster: name, requestsPerSecond: delta / secs, byRoute: { ...c.byRoute } });
    }
    top.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond);
    const snap: FarmMetricsSnapshot = {
      at,
      clusters: this.perCluster.size,
      requests: this.requests,
      errors: this.errors,
      healthProbes: this.healthProbes,
      portForwardSessions: this.pfSessions,
      portForwardActive: this.pfActive,
      requestsPerSecond: (this.requests - this.last.requests) / secs,
      healthProbesPerSecond: (this.healthProbes - this.last.healthProbes) / secs,
      p50Ms: this.window.quantile(0.5),
      p99Ms: this.window.quantile(0.99),
      byRoute,
      topClusters: top.slice(0, 10),
    };
    this.last = { at, requests: this.requests, healthProbes: this.healthProbes, perCluster };
    this.window.reset();
    return snap;
  }
}

/** Which route a request path belongs to (cheap: no URL parsing on the hot path). */
export function routeOf(method: string, path: string, query: string): Route {
  if (path === '/' || path === '/healthz' || path === '/readyz' || path === '/livez') return 'health';
  if (path.startsWith('/openapi')) return 'openapi';
  if (path.endsWith('/portforward')) return 'portforward';
  if (path === '/api' || path === '/apis' || path === '/version' || /^\/apis?\/[^/]+(\/[^/]+)?\/?$/.test(path))
    return 'discovery';
  if (method !== 'GET') return 'write';
  if (query.includes('watch=true') || query.includes('watch=1')) return 'watch';
  // /api/v1/namespaces/NS/pods/NAME has an even number of segments after the version for reads.
  const seg = path.split('/').length;
  return path.startsWith('/apis/') ? (seg % 2 === 0 ? 'read' : 'list') : seg % 2 === 1 ? 'read' : 'list';
}
