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
// Why a secure endpoint usually answers 401 here: kube-apiserver drops the Authorization
// header of a request it has authenticated before proxying it, so the controller's
// TokenReview filter sees no token. A 401/403 is therefore reported as such ("secure
// diagnostics endpoint refused the proxied request"), not retried blindly.
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

export type ScrapeResult =
  | { ok: true; reading: ControllerMetricsReading; endpoint: MetricsEndpoint; malformed: number }
  | { ok: false; note: string };

export interface ScrapeOptions {
  endpoints?: readonly MetricsEndpoint[];
  timeoutMs?: number;
  now?: () => number;
}

export async function scrapeControllerMetrics(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  opts: ScrapeOptions = {},
): Promise<ScrapeResult> {
  const now = opts.now ?? Date.now;
  const failures: string[] = [];
  for (const ep of opts.endpoints ?? DEFAULT_METRICS_ENDPOINTS) {
    try {
      const text = await getText(kc, podProxyPath(namespace, pod, ep), {
        accept: 'text/plain;version=0.0.4',
        timeoutMs: opts.timeoutMs ?? 5000,
      });
      const exp = parseExposition(text);
      const reading = readControllerMetrics(exp, now());
      // A body without any workqueue series is not a controller-runtime manager's.
      if (reading.workqueueDepth === undefined && reading.reconcileTotal === undefined) {
        failures.push(`${ep.scheme}:${ep.port} served no controller-runtime metrics`);
        continue;
      }
      return { ok: true, reading, endpoint: ep, malformed: exp.malformed };
    } catch (err) {
      const status = err instanceof HttpStatusError ? err.status : undefined;
      failures.push(
        status === 401 || status === 403
          ? `${ep.scheme}:${ep.port} refused the proxied request (${status}: secure diagnostics endpoint; the API server does not pass a token through its pod proxy; use --prometheus URL, or start the controller with --insecure-diagnostics)`
          : `${ep.scheme}:${ep.port}: ${status ?? (err as Error).message.split('\n')[0]}`,
      );
    }
  }
  return { ok: false, note: `not reachable through the API server proxy: ${failures.join('; ')}` };
}
