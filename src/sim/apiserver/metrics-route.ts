// The metrics.k8s.io API (PodMetrics, NodeMetrics) the way metrics-server serves it through
// the aggregator: read-only, no watch, figures from the MetricsStore, labels from the stored
// Pods and Nodes so that a label selector filters as kubectl top expects.
import type { ServerResponse } from 'node:http';
import type { Registry } from './registry.js';
import type { ObjectStore } from './objects.js';
import type { MetricsStore } from './metrics.js';
import type { ResourceType } from './resource.js';
import { ApiStatusError } from './status.js';
import { parseLabelSelector } from './selectors.js';
import { objectKey } from './store.js';
import { methodNotAllowed, send } from './http-io.js';
import type { Route } from './rest-route.js';

export interface MetricsRouteDeps {
  registry: Registry;
  store: ObjectStore;
  metrics: MetricsStore;
}

// ---- metrics.k8s.io
/** GET on metrics.k8s.io/v1beta1 pods and nodes (one or a list, label selector honoured); other verbs are a 405. */
export function serveMetrics(
  d: MetricsRouteDeps,
  res: ServerResponse,
  r: Route,
  q: URLSearchParams,
  method: string,
): void {
  if (method !== 'GET' || r.watch || q.get('watch') === 'true') throw methodNotAllowed();
  const label = parseLabelSelector(q.get('labelSelector'));
  const { store, registry, metrics } = d;
  const podT = registry.lookup('', 'v1', 'pods')!;
  const nodeT = registry.lookup('', 'v1', 'nodes')!;
  const labelsOf = (t: ResourceType, ns: string, name: string): Record<string, string> | undefined =>
    store.slot(t).bucket.items.get(objectKey(ns, name))?.labels;
  const items =
    r.type.kind === 'PodMetrics'
      ? metrics.podMetrics(r.namespace, r.name, (ns, pod) => labelsOf(podT, ns, pod))
      : metrics.nodeMetrics(r.name, (n) => labelsOf(nodeT, '', n));
  const filtered = label
    ? items.filter((i) => label((i as { metadata: { labels?: Record<string, string> } }).metadata.labels))
    : items;
  if (r.name !== undefined) {
    const one = filtered[0];
    if (!one)
      throw new ApiStatusError(404, 'NotFound', `${r.type.plural}.metrics.k8s.io "${r.name}" not found`, {
        name: r.name,
        group: 'metrics.k8s.io',
        kind: r.type.plural,
      });
    send(res, 200, JSON.stringify(one));
    return;
  }
  send(
    res,
    200,
    JSON.stringify({ kind: r.type.listKind, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: filtered }),
  );
}
