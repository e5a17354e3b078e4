// A list+watch cache, like client-go's shared informer: list through the (rate-limited)
// REST client, then watch from the list's resourceVersion; on any watch end, relist.
import { Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import type { RestClient } from './rest.js';
import { collectionPath, type Resource } from './resources.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type Handler = (type: InformerEvent, obj: KubeObject) => void;

export function keyOf(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export class Informer {
  readonly store = new Map<string, KubeObject>();
  private abort?: AbortController;
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly client: RestClient,
    readonly resource: Resource,
    private readonly handler: Handler,
    private readonly opts: { labelSelector?: string; namespace?: string } = {},
  ) {}

  start(): void {
    void this.relist();
  }

  hasSynced(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): KubeObject[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  private retry(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.relist(), 1000);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const path = collectionPath(this.resource, this.opts.namespace);
    let rv: string;
    try {
      const res = await this.client.list(path, this.opts.labelSelector);
      rv = res.resourceVersion;
      const seen = new Set<string>();
      for (const item of res.items) {
        const k = keyOf(item);
        seen.add(k);
        const old = this.store.get(k);
        this.store.set(k, item);
        if (!old) this.handler('add', item);
        else if (
          (old.metadata as { resourceVersion?: string }).resourceVersion !==
          (item.metadata as { resourceVersion?: string }).resourceVersion
        )
          this.handler('update', item);
      }
      for (const [k, old] of [...this.store]) {
        if (!seen.has(k)) {
          this.store.delete(k);
          this.handler('delete', old);
        }
      }
    } catch {
      this.retry();
      return;
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    if (this.stopped) return;
    const query: Record<string, string | boolean> = { resourceVersion: rv, allowWatchBookmarks: true };
    if (this.opts.labelSelector) query.labelSelector = this.opts.labelSelector;
    try {
      this.abort = await new Watch(this.client.config).watch(
        path,
        query,
        (phase, obj: KubeObject) => {
          if (phase === 'BOOKMARK' || phase === 'ERROR' || !obj?.metadata) return;
          const k = keyOf(obj);
          if (phase === 'DELETED') {
            this.store.delete(k);
            this.handler('delete', obj);
          } else {
            const existed = this.store.has(k);
            this.store.set(k, obj);
            this.handler(existed ? 'update' : 'add', obj);
          }
        },
        () => this.retry(),
      );
    } catch {
      this.retry();
    }
  }
}
