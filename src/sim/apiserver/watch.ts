// Watch streams: chunked JSON, one event per line. Replays from a resourceVersion out of the
// bucket's bounded history (410 Gone as an ERROR event when it is too old), sends synthetic
// ADDED events for a fresh watch, BOOKMARKs when allowed, and closes a watcher whose unsent
// output exceeds a bound so a slow client never holds up writers or memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventLine, jsonAs, type Bucket, type StoreEvent, type WatchSink, type Stored } from './store.js';
import type { LabelPredicate, FieldRequirement } from './selectors.js';
import { fieldsMatch } from './selectors.js';
import { fieldView } from './stored-object.js';

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
  /** Fault injection: end at once with ERROR 504 ResourceVersionTooLarge. */
  tooLargeResourceVersion?: boolean;
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

  const filtered = p.label !== undefined || p.fields !== undefined;
  // As kube-apiserver's watch cache (cacheWatcher.convertToWatchEvent): an object that starts
  // matching a filtered watch arrives as ADDED; one that stops matching arrives as DELETED
  // carrying its PREVIOUS state (the last one this watcher was entitled to see) stamped with
  // the event's resourceVersion, so the client's resume point still advances.
  const convert = (ev: StoreEvent): string | undefined => {
    const now = matches(ev.item);
    if (!ev.prev || !filtered) return now ? eventLine(ev, p.apiVersion) : undefined;
    const before = matches(ev.prev);
    if (now && before) return eventLine(ev, p.apiVersion);
    if (now) return transitionLine(ev, 'ADDED', p.apiVersion);
    if (before) return transitionLine(ev, 'DELETED', p.apiVersion);
    return undefined;
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

  if (p.tooLargeResourceVersion) {
    // storage.NewTooLargeResourceVersionError as the cacher's errWatcher delivers it: one ERROR
    // event, then the stream ends. The lag is faked: the cache claims to be one version behind.
    const wanted = rvFrom ?? p.currentRv();
    res.end(`{"type":"ERROR","object":${JSON.stringify(tooLargeStatus(wanted, Math.max(0, wanted - 1)))}}\n`);
    return;
  }
  if (rvFrom !== undefined && p.sendInitialEvents !== true) {
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
    for (const ev of replay) {
      const line = convert(ev);
      if (line) res.write(line);
      // History events keep no serialised copy (Bucket.record says why).
      ev.lines = undefined;
    }
  } else if (p.sendInitialEvents !== false) {
    // With sendInitialEvents=true the state is sent as ADDED events whatever resourceVersion was
    // given (NotOlderThan it; ours is always current), closed by the initial-events-end BOOKMARK.
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
      const line = convert(ev);
      if (line) res.write(line);
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

/** The Status kube-apiserver returns when a watch asks for a version its cache has not reached. */
export function tooLargeStatus(wanted: number, current: number): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Timeout: Too large resource version: ${wanted}, current: ${current}`,
    reason: 'Timeout',
    details: {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
    code: 504,
  };
}

/** A selector-transition event line, serialised once per event and apiVersion for all watchers. */
function transitionLine(ev: StoreEvent, type: 'ADDED' | 'DELETED', apiVersion: string): string {
  let lines = ev.lines;
  if (!lines) ev.lines = lines = new Map();
  const key = `${type}\u0000${apiVersion}`;
  let line = lines.get(key);
  if (line === undefined) {
    if (type === 'ADDED') line = `{"type":"ADDED","object":${jsonAs(ev.item, apiVersion)}}\n`;
    else {
      const prev = JSON.parse(jsonAs(ev.prev!, apiVersion)) as { metadata: Record<string, unknown> };
      prev.metadata.resourceVersion = String(ev.item.rv);
      line = `{"type":"DELETED","object":${JSON.stringify(prev)}}\n`;
    }
    lines.set(key, line);
  }
  return line;
}

function bookmark(p: WatchParams, initialEnd: boolean): string {
  const md: Record<string, unknown> = { resourceVersion: String(p.currentRv()), creationTimestamp: null };
  if (initialEnd) md.annotations = { 'k8s.io/initial-events-end': 'true' };
  return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: p.kind, apiVersion: p.apiVersion, metadata: md })}}\n`;
}
