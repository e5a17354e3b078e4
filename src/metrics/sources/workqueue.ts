// controller-runtime's workqueue_depth: the real sign of a backlog. Read from the manager's
// metrics endpoint through the API server's pod proxy; controller-runtime serves it on
// :8080 (plain, older defaults) or :8443 (secure, newer defaults, needing RBAC the proxy
// path may not carry), so it is often unreachable: then the pane says so.
import type { KubeConfig } from '@kubernetes/client-node';
import { getText } from './raw.js';

const PORTS = ['http:8080', 'https:8443'];

/** Sums workqueue_depth over all queues of one manager's Prometheus text. */
export function parseWorkqueueDepth(text: string): number | undefined {
  return sumMetric(text, 'workqueue_depth');
}

/**
 * Sums controller_runtime_reconcile_total over controllers and results: a counter, so the
 * caller turns two readings into a rate.
 */
export function parseReconcileTotal(text: string): number | undefined {
  return sumMetric(text, 'controller_runtime_reconcile_total');
}

function sumMetric(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    // The name must end at the labels or the value: workqueue_depth is not workqueue_depth_x.
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const v = Number(line.trim().split(/\s+/).pop());
    if (Number.isFinite(v)) {
      found = true;
      sum += v;
    }
  }
  return found ? sum : undefined;
}

export async function workqueueDepth(
  kc: KubeConfig,
  namespace: string,
  pod: string,
): Promise<{ depth?: number; reconcileTotal?: number; note?: string }> {
  for (const port of PORTS) {
    try {
      const text = await getText(
        kc,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${port.startsWith('https') ? 'https:' : ''}${encodeURIComponent(pod)}:${port.split(':')[1]}/proxy/metrics`,
      );
      const depth = parseWorkqueueDepth(text);
      const reconcileTotal = parseReconcileTotal(text);
      if (depth !== undefined) return { depth, ...(reconcileTotal !== undefined ? { reconcileTotal } : {}) };
    } catch {
      // next port
    }
  }
  return { note: 'not reachable through the API server proxy' };
}
