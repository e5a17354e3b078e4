// controller-runtime's workqueue_depth: the real sign of a backlog. Read from the manager's
// metrics endpoint through the API server's pod proxy; controller-runtime serves it on
// :8080 (plain, older defaults) or :8443 (secure, newer defaults, needing RBAC the proxy
// path may not carry), so it is often unreachable: then the pane says so.
import type { KubeConfig } from '@kubernetes/client-node';
import { getText } from './raw.js';

const PORTS = ['http:8080', 'https:8443'];

/** Sums workqueue_depth over all queues of one manager's Prometheus text. */
export function parseWorkqueueDepth(text: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('workqueue_depth')) continue;
    const v = Number(line.trim().split(/\s+/).pop());
    if (Number.isFinite(v)) {
      found = true;
      sum += v;
    }
  }
  return found ? sum : undefined;
}

export async function workqueueDepth(kc: KubeConfig, namespace: string, pod: string): Promise<{ depth?: number; note?: string }> {
  for (const port of PORTS) {
    try {
      const text = await getText(kc, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${port.startsWith('https') ? 'https:' : ''}${encodeURIComponent(pod)}:${port.split(':')[1]}/proxy/metrics`);
      const depth = parseWorkqueueDepth(text);
      if (depth !== undefined) return { depth };
    } catch {
      // next port
    }
  }
  return { note: 'not reachable through the API server proxy' };
}
