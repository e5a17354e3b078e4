// The emulated manager's Prometheus registry: the series a controller-runtime manager (and
// CAPI's own capi_reconcile_*) exposes, fed by the manager's real workqueues, reconciles and
// REST client, rendered in the text exposition format. Only what the dashboards read is
// here; each value is counted where the real one is counted (adds when a key enters a
// queue, a reconcile when it returns, a request when its response arrives).

/** controller-runtime's reconcile_time_seconds buckets (a subset of its defaults, in s). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

class Histogram {
  readonly counts = BUCKETS.map(() => 0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.counts[i]!++;
  }
}

export type ReconcileOutcome = 'success' | 'error' | 'requeue_after' | 'requeue';

interface ControllerSeries {
  reconciles: Record<ReconcileOutcome, number>;
  errors: number;
  time: Histogram;
  active: number;
  workers: number;
  adds: number;
  depth: () => QueueDepth;
}

/** Keys waiting now; `low` is the part queued at low priority (initial list, resync). */
export interface QueueDepth {
  total: number;
  low?: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

export class ManagerMetrics {
  private readonly controllers = new Map<string, ControllerSeries>();

  /** `capiSeries`: the binary is one of CAPI's (core, CABPK, KCP), which add capi_reconcile_*. */
  constructor(private readonly capiSeries = false) {}

  /** rest_client_requests_total by code, method, host. */
  private readonly requests = new Map<string, { code: string; method: string; host: string; n: number }>();

  /** Registers a reconciler's queue; `depth` is read at scrape time, as client-go's gauge is current. */
  controller(name: string, workers: number, depth: () => QueueDepth): void {
    this.controllers.set(name, {
      reconciles: { success: 0, error: 0, requeue_after: 0, requeue: 0 },
      errors: 0,
      time: new Histogram(),
      active: 0,
      workers,
      adds: 0,
      depth,
    });
  }

  added(name: string): void {
    const c = this.controllers.get(name);
    if (c) c.adds++;
  }

  reconcileStarted(name: string): void {
    const c = this.controllers.get(name);
    if (c) c.active++;
  }

  reconcileDone(name: string, outcome: ReconcileOutcome, seconds: number): void {
    const c = this.controllers.get(name);
    if (!c) return;
    c.active = Math.max(0, c.active - 1);
    c.reconciles[outcome]++;
    if (outcome === 'error') c.errors++;
    c.time.observe(seconds);
  }

  request(method: string, host: string, status: number): void {
    // client-go reports "<error>" when no response came back at all.
    const code = status > 0 ? String(status) : '<error>';
    const key = `${code} ${method} ${host}`;
    const e = this.requests.get(key);
    if (e) e.n++;
    else this.requests.set(key, { code, method, host, n: 1 });
  }

  /** The text exposition format, version 0.0.4. */
  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    const cs = [...this.controllers];
    family('workqueue_depth', 'gauge', 'Current depth of workqueue');
    for (const [n, c] of cs) {
      const d = c.depth();
      // controller-runtime's priority queue splits the gauge by priority; low adds are -100.
      if (d.low === undefined) out.push(`workqueue_depth${labels({ controller: n, name: n })} ${d.total}`);
      else {
        out.push(`workqueue_depth${labels({ controller: n, name: n, priority: '0' })} ${d.total - d.low}`);
        out.push(`workqueue_depth${labels({ controller: n, name: n, priority: '-100' })} ${d.low}`);
      }
    }
    family('workqueue_adds_total', 'counter', 'Total number of adds handled by workqueue');
    for (const [n, c] of cs) out.push(`workqueue_adds_total${labels({ controller: n, name: n })} ${c.adds}`);
    family('controller_runtime_active_workers', 'gauge', 'Number of currently used workers per controller');
    for (const [n, c] of cs) out.push(`controller_runtime_active_workers${labels({ controller: n })} ${c.active}`);
    family(
      'controller_runtime_max_concurrent_reconciles',
      'gauge',
      'Maximum number of concurrent reconciles per controller',
    );
    for (const [n, c] of cs)
      out.push(`controller_runtime_max_concurrent_reconciles${labels({ controller: n })} ${c.workers}`);
    family('controller_runtime_reconcile_total', 'counter', 'Total number of reconciliations per controller');
    for (const [n, c] of cs)
      for (const [result, v] of Object.entries(c.reconciles))
        out.push(`controller_runtime_reconcile_total${labels({ controller: n, result })} ${v}`);
    family(
      'controller_runtime_reconcile_errors_total',
      'counter',
      'Total number of reconciliation errors per controller',
    );
    for (const [n, c] of cs)
      out.push(`controller_runtime_reconcile_errors_total${labels({ controller: n })} ${c.errors}`);
    this.histogram(
      out,
      'controller_runtime_reconcile_time_seconds',
      'Length of time per reconciliation per controller',
    );
    if (this.capiSeries) {
      // CAPI's own counters leave out rate-limited requeues; the emulated queue has none.
      family('capi_reconcile_total', 'counter', 'Total number of reconciliations per controller');
      for (const [n, c] of cs)
        for (const [result, v] of Object.entries(c.reconciles))
          out.push(`capi_reconcile_total${labels({ controller: n, result })} ${v}`);
      this.histogram(out, 'capi_reconcile_time_seconds', 'Length of time per reconciliation per controller');
    }
    family(
      'rest_client_requests_total',
      'counter',
      'Number of HTTP requests, partitioned by status code, method, and host.',
    );
    for (const r of this.requests.values())
      out.push(`rest_client_requests_total${labels({ code: r.code, host: r.host, method: r.method })} ${r.n}`);
    return `${out.join('\n')}\n`;
  }

  private histogram(out: string[], name: string, help: string): void {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [n, c] of this.controllers) {
      for (let i = 0; i < BUCKETS.length; i++)
        out.push(`${name}_bucket${labels({ controller: n, le: String(BUCKETS[i]) })} ${c.time.counts[i]}`);
      out.push(`${name}_bucket${labels({ controller: n, le: '+Inf' })} ${c.time.count}`);
      out.push(`${name}_sum${labels({ controller: n })} ${num(c.time.sum)}`);
      out.push(`${name}_count${labels({ controller: n })} ${c.time.count}`);
    }
  }
}
