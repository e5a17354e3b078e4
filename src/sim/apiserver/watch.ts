// Watch streams: chunked JSON, one event per line. Replays from a resourceVersion out of the
// bucket's bounded history (410 Gone as an ERROR event when it is too old), sends synthetic
// ADDED events for a fresh watch, BOOKMARKs when allowed, and closes a watcher whose unsent
// output exceeds a bound so a slow client never holds up writers or memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventLine, type Bucket, type StoreEvent, type WatchSink, type Stored } from './store.js';
import type { LabelPredicate, FieldRequirement } from './selectors.js';
import { fieldsMatch } from './selectors.js';
import { fieldView } from './objects.js';

export interface WatchParams {
  bucket: Bucket;
  kind: string;
  apiVersion: string;
  namespace?: string;
  label?: LabelPredicate;
  fields?: FieldRequirement[];
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  currentRv: () => number;
  bookmarkIntervalMs: number;
  maxBufferBytes: number;
  /** Fault injection: close the stream after this long. */
  dropAfterMs?: number;
  onOpen?: (close: () => void) => void;
  onClose?: (close: () => void) => void;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, p: WatchParams): void {
  const matches = (item: Stored): boolean => {
    if (p.namespace !== undefined && item.namespace !== p.namespace) return false;
    if (p.label && !p.label(item.labels)) return false;
    if (p.fields && !fieldsMatch(p.fields, fieldView(item, p.fields))) return false;
    return true;
  };

  let rvFrom: number | undefined;
  if (p.resourceVersion && p.resourceVersion !== '0') {
    rvFrom = Number(p.resourceVersion);
    if (!Number.isFinite(rvFrom)) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `resourceVersion: Invalid value: "${p.resourceVersion}": strconv.ParseUint: parsing "${p.resourceVersion}": invalid syntax`,
          reason: 'BadRequest',
          code: 400,
        }),
      );
      return;
    }
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  if (rvFrom !== undefined) {
    const replay = p.bucket.since(rvFrom);
    if (!replay) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rvFrom} (${p.bucket.evictedRv + 1})`,
        reason: 'Expired',
        code: 410,
      };
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
    for (const ev of replay) if (matches(ev.item)) res.write(eventLine(ev, p.apiVersion));
  } else if (p.sendInitialEvents !== false) {
    for (const item of p.bucket.items.values()) {
      if (matches(item)) res.write(eventLine({ type: 'ADDED', item }, p.apiVersion));
    }
    if (p.sendInitialEvents && p.allowBookmarks) res.write(bookmark(p, true));
  }

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  const sink: WatchSink = {
    namespace: p.namespace,
    accepts: (ev: StoreEvent) => matches(ev.item) || (ev.prev !== undefined && matches(ev.prev)),
    push: (ev: StoreEvent) => {
      if (closed) return;
      // As kube-apiserver's watch cache: an object that starts matching a filtered watch arrives
      // as ADDED, one that stops matching as DELETED.
      let out = ev;
      if (ev.prev && (p.label || p.fields)) {
        const now = matches(ev.item);
        const before = matches(ev.prev);
        if (now && !before) out = { type: 'ADDED', item: ev.item };
        else if (!now && before) out = { type: 'DELETED', item: ev.item };
      }
      res.write(eventLine(out, p.apiVersion));
      // A client that does not read must not make the server hold its events forever.
      if (res.writableLength > p.maxBufferBytes) close();
    },
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    p.bucket.watchers.delete(sink);
    for (const t of timers) clearTimeout(t);
    p.onClose?.(close);
    if (res.writableLength > p.maxBufferBytes) res.destroy();
    else res.end();
  };
  p.bucket.watchers.add(sink);
  p.onOpen?.(close);
  req.on('close', close);
  res.on('error', close);
  if (p.timeoutSeconds && p.timeoutSeconds > 0) timers.push(setTimeout(close, p.timeoutSeconds * 1000));
  if (p.dropAfterMs !== undefined)
    timers.push(
      setTimeout(() => {
        closed = true;
        p.bucket.watchers.delete(sink);
        res.destroy();
      }, p.dropAfterMs),
    );
  if (p.allowBookmarks) {
    const iv = setInterval(() => {
      if (!closed) res.write(bookmark(p, false));
    }, p.bookmarkIntervalMs);
    iv.unref();
    timers.push(iv);
  }
}

function bookmark(p: WatchParams, initialEnd: boolean): string {
  const md: Record<string, unknown> = { resourceVersion: String(p.currentRv()), creationTimestamp: null };
  if (initialEnd) md.annotations = { 'k8s.io/initial-events-end': 'true' };
  return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: p.kind, apiVersion: p.apiVersion, metadata: md })}}\n`;
}
