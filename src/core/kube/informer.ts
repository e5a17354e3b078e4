// A list+watch cache over all namespaces (client-go's shared informer and reflector, reduced):
// one list, then a watch from its resourceVersion; a watch that ends is resumed from the last
// resourceVersion it saw, and only 410 Gone (that version is compacted away) needs a re-list.
// The pipeline waits on these caches instead of polling each cluster (the seed's polls were load).
// It is the project's one informer: the engine passes a KubeClient; the emulated controllers
// (src/sim/controllers/informer.ts) pass their rate-limited REST client through `source`.
// Cached objects are shared by every informer in the process (shared-objects.ts): read-only.
//
// Nothing here may wait forever:
// - start() fails with a UserError when the first list cannot succeed: at once for what a retry
//   cannot fix (nothing listening, 401, 403, a kind not served: missing CRDs), otherwise when
//   the start-up deadline passes with the last error named;
// - each watch asks the server to end it after a jittered timeoutSeconds (client-go's reflector:
//   minWatchTimeout x [1, 2)), so watches of many informers do not all reconnect in step;
// - a watch that delivers nothing, not even a bookmark, for longer than its timeoutSeconds plus
//   a slack is dead (a half-open connection: the peer vanished without a FIN or RST, and TCP
//   alone would wait for hours). It is aborted and re-opened from the last resourceVersion.
import { createInterface } from 'node:readline';
import type { KubeObject } from '../../manifests/types.js';
import { collectionPath, KubeClient, listWithVersion, resourceInfo } from './client.js';
import { statusCode } from './client-errors.js';
import { type CallInfo, explainKubeError, isPermanent, noteCall, resourceName } from './explain.js';
import { KubeRequestError, type StreamResponse } from './http.js';
import {
  DEFAULTS,
  type InformerOptions,
  type Listener,
  objectKey,
  readSome,
  rv,
  type WatchClient,
  type WatchEnd,
  type WatchEvent,
  WatchStatusError,
} from './informer-types.js';
import { UserError } from '../errors.js';
import { sharedObject } from './shared-objects.js';

export type { InformerOptions, ListSource, Listener, WatchClient, WatchEvent } from './informer-types.js';
export { objectKey } from './informer-types.js';

export class Informer {
  readonly cache = new Map<string, KubeObject>();
  private listeners = new Set<Listener>();
  private abort?: AbortController;
  private stopped = false;
  private started = false;
  private synced: Promise<void>;
  private markSynced!: () => void;
  private failSync!: (err: Error) => void;
  private isSynced = false;
  private syncTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private lastRv = '';
  private path?: string;
  private readonly o: typeof DEFAULTS & InformerOptions;
  /** Consecutive failed lists or short-lived watches: drives the backoff. */
  private failures = 0;
  /** The most recent list or watch failure, for the start-up deadline's message. */
  lastError?: unknown;
  /**
   * Lists and watch (re)starts (the request benchmark, the no-hot-loop tests); `gone` counts
   * 410s, `stalled` watches declared dead by the idle deadline, `errors` other watch failures.
   */
  readonly counters = { lists: 0, watches: 0, gone: 0, stalled: 0, errors: 0 };

