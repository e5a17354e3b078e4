// A list+watch cache over all namespaces (client-go's shared informer, reduced): one
// list, then a watch from its resourceVersion; on any watch end, re-list. The pipeline
// waits on these caches instead of polling each cluster (the seed's polls were load).
import { Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import { collectionPath, listWithVersion, resourceInfo, type KubeClient } from '../kube/client.js';

export type WatchEvent = 'add' | 'update' | 'delete';
export type Listener = (type: WatchEvent, obj: KubeObject) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function rv(o: KubeObject): string | undefined {
  return (o.metadata as { resourceVersion?: string }).resourceVersion;
}

export class Informer {
  readonly cache = new Map<string, KubeObject>();
  private listeners = new Set<Listener>();
  private abort?: AbortController;
  private stopped = false;
  private synced?: Promise<void>;
  private markSynced!: () => void;
  private retryTimer?: NodeJS.Timeout;
  private lastRv = '';
  /** Counts lists and watch (re)starts, for the request benchmark. */
  readonly counters = { lists: 0, watches: 0 };

  constructor(
    private readonly client: KubeClient,
    readonly apiVersion: string,
    readonly kind: string,
    private readonly opts: { labelSelector?: string; retryMs?: number } = {},
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  start(): Promise<void> {
    void this.relist();
    return this.synced!;
  }

  hasSynced(): Promise<void> {
    return this.synced!;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(objectKey(namespace, name));
  }

  list(filter?: (o: KubeObject) => boolean): KubeObject[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
    this.listeners.clear();
  }

  private emit(type: WatchEvent, obj: KubeObject): void {
    for (const l of [...this.listeners]) {
      try {
        l(type, obj);
      } catch {
        // a listener's bug must not kill the watch
      }
    }
  }

  private retry(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.relist(), this.opts.retryMs ?? 500);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      this.counters.lists++;
      const res = await listWithVersion(this.client, this.apiVersion, this.kind, { labelSelector: this.opts.labelSelector });
      if (this.stopped) return;
      const seen = new Set<string>();
      for (const item of res.items) {
        // list items carry no apiVersion/kind on some servers
        const obj = { ...item, apiVersion: this.apiVersion, kind: this.kind };
        const k = objectKey(obj.metadata.namespace, obj.metadata.name);
        seen.add(k);
        const old = this.cache.get(k);
        this.cache.set(k, obj);
        if (!old) this.emit('add', obj);
        else if (rv(old) !== rv(obj)) this.emit('update', obj);
      }
      for (const [k, old] of [...this.cache]) {
        if (!seen.has(k)) {
          this.cache.delete(k);
          this.emit('delete', old);
        }
      }
      this.lastRv = res.resourceVersion;
      this.markSynced();
      await this.watch();
    } catch {
      this.retry();
    }
  }

  private async watch(): Promise<void> {
    const info = await resourceInfo(this.client, this.apiVersion, this.kind);
    const path = collectionPath(this.apiVersion, info);
    this.counters.watches++;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      // A watch that ends (timeout, 410 Gone, connection loss) is resumed by re-listing.
      this.retry();
    };
    this.abort = await new Watch(this.client.config).watch(
      path,
      { resourceVersion: this.lastRv, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector },
      (phase: string, raw: unknown) => {
        const obj = raw as KubeObject;
        if (!obj?.metadata) return;
        const v = rv(obj);
        if (v) this.lastRv = v;
        if (phase === 'BOOKMARK') return;
        if (phase === 'ERROR') {
          this.abort?.abort();
          end();
          return;
        }
        const full = { ...obj, apiVersion: this.apiVersion, kind: this.kind };
        const k = objectKey(full.metadata.namespace, full.metadata.name);
        if (phase === 'DELETED') {
          this.cache.delete(k);
          this.emit('delete', full);
        } else {
          const existed = this.cache.has(k);
          this.cache.set(k, full);
          this.emit(existed ? 'update' : 'add', full);
        }
      },
      () => end(),
    );
    // stop() may have run while the watch request was being opened: it saw no abort handle.
    if (this.stopped) this.abort.abort();
  }
}
