// Live metrics for a TUI session on a real management cluster: controller PodMetrics,
// throttling from their logs, backing cluster status and timing, into the session's store
// and its run journal (for `scale-tui report`).
import { Journal, runJournalPath } from '../core/journal/journal.js';
import { KubeClient } from '../core/kube/client.js';
import { startMetrics, type RunningMetrics } from '../metrics/index.js';
import { PrometheusSource } from '../metrics/sources/prometheus.js';
import { UserError } from '../core/errors.js';
import type { Session } from './commands/create.js';
import { ServiceAccountMetricsReader } from '../engine/kube/metrics-reader.js';

/** `--prometheus URL`, checked before anything connects: a bad URL is a usage error. */
export function prometheusOption(url: string | undefined): PrometheusSource | undefined {
  if (url === undefined) return undefined;
  try {
    return new PrometheusSource(url);
  } catch (err) {
    throw new UserError(
      (err as Error).message,
      'Give the Prometheus base URL, e.g. --prometheus http://prometheus-k8s.monitoring:9090 (no query path).',
    );
  }
}

export function startSessionMetrics(
  session: Session,
  prometheus?: PrometheusSource,
  controllerLogLines?: number,
): RunningMetrics {
  const journal = new Journal(runJournalPath(session.stateDir, session.engine.runId));
  const client = KubeClient.from(session.management);
  // Secure diagnostics endpoints (the pinned controllers' default) need a token the pod proxy drops.
  const secureMetrics = prometheus ? undefined : new ServiceAccountMetricsReader(client.config);
  const metrics = startMetrics({
    client,
    store: session.store,
    ...(controllerLogLines ? { controllerLogLines } : {}),
    journal: (e) => journal.append(e),
    ...(prometheus ? { prometheus } : {}),
    ...(secureMetrics ? { secureMetrics } : {}),
    backing: session.backing.map((b) => {
      const client = KubeClient.from(b.target);
      return { name: b.name, client, endpoint: client.server, capacity: b.capacity };
    }),
  });
  return {
    tick: () => metrics.tick(),
    stop: async () => {
      await metrics.stop();
      await secureMetrics?.release().catch(() => undefined);
      journal.close();
    },
  };
}
