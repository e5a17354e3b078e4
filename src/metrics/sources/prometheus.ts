// An existing Prometheus as the source of controller metrics (`--prometheus URL`), through
// its HTTP API: instant queries (/api/v1/query) and range queries (/api/v1/query_range),
// each with a deadline (the request's own, and Prometheus' `timeout` parameter so the
// server gives up too). The same series names as a direct scrape are asked for, with the
// namespace/pod labels a Prometheus Operator ServiceMonitor (or the usual kubernetes-pods
// scrape config) puts on them, and fed through the same reading code.
// Errors come back as Prometheus states them: `errorType` (bad_data, execution, timeout,
// canceled, unavailable) and `error`, so a bad query is reported, not retried.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type ControllerMetricsReading, readControllerMetrics } from './controller-metrics.js';
import type { Exposition, Sample } from './prom-text.js';

export class PrometheusError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type VectorResult = Array<{ metric: Record<string, string>; value: [number, string] }>;
type MatrixResult = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

/** The series read for each controller: those the pane, journal and report use. */
export const CONTROLLER_SERIES = [
  'workqueue_depth',
  'workqueue_adds_total',
  'controller_runtime_reconcile_total',
  'controller_runtime_reconcile_errors_total',
  'controller_runtime_reconcile_time_seconds_sum',
  'controller_runtime_reconcile_time_seconds_count',
  'controller_runtime_active_workers',
  'rest_client_requests_total',
  'capi_reconcile_total',
  'capi_reconcile_time_seconds_sum',
  'capi_reconcile_time_seconds_count',
];

/** A PromQL label value in double quotes (backslash and quote escaped). */
function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function controllerSelector(namespace: string, pod: string): string {
  return `{__name__=~"${CONTROLLER_SERIES.join('|')}",namespace=${quote(namespace)},pod=${quote(pod)}}`;
}

export interface PrometheusOptions {
  timeoutMs?: number;
  /** Bearer token for a Prometheus behind an auth proxy; sent as a header, never in the URL. */
  token?: string;
}

export class PrometheusSource {
  readonly base: URL;
  private readonly timeoutMs: number;

  constructor(
    baseUrl: string,
    private readonly opts: PrometheusOptions = {},
  ) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new Error(`--prometheus ${baseUrl}: not a URL (expected e.g. http://prometheus.monitoring:9090)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new Error(`--prometheus ${baseUrl}: only http and https URLs are supported`);
    this.base = u;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async instant(query: string, timeSec?: number): Promise<VectorResult> {
    const q = new URLSearchParams({ query, timeout: `${Math.ceil(this.timeoutMs / 1000)}s` });
    if (timeSec !== undefined) q.set('time', String(timeSec));
    const data = await this.get<{ resultType: string; result: VectorResult }>('/api/v1/query', q);
    if (data.resultType !== 'vector')
      throw new PrometheusError(200, 'bad_data', `expected a vector, got ${data.resultType}`);
    return data.result;
  }

  async range(query: string, startSec: number, endSec: number, stepSec: number): Promise<MatrixResult> {
    const q = new URLSearchParams({
      query,
      start: String(startSec),
      end: String(endSec),
      step: String(stepSec),
      timeout: `${Math.ceil(this.timeoutMs / 1000)}s`,
    });
    const data = await this.get<{ resultType: string; result: MatrixResult }>('/api/v1/query_range', q);
    if (data.resultType !== 'matrix')
      throw new PrometheusError(200, 'bad_data', `expected a matrix, got ${data.resultType}`);
    return data.result;
  }

  /** One controller pod's series at `timeSec` (default now), as a direct scrape would read them. */
  async readController(namespace: string, pod: string, timeSec?: number): Promise<ControllerMetricsReading> {
    const result = await this.instant(controllerSelector(namespace, pod), timeSec);
    const samples: Sample[] = result.map((r) => {
      const { __name__: name = '', ...labels } = r.metric;
      return { name, labels, value: Number(r.value[1]) };
    });
    const exp: Exposition = { samples, types: new Map(), malformed: 0 };
    const t = result[0]?.value[0];
    return readControllerMetrics(exp, t !== undefined ? t * 1000 : Date.now());
  }

  private get<T>(path: string, q: URLSearchParams): Promise<T> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    url.search = q.toString();
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'GET',
          headers: {
            accept: 'application/json',
            ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            clearTimeout(deadline);
            const text = Buffer.concat(chunks).toString('utf8');
            let body: ApiResponse<T> | undefined;
            try {
              body = JSON.parse(text) as ApiResponse<T>;
            } catch {
              body = undefined;
            }
            if (res.statusCode === 200 && body?.status === 'success' && body.data !== undefined)
              return resolve(body.data);
            reject(
              new PrometheusError(
                res.statusCode ?? 0,
                body?.errorType ?? 'unknown',
                `prometheus ${path}: ${res.statusCode} ${body?.errorType ?? ''}: ${body?.error ?? text.slice(0, 200)}`,
              ),
            );
          });
        },
      );
      // One deadline for connect, headers and body alike.
      const deadline = setTimeout(
        () => req.destroy(new PrometheusError(0, 'timeout', `prometheus ${path}: no answer in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
      req.end();
    });
  }
}
