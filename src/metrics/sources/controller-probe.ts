// One controller's metrics per sampling pass, from its /metrics through the pod proxy or,
// with `--prometheus`, from an existing Prometheus: the figures the controllers pane shows
// (depth by priority, reconcile and error rates, active workers, REST and 429 rates), rates
// from the previous reading of the same pod only (a restarted pod's counters start over),
// and the journal event that keeps them for the report.
import type { KubeConfig } from '@kubernetes/client-node';
import type { JournalEvent } from '../../core/types.js';
import type { ControllerMetricsView } from '../../state/store.js';
import { type ControllerMetricsReading, ratesBetween } from './controller-metrics.js';
import type { PrometheusSource } from './prometheus.js';
import { scrapeControllerMetrics, type SecureMetricsReader } from './scrape.js';

export interface ProbeResult {
  depth?: number;
  reconcilesPerSecond?: number;
  note?: string;
  view?: ControllerMetricsView;
  event?: Extract<JournalEvent, { type: 'controller-metrics' }>;
}

export class ControllerProbe {
  private readonly last = new Map<string, { pod: string; reading: ControllerMetricsReading }>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly prometheus?: PrometheusSource,
    private readonly now: () => number = Date.now,
    private readonly secure?: SecureMetricsReader,
  ) {}

  async probe(id: string, namespace: string, pod: string): Promise<ProbeResult> {
    const source = this.prometheus ? 'prometheus' : 'pod-proxy';
    let reading: ControllerMetricsReading;
    if (this.prometheus) {
      try {
        reading = await this.prometheus.readController(namespace, pod);
      } catch (err) {
        this.last.delete(id);
        return { note: `prometheus: ${(err as Error).message.split('\n')[0]}` };
      }
      if (reading.workqueueDepth === undefined && reading.reconcileTotal === undefined) {
        this.last.delete(id);
        return { note: `prometheus has no controller-runtime series for ${namespace}/${pod}` };
      }
    } else {
      const r = await scrapeControllerMetrics(this.kc, namespace, pod, {
        now: this.now,
        ...(this.secure ? { secure: this.secure } : {}),
      });
      if (!r.ok) {
        this.last.delete(id);
        return { note: r.note };
      }
      reading = r.reading;
    }
    const before = this.last.get(id);
    this.last.set(id, { pod, reading });
    const rates = before && before.pod === pod ? ratesBetween(before.reading, reading) : {};
    const view: ControllerMetricsView = {
      source,
      depthByPriority: reading.depthByPriority,
      ...(reading.activeWorkers !== undefined ? { activeWorkers: reading.activeWorkers } : {}),
      ...(rates.reconcileErrorsPerSecond !== undefined
        ? { reconcileErrorsPerSecond: rates.reconcileErrorsPerSecond }
        : {}),
      ...(rates.meanReconcileSeconds !== undefined ? { meanReconcileSeconds: rates.meanReconcileSeconds } : {}),
      ...(rates.restRequestsPerSecond !== undefined ? { restRequestsPerSecond: rates.restRequestsPerSecond } : {}),
      ...(rates.rest429PerSecond !== undefined ? { rest429PerSecond: rates.rest429PerSecond } : {}),
    };
    const event: ProbeResult['event'] = {
      t: reading.t,
      type: 'controller-metrics',
      controller: id,
      pod,
      source,
      depthByPriority: reading.depthByPriority,
      ...(reading.workqueueDepth !== undefined ? { workqueueDepth: reading.workqueueDepth } : {}),
      ...(reading.reconcileTotal !== undefined ? { reconcileTotal: reading.reconcileTotal } : {}),
      ...(reading.reconcileErrorsTotal !== undefined ? { reconcileErrorsTotal: reading.reconcileErrorsTotal } : {}),
      ...(reading.activeWorkers !== undefined ? { activeWorkers: reading.activeWorkers } : {}),
      ...(reading.restRequestsTotal !== undefined ? { restRequestsTotal: reading.restRequestsTotal } : {}),
      rest429Total: reading.restRequestsByCode['429'] ?? 0,
    };
    return {
      ...(reading.workqueueDepth !== undefined ? { depth: reading.workqueueDepth } : {}),
      ...(rates.reconcilesPerSecond !== undefined ? { reconcilesPerSecond: rates.reconcilesPerSecond } : {}),
      view,
      event,
    };
  }
}
