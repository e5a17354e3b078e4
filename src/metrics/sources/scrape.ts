// Reading one controller's /metrics through the API server's pod proxy
// (/api/v1/namespaces/NS/pods/[https:]POD:PORT/proxy/metrics), the path that needs no
// port-forward and no network route to the pod.
//
// Where the endpoint is: CAPI v1.14, CAPM3 v1.13 and BMO v0.13 all bind controller-runtime's
// metrics server through `--diagnostics-address` (default :8443, HTTPS, authn/authz by
// TokenReview + SubjectAccessReview, so the caller needs `get` on the nonResourceURL
// /metrics); with `--insecure-diagnostics` the same port speaks plain HTTP without auth.
// Older installs served plain :8080. Each is tried in that order, with a deadline each.
//
// A secure endpoint cannot be read through the pod proxy: kube-apiserver drops the
// Authorization header of a request it has authenticated before proxying it, so the
// controller's TokenReview filter sees no token and answers 401. So an https endpoint is
// read first through the SecureMetricsReader when one is given (the engine's: a
// ServiceAccount token presented over a port-forward, src/engine/kube/metrics-reader.ts),
// and through the pod proxy only after it failed; plain-HTTP endpoints (--insecure-
// diagnostics, older :8080) keep the pod proxy. A 401/403 is reported as such, not retried.
import type { KubeConfig } from '@kubernetes/client-node';
import { type ControllerMetricsReading, readControllerMetrics } from './controller-metrics.js';
import { parseExposition } from './prom-text.js';
import { getText, HttpStatusError } from './raw.js';

export interface MetricsEndpoint {
  scheme: 'http' | 'https';
  port: number;
}

/** The order endpoints are tried in: the pinned versions' default first. */
export const DEFAULT_METRICS_ENDPOINTS: readonly MetricsEndpoint[] = [
  { scheme: 'https', port: 8443 },
  { scheme: 'http', port: 8443 },
  { scheme: 'http', port: 8080 },
];

export function podProxyPath(namespace: string, pod: string, ep: MetricsEndpoint, rest = 'metrics'): string {
  const target = `${ep.scheme === 'https' ? 'https:' : ''}${encodeURIComponent(pod)}:${ep.port}`;
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${target}/proxy/${rest}`;
}

/**
 * Reads GET /metrics from a pod's HTTPS port with credentials the reader arranged itself.
 * Rejects with an HttpStatusError for an HTTP refusal, with a plain Error otherwise; the
 * message never holds a token.
 */
export interface SecureMetricsReader {
  read(namespace: string, pod: string, port: number, timeoutMs: number): Promise<string>;
}

export type ScrapeResult =
  | {
      ok: true;
      reading: ControllerMetricsReading;
      endpoint: MetricsEndpoint;
      malformed: number;
      via: 'secure' | 'proxy';
    }
  | { ok: false; note: string };

export interface ScrapeOptions {
  endpoints?: readonly MetricsEndpoint[];
  timeoutMs?: number;
  now?: () => number;
  /** Used first for https endpoints; the pod proxy after it failed. */
  secure?: SecureMetricsReader;
}

export async function scrapeControllerMetrics(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  opts: ScrapeOptions = {},
): Promise<ScrapeResult> {
  const now = opts.now ?? Date.now;
  const failures: string[] = [];
  const timeoutMs = opts.timeoutMs ?? 5000;
  for (const ep of opts.endpoints ?? DEFAULT_METRICS_ENDPOINTS) {
    const ways: { via: 'secure' | 'proxy'; read: () => Promise<string> }[] = [];
    const secure = opts.secure;
    if (ep.scheme === 'https' && secure)
      ways.push({ via: 'secure', read: () => secure.read(namespace, pod, ep.port, timeoutMs) });
    ways.push({
      via: 'proxy',
      read: () => getText(kc, podProxyPath(namespace, pod, ep), { accept: 'text/plain;version=0.0.4', timeoutMs }),
    });
    for (const way of ways) {
      try {
        const exp = parseExposition(await way.read());
        const reading = readControllerMetrics(exp, now());
        // A body without any workqueue series is not a controller-runtime manager's.
        if (reading.workqueueDepth === undefined && reading.reconcileTotal === undefined) {
          failures.push(`${ep.scheme}:${ep.port} served no controller-runtime metrics`);
          break;
        }
        return { ok: true, reading, endpoint: ep, malformed: exp.malformed, via: way.via };
      } catch (err) {
        const status = err instanceof HttpStatusError ? err.status : undefined;
        const what = (err as Error).message.split('\n')[0];
        if (way.via === 'secure') failures.push(`${ep.scheme}:${ep.port} with a ServiceAccount token: ${what}`);
        else
          failures.push(
            status === 401 || status === 403
              ? `${ep.scheme}:${ep.port} refused the proxied request (${status}: secure diagnostics endpoint; the API server does not pass a token through its pod proxy; use --prometheus URL, or start the controller with --insecure-diagnostics)`
              : `${ep.scheme}:${ep.port}: ${status ?? what}`,
          );
      }
    }
  }
  const where = opts.secure ? 'not reachable' : 'not reachable through the API server proxy';
  return { ok: false, note: `${where}: ${failures.join('; ')}` };
}
