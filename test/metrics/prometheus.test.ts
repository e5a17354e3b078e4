// `--prometheus URL`: the controller series read from an existing Prometheus through its
// HTTP API, against a fake that refuses what the real API refuses (400 bad_data), with the
// same reading code as a direct scrape, and a deadline when Prometheus does not answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusError, PrometheusSource, controllerSelector } from '../../src/metrics/sources/prometheus.js';
import { type FakePrometheus, startFakePrometheus } from '../support/fake-prometheus.js';

const NOW = 1_764_000_000;
const pod = { namespace: 'capi-system', pod: 'capi-controller-manager-7d9f-abcde', job: 'capi' };
const series = (name: string, labels: Record<string, string>, points: Array<[number, number]>) => ({
  labels: { __name__: name, ...pod, ...labels },
  points,
});

let prom: FakePrometheus;
let silent: Server;

beforeAll(async () => {
  prom = await startFakePrometheus(
    [
      series('workqueue_depth', { controller: 'cluster', name: 'cluster', priority: '0' }, [
        [NOW - 30, 5],
        [NOW, 7],
      ]),
      series('workqueue_depth', { controller: 'cluster', name: 'cluster', priority: '-100' }, [[NOW, 40]]),
      series('controller_runtime_reconcile_total', { controller: 'cluster', result: 'success' }, [
        [NOW - 60, 100],
        [NOW, 160],
      ]),
      series('controller_runtime_reconcile_errors_total', { controller: 'cluster' }, [[NOW, 2]]),
      series('controller_runtime_active_workers', { controller: 'cluster' }, [[NOW, 9]]),
      series('rest_client_requests_total', { code: '429', method: 'GET', host: '10.96.0.1:443' }, [[NOW, 12]]),
      series('rest_client_requests_total', { code: '200', method: 'GET', host: '10.96.0.1:443' }, [[NOW, 500]]),
      // Another pod's series and an unrelated name must not leak into the reading.
      {
        labels: { __name__: 'workqueue_depth', namespace: 'capi-system', pod: 'other', controller: 'x', name: 'x' },
        points: [[NOW, 1000]],
      },
      series('go_goroutines', {}, [[NOW, 300]]),
    ],
    () => NOW,
  );
  // Accepts connections and never answers: the deadline must end the wait.
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  await prom?.stop();
  silent?.closeAllConnections();
  await new Promise((r) => silent?.close(r));
});

describe('PrometheusSource', () => {
  it('reads one controller pod with the same names and sums as a scrape', async () => {
    const src = new PrometheusSource(prom.url);
    const r = await src.readController(pod.namespace, pod.pod, NOW);
    expect(r.t).toBe(NOW * 1000);
    expect(r.workqueueDepth).toBe(47);
    expect(r.depthByPriority).toEqual({ '0': 7, '-100': 40 });
    expect(r.reconcileTotal).toBe(160);
    expect(r.reconcileErrorsTotal).toBe(2);
    expect(r.activeWorkers).toBe(9);
    expect(r.restRequestsByCode).toEqual({ '429': 12, '200': 500 });
    expect(prom.queries.at(-1)).toBe(controllerSelector(pod.namespace, pod.pod));
  });

  it('runs range queries and returns each series as points', async () => {
    const src = new PrometheusSource(prom.url);
    const m = await src.range(
      'controller_runtime_reconcile_total{pod="capi-controller-manager-7d9f-abcde"}',
      NOW - 60,
      NOW,
      30,
    );
    expect(m).toHaveLength(1);
    expect(m[0]!.values).toEqual([
      [NOW - 60, '100'],
      [NOW - 30, '100'],
      [NOW, '160'],
    ]);
  });

  it('reports a query Prometheus refuses with its errorType, as the real API answers (400 bad_data)', async () => {
    const src = new PrometheusSource(prom.url);
    const bad = await src.instant('sum(rate(workqueue_depth[5m])) by (', NOW).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PrometheusError);
    expect(bad).toMatchObject({ status: 400, errorType: 'bad_data' });
    await expect(src.instant('{pod=~".*"}', NOW)).rejects.toMatchObject({ status: 400, errorType: 'bad_data' });
    await expect(src.range('workqueue_depth', NOW, NOW - 10, 5)).rejects.toThrow(
      /end timestamp must not be before start time/,
    );
    await expect(src.range('workqueue_depth', NOW - 10, NOW, 0)).rejects.toThrow(
      /zero or negative query resolution step/,
    );
    await expect(src.range('workqueue_depth', 0, NOW, 1)).rejects.toThrow(
      /exceeded maximum resolution of 11,000 points/,
    );
  });

  it('gives up at its deadline when Prometheus does not answer', async () => {
    const src = new PrometheusSource(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 300 });
    await expect(src.instant('up')).rejects.toMatchObject({ errorType: 'timeout' });
  });

  it('refuses a URL that is not http(s) with a message that says what was expected', () => {
    expect(() => new PrometheusSource('prometheus:9090')).toThrow(/only http and https|not a URL/);
    expect(() => new PrometheusSource('not a url')).toThrow(/not a URL \(expected e\.g\. http/);
  });
});
