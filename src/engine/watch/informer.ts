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
  /** Consecutive failed lists or short-lived watches: drives the backoff. */
  private failures = 0;
  /** Counts lists and watch (re)starts, for the request benchmark and the no-hot-loop tests. */
  readonly counters = { lists: 0, watches: 0, gone: 0 };

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

  /**
   * Next list or watch after `failures` failures in a row: exponential, capped at 30 s, with
   * equal jitter so informers of many kinds (and many engines) do not reconnect in step, and
   * never zero, so a server that drops every watch at once cannot make us spin.
   */
  private delayMs(): number {
    const d = Math.min(30_000, (this.opts.retryMs ?? 500) * 2 ** Math.min(this.failures, 10));
    return d / 2 + Math.random() * (d / 2);
  }

  private schedule(next: 'relist' | 'rewatch'): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void (next === 'relist' ? this.relist() : this.rewatch()), this.delayMs());
  }

  private async rewatch(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.watch();
    } catch {
      this.failures++;
      this.schedule('relist');
    }
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
      this.failures++;
      this.schedule('relist');
    }
  }

  private async watch(): Promise<void> {
    const info = await resourceInfo(this.client, this.apiVersion, this.kind);
    const path = collectionPath(this.apiVersion, info);
    this.counters.watches++;
    const opened = Date.now();
    let ended = false;
    const end = (gone: boolean): void => {
      if (ended) return;
      ended = true;
      // A watch that lived a while ended normally (server timeout): carry on from the last
      // resourceVersion without a list. One that died young counts as a failure (backoff).
      // 410 Gone (or any ERROR event) means our resourceVersion is too old: only a re-list
      // can bring the cache back in line.
      this.failures = Date.now() - opened >= 5_000 ? 0 : this.failures + 1;
      if (gone) this.counters.gone++;
      this.schedule(gone ? 'relist' : 'rewatch');
    };
    this.abort = await new Watch(this.client.config).watch(
      path,
      { resourceVersion: this.lastRv, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector },
      (phase: string, raw: unknown) => {
        if (phase === 'ERROR') {
          this.abort?.abort();
          end(true);
          return;
        }
        const obj = raw as KubeObject;
        if (!obj?.metadata) return;
        const v = rv(obj);
        if (v) this.lastRv = v;
        if (phase === 'BOOKMARK') return;
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
      (err: unknown) => end((err as { statusCode?: number } | null)?.statusCode === 410),
    );
    // stop() may have run while the watch request was being opened: it saw no abort handle.
    if (this.stopped) this.abort.abort();
  }
}
