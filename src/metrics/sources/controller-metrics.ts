// The controller-runtime / CAPI vocabulary read out of one /metrics body (or one Prometheus
// instant query), and two readings turned into rates. The names are the ones the CAPI
// Grafana dashboards use: workqueue_depth (by its `priority` label — controller-runtime's
// priority queue labels resync/initial-list adds -100), workqueue_adds_total,
// controller_runtime_reconcile_total / _errors_total / _time_seconds,
// controller_runtime_active_workers, rest_client_requests_total (by code: 429s are the
// server pushing back) and CAPI's own capi_reconcile_total / capi_reconcile_time_seconds,
// which leave out the rate-limited requeues that controller-runtime's counters include.
import { type Exposition, select, sum } from './prom-text.js';

export interface ControllerMetricsReading {
  /** Epoch ms of the scrape. */
  t: number;
  workqueueDepth?: number;
  /** Depth per `priority` label value ('' when the queue has no priority label). */
  depthByPriority: Record<string, number>;
  workqueueAddsTotal?: number;
  reconcileTotal?: number;
  reconcileErrorsTotal?: number;
  reconcileTimeSecondsSum?: number;
  reconcileTimeSecondsCount?: number;
  activeWorkers?: number;
  restRequestsTotal?: number;
  /** rest_client_requests_total per HTTP code. */
  restRequestsByCode: Record<string, number>;
  capiReconcileTotal?: number;
  capiReconcileTimeSecondsSum?: number;
  capiReconcileTimeSecondsCount?: number;
}

function byLabel(exp: Exposition, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of select(exp, name)) {
    const k = s.labels[label] ?? '';
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function readControllerMetrics(exp: Exposition, t: number): ControllerMetricsReading {
  return defined({
    t,
    workqueueDepth: sum(select(exp, 'workqueue_depth')),
    depthByPriority: byLabel(exp, 'workqueue_depth', 'priority'),
    workqueueAddsTotal: sum(select(exp, 'workqueue_adds_total')),
    reconcileTotal: sum(select(exp, 'controller_runtime_reconcile_total')),
    reconcileErrorsTotal: sum(select(exp, 'controller_runtime_reconcile_errors_total')),
    reconcileTimeSecondsSum: sum(select(exp, 'controller_runtime_reconcile_time_seconds_sum')),
    reconcileTimeSecondsCount: sum(select(exp, 'controller_runtime_reconcile_time_seconds_count')),
    activeWorkers: sum(select(exp, 'controller_runtime_active_workers')),
    restRequestsTotal: sum(select(exp, 'rest_client_requests_total')),
    restRequestsByCode: byLabel(exp, 'rest_client_requests_total', 'code'),
    capiReconcileTotal: sum(select(exp, 'capi_reconcile_total')),
    capiReconcileTimeSecondsSum: sum(select(exp, 'capi_reconcile_time_seconds_sum')),
    capiReconcileTimeSecondsCount: sum(select(exp, 'capi_reconcile_time_seconds_count')),
  });
}

export interface ControllerRates {
  reconcilesPerSecond?: number;
  reconcileErrorsPerSecond?: number;
  addsPerSecond?: number;
  /** Mean reconcile time over the interval, from the histogram's _sum and _count. */
  meanReconcileSeconds?: number;
  restRequestsPerSecond?: number;
  /** Requests the API server answered 429 (priority and fairness) per second. */
  rest429PerSecond?: number;
}

function rate(a: number | undefined, b: number | undefined, seconds: number): number | undefined {
  // A counter that went down was reset by a restart: no rate from that pair.
  return a === undefined || b === undefined || b < a ? undefined : (b - a) / seconds;
}

/** Rates between two readings of the same process (the caller checks it is the same pod). */
export function ratesBetween(prev: ControllerMetricsReading, cur: ControllerMetricsReading): ControllerRates {
  const seconds = (cur.t - prev.t) / 1000;
  if (seconds <= 0) return {};
  const sumDelta = rate(prev.reconcileTimeSecondsSum, cur.reconcileTimeSecondsSum, 1);
  const countDelta = rate(prev.reconcileTimeSecondsCount, cur.reconcileTimeSecondsCount, 1);
  return defined({
    reconcilesPerSecond: rate(prev.reconcileTotal, cur.reconcileTotal, seconds),
    reconcileErrorsPerSecond: rate(prev.reconcileErrorsTotal, cur.reconcileErrorsTotal, seconds),
    addsPerSecond: rate(prev.workqueueAddsTotal, cur.workqueueAddsTotal, seconds),
    meanReconcileSeconds:
      sumDelta !== undefined && countDelta !== undefined && countDelta > 0 ? sumDelta / countDelta : undefined,
    restRequestsPerSecond: rate(prev.restRequestsTotal, cur.restRequestsTotal, seconds),
    rest429PerSecond: rate(prev.restRequestsByCode['429'] ?? 0, cur.restRequestsByCode['429'] ?? 0, seconds),
  });
}
