// In-memory object storage. Each object is kept as its canonical JSON (apiVersion first, so
// serving another version is a prefix rewrite) plus the few parsed fields the server needs to
// filter and collect garbage without re-parsing. One bounded event history per resource serves
// watches from a resourceVersion; a watcher gets the event line serialised once for everyone.
import type { Labels } from './selectors.js';

export interface Stored {
  name: string;
  namespace: string;
  uid: string;
  rv: number;
  /** Canonical JSON, starting with {"apiVersion":"<apiVersion>", */
  json: string;
  apiVersion: string;
  labels: Labels;
  ownerUids: string[] | undefined;
  finalizers: string[] | undefined;
  deleting: boolean;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  item: Stored;
  /** The previous state for MODIFIED events: lets filtered watches see selector transitions. */
  prev?: Stored;
  /** Serialised watch lines per apiVersion, filled lazily; dropped once the event is fanned out. */
  lines?: Map<string, string>;
}

export interface WatchSink {
  namespace?: string;
  accepts(ev: StoreEvent): boolean;
  push(ev: StoreEvent): void;
}

export function objectKey(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The JSON of an item as another version of the same resource. */
export function jsonAs(item: Stored, apiVersion: string): string {
  if (item.apiVersion === apiVersion) return item.json;
  const prefix = `{"apiVersion":${JSON.stringify(item.apiVersion)}`;
  if (item.json.startsWith(prefix))
    return `{"apiVersion":${JSON.stringify(apiVersion)}${item.json.slice(prefix.length)}`;
  const o = JSON.parse(item.json) as Record<string, unknown>;
  o.apiVersion = apiVersion;
  return JSON.stringify(o);
}

export function eventLine(ev: StoreEvent, apiVersion: string): string {
  let lines = ev.lines;
  if (!lines) ev.lines = lines = new Map();
  let line = lines.get(apiVersion);
  if (line === undefined) {
    line = `{"type":"${ev.type}","object":${jsonAs(ev.item, apiVersion)}}\n`;
    lines.set(apiVersion, line);
  }
  return line;
}

export class Bucket {
  readonly items = new Map<string, Stored>();
  /**
   * Events in resourceVersion order from `head`; slots before it are cleared as they fall out,
   * so exactly `historyCap` events stay reachable (the array is compacted once `head` reaches
   * the cap, which keeps the trimming amortised O(1)). Trimming by slicing at 2x the cap held
   * up to twice the events, each a full object.
   */
  private history: (StoreEvent | undefined)[] = [];
  private head = 0;
  /** Highest resourceVersion that fell out of the history; older watches get 410 Gone. */
  evictedRv = 0;
  readonly watchers = new Set<WatchSink>();

  /**
   * `sinceRv` is the store's resourceVersion when this resource's history began: as in
   * kube-apiserver's watch cache, a watch from an older version cannot be replayed and gets
   * 410 Expired rather than a silent gap.
   */
  constructor(
    private readonly historyCap: number,
    sinceRv = 0,
  ) {
    this.evictedRv = sinceRv;
  }

  record(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length - this.head > this.historyCap) {
      this.evictedRv = this.history[this.head]!.item.rv;
      this.history[this.head++] = undefined;
      if (this.head >= this.historyCap) {
        this.history = this.history.slice(this.head);
        this.head = 0;
      }
    }
    for (const w of this.watchers) if (w.accepts(ev)) w.push(ev);
    // The lines were for this fan-out: kept on a history event, each is a flat copy of the
    // object's JSON once written to a socket, doubling the history's memory. A replay
    // serialises again (rarely, and only the tail it sends).
    ev.lines = undefined;
  }

  /** Events newer than rv, or undefined if rv is older than the history reaches. */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.evictedRv) return undefined;
    const h = this.history;
    let lo = this.head;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid]!.item.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo) as StoreEvent[];
  }

  /** Events the history keeps reachable (at most the cap). */
  get historySize(): number {
    return this.history.length - this.head;
  }

  /** Items sorted by key, for list with limit/continue. */
  sortedKeys(namespace: string | undefined): string[] {
    const keys: string[] = [];
    for (const [k, v] of this.items) if (namespace === undefined || v.namespace === namespace) keys.push(k);
    keys.sort();
    return keys;
  }
}