  constructor(
    private readonly client: WatchClient,
    readonly apiVersion: string,
    readonly kind: string,
    opts: InformerOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...opts };
    if (!opts.source && !(client instanceof KubeClient)) {
      throw new Error(`the ${kind} informer needs a KubeClient or options.source`);
    }
    this.synced = new Promise<void>((resolve, reject) => {
      this.markSynced = resolve;
      this.failSync = reject;
    });
    // Callers that only start() an informer (and wait on its events) must not turn a failed
    // start-up into an unhandled rejection; those that await start() still see it.
    this.synced.catch(() => undefined);
  }

  /** Resolves after the first list; rejects with a UserError when that cannot happen. */
  start(): Promise<void> {
    if (!this.started && !this.stopped) {
      this.started = true;
      if (!this.o.patientStart) this.syncTimer = setTimeout(() => this.syncExpired(), this.o.syncTimeoutMs);
      void this.relist();
    }
    return this.synced;
  }

  hasSynced(): Promise<void> {
    return this.synced;
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
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.abort?.abort();
    this.listeners.clear();
    if (!this.isSynced) {
      this.failSync(new UserError(`the ${this.kind} informer stopped before its first list`, 'Start a new session.'));
    }
  }

  private get resource(): string {
    return resourceName(this.apiVersion, this.kind);
  }

  private info(verb: string): CallInfo {
    return { verb, apiVersion: this.apiVersion, kind: this.kind, identity: this.client.identity };
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

  private syncExpired(): void {
    if (this.isSynced || this.stopped) return;
    const id = this.client.identity;
    const err = this.lastError;
    const last = err === undefined ? 'no answer yet' : (explainKubeError(err)?.message ?? (err as Error).message);
    const within = `${Math.round(this.o.syncTimeoutMs / 1000)} s`;
    this.failSync(
      new UserError(
        `could not list ${this.resource} from the ${id.role} at ${id.server} within ${within} (last error: ${last})`,
        `Check that the ${id.role} is up and healthy (\`kubectl get --raw /readyz\`) and reachable from here; ` +
          `the kubeconfig is ${id.kubeconfig}${id.context ? `, context ${id.context}` : ''}.`,
      ),
    );
  }

  /** A failure: before the first list it may end start-up; after it, it is reported. */
  private failed(verb: string, err: unknown): void {
    this.lastError = err;
    noteCall(err, this.info(verb));
    if (!this.isSynced && !this.o.patientStart) {
      if (isPermanent(err)) this.failSync(explainKubeError(err, this.info(verb)) ?? (err as Error));
      return;
    }
    const message = explainKubeError(err, this.info(verb))?.message ?? (err as Error).message;
    this.o.onError?.(`${verb} ${this.resource} (failure ${this.failures}): ${message}`);
  }

  /**
   * Next list or watch after `failures` failures in a row: exponential, capped at 30 s, with
   * equal jitter so informers of many kinds (and many engines) do not reconnect in step, and
   * never zero, so a server that drops every watch at once cannot make us spin.
   */
  private delayMs(): number {
    const d = Math.min(30_000, this.o.retryMs * 2 ** Math.min(this.failures, 10));
    return d / 2 + (this.o.random ?? Math.random)() * (d / 2);
  }

  private schedule(next: 'relist' | 'rewatch', atLeastMs = 0): void {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const delay = Math.max(atLeastMs, this.delayMs());
    this.retryTimer = setTimeout(() => void (next === 'relist' ? this.relist() : this.rewatch()), delay);
  }

  private async listOnce(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const src = this.o.source;
    if (src) {
      this.path ??= await src.path();
      this.counters.lists++;
      return src.list(this.o.labelSelector);
    }
    const client = this.client as KubeClient; // checked in the constructor
    this.path ??= collectionPath(this.apiVersion, await resourceInfo(client, this.apiVersion, this.kind));
    this.counters.lists++;
    return listWithVersion(client, this.apiVersion, this.kind, { labelSelector: this.o.labelSelector });
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let res: { items: KubeObject[]; resourceVersion: string };
    try {
      res = await this.listOnce();
    } catch (err) {
      this.failures++;
      this.failed('list', err);
      this.schedule('relist');
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of res.items) {
      // list items carry no apiVersion/kind on some servers; one copy per version process-wide
      const obj = sharedObject({ ...item, apiVersion: this.apiVersion, kind: this.kind });
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
    this.lastError = undefined;
    if (!this.isSynced) {
      this.isSynced = true;
      if (this.syncTimer) clearTimeout(this.syncTimer);
      this.markSynced();
    }
    await this.rewatch();
  }

  private async rewatch(): Promise<void> {
    if (this.stopped) return;
    const opened = Date.now();
    const end = await this.watch();
    if (end.kind === 'stopped' || this.stopped) return;
    const lived = Date.now() - opened;
    // A watch that lived a while and ended normally (its timeoutSeconds) carries on from the
    // last resourceVersion at once; one that died young counts as a failure (backoff).
    const healthy = end.kind === 'closed' && lived >= this.o.healthyWatchMs;
    this.failures = healthy ? 0 : this.failures + 1;
    switch (end.kind) {
      case 'gone':
        this.counters.gone++;
        this.schedule('relist');
        return;
      case 'stalled':
        this.counters.stalled++;
        this.failed(
          'watch',
          new KubeRequestError(
            'ETIMEDOUT',
            'GET',
            `${this.client.server}${this.path}`,
            this.client.server,
            'watch silent past its timeoutSeconds, not even a bookmark (half-open connection): re-watching',
          ),
        );
        this.schedule('rewatch');
        return;
      case 'error': {
        this.counters.errors++;
        this.failed('watch', end.err);
        // What a re-watch can fix (a connection that failed, a server asking to back off, an
        // ERROR event such as 504 ResourceVersionTooLarge from a lagging cache) is retried from
        // the same resourceVersion; anything else (401, 403, 404) goes back to listing.
        const code = statusCode(end.err);
        const again = end.err instanceof KubeRequestError || code === undefined || code === 429 || code >= 500;
        const retryAfterMs = end.err instanceof WatchStatusError ? end.err.retryAfterMs : 0;
        this.schedule(again ? 'rewatch' : 'relist', retryAfterMs);
        return;
      }
      case 'closed':
        this.schedule('rewatch');
        return;
    }
  }

  /** One watch request, from open to end. Never rejects. */
  private async watch(): Promise<WatchEnd> {
    const path = this.path!;
    this.counters.watches++;
    const jitter = 1 + (this.o.random ?? Math.random)();
    const timeoutSeconds = Math.max(1, Math.floor((this.o.minWatchTimeoutMs / 1000) * jitter));
    const ctl = new AbortController();
    this.abort = ctl;
    let res: StreamResponse;
    try {
      res = await this.client.stream(
        path,
        {
          watch: 'true',
          resourceVersion: this.lastRv,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(timeoutSeconds),
          labelSelector: this.o.labelSelector,
        },
        ctl.signal,
      );
    } catch (err) {
      return this.stopped ? { kind: 'stopped' } : { kind: 'error', err };
    }
    if (res.status !== 200) {
      // The request deadline no longer runs once headers are in: bound the read of the Status.
      const cut = setTimeout(() => res.destroy(), this.client.deadlines.requestMs);
      const text = await readSome(res.body).catch(() => '');
      clearTimeout(cut);
      res.destroy();
      if (res.status === 410) return { kind: 'gone' };
      return { kind: 'error', err: new WatchStatusError(res.status, `watch ${path}: HTTP ${res.status}`, text) };
    }
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const lines = createInterface({ input: res.body });
      const finish = (e: WatchEnd): void => {
        if (settled) return;
        settled = true;
        if (idle) clearTimeout(idle);
        ctl.signal.removeEventListener('abort', onAbort);
        lines.close();
        res.destroy();
        resolve(this.stopped ? { kind: 'stopped' } : e);
      };
      const onAbort = (): void => finish({ kind: 'stopped' });
      ctl.signal.addEventListener('abort', onAbort, { once: true });
      const idleMs = timeoutSeconds * 1000 + this.o.watchSlackMs;
      const alive = (): void => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => finish({ kind: 'stalled' }), idleMs);
      };
      alive();
      res.body.on('data', alive);
      // A connection cut mid-watch is resumed like a normal end (backoff if it died young).
      // readline re-emits its input's errors: unheard, one would be an uncaught exception.
      lines.on('error', () => finish({ kind: 'closed' }));
      res.body.on('error', () => finish({ kind: 'closed' }));
      res.body.once('end', () => finish({ kind: 'closed' }));
      res.body.once('close', () => finish({ kind: 'closed' }));
      lines.on('line', (line) => {
        if (settled) return;
        let ev: { type?: string; object?: unknown };
        try {
          ev = JSON.parse(line) as typeof ev;
        } catch {
          return; // a torn line: the connection is ending anyway
        }
        const end = this.onEvent(ev.type ?? '', ev.object);
        if (end) finish(end);
      });
    });
  }

  private onEvent(type: string, raw: unknown): WatchEnd | undefined {
    if (type === 'ERROR') {
      const st = (raw ?? {}) as {
        code?: number;
        reason?: string;
        message?: string;
        details?: { retryAfterSeconds?: number };
      };
      if (st.code === 410 || st.reason === 'Expired' || st.reason === 'Gone') return { kind: 'gone' };
      const message = `watch ${this.resource}: ${st.reason ?? 'error'}: ${st.message ?? ''}`;
      const retryAfterMs = Math.min(60, Math.max(0, st.details?.retryAfterSeconds ?? 0)) * 1000;
      return { kind: 'error', err: new WatchStatusError(st.code ?? 500, message, st, retryAfterMs) };
    }
    const obj = raw as KubeObject | undefined;
    if (!obj?.metadata) return undefined;
    const v = rv(obj);
    if (v) this.lastRv = v;
    if (type === 'BOOKMARK') return undefined;
    const full = { ...obj, apiVersion: this.apiVersion, kind: this.kind };
    const k = objectKey(full.metadata.namespace, full.metadata.name);
    if (type === 'DELETED') {
      this.cache.delete(k);
      this.emit('delete', full);
    } else {
      const existed = this.cache.has(k);
      const shared = sharedObject(full);
      this.cache.set(k, shared);
      this.emit(existed ? 'update' : 'add', shared);
    }
    return undefined;
  }
}
