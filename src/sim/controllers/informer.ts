// The emulated controllers' view of the project's one informer (src/core/kube/informer.ts):
// list through the rate-limited REST client, watch from the list's resourceVersion, resume
// from the last version seen, back off on failures, and act on ERROR events (410 -> relist,
// 504 ResourceVersionTooLarge -> re-watch after its retryAfterSeconds). This file only adapts
// the shape the controllers and the kubelet use: one handler, a namespace, a `store` map.
import { Informer as SharedInformer } from '../../core/kube/informer.js';
import type { KubeObject } from '../../manifests/types.js';
import type { RestClient } from './rest.js';
import { collectionPath, type Resource } from './resources.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type Handler = (type: InformerEvent, obj: KubeObject) => void;

export function keyOf(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export interface SimInformerOptions {
  labelSelector?: string;
  namespace?: string;
  /** Base of the retry backoff; default 500 ms (doubling per failure, capped at 30 s). */
  retryMs?: number;
  /** List and watch failures (the kubelet and the controllers log them). */
  onError?: (message: string) => void;
}

export class Informer {
  private readonly shared: SharedInformer;

  constructor(
    client: RestClient,
    readonly resource: Resource,
    handler: Handler,
    opts: SimInformerOptions = {},
  ) {
    const path = collectionPath(resource, opts.namespace);
    this.shared = new SharedInformer(client, resource.apiVersion, resource.kind, {
      labelSelector: opts.labelSelector,
      retryMs: opts.retryMs,
      onError: opts.onError,
      patientStart: true,
      source: { path: async () => path, list: (labelSelector) => client.list(path, labelSelector) },
    });
    this.shared.on(handler);
  }

  /** The cache, keyed `namespace/name` (or `name`). */
  get store(): Map<string, KubeObject> {
    return this.shared.cache;
  }

  /** Counters of lists, watches and their failures (tests, benches). */
  get counters(): SharedInformer['counters'] {
    return this.shared.counters;
  }

  start(): void {
    void this.shared.start();
  }

  hasSynced(): Promise<void> {
    return this.shared.hasSynced();
  }

  stop(): void {
    this.shared.stop();
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.shared.get(namespace, name);
  }

  list(namespace?: string): KubeObject[] {
    return this.shared.list(namespace === undefined ? undefined : (o) => o.metadata.namespace === namespace);
  }
}
