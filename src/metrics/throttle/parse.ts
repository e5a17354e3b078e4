// client-go's client-side throttling log line, in every form it has had:
//   < 1.20   "Throttling request took 1.04s, request: GET:https://…"
//   1.20+    "Waited for 1.04s due to client-side throttling, not priority and fairness, request: GET:https://…"
//   1.31+    structured: "Waited before sending request" delay="1.04s" reason="client-side throttling, …" verb="GET" URL="https://…"
// each behind a klog text header (I0315 12:34:56.789012   1 request.go:697]) or none, or
// as JSON from a zap/logr backend ({"msg":…} with the fields, delay as "1.04s" or seconds),
// or from zap's console encoder (controller-runtime dev mode, e.g. BMO): a tab-separated
// header, the bare message, then the fields as one JSON object.
//
// Server-side throttling (API priority and fairness) shows up in three ways, and is kept
// apart from the client's own rate limiter (`side`):
//   - the wait before a retry after a 429: "Waited for 1s, retries: 1, retry-after: 1s -
//     retry-reason: due to server-side throttling, FlowSchema UID: "…" - request: GET:…"
//     (v0.21–v0.32), or the structured line with that text as its reason (v0.33+);
//   - "Got a Retry-After response" (V(4)) when a 429 arrives;
//   - a request that failed with 429 after its retries ("the server has received too many
//     requests…", "Too many requests"): no wait, so waitMs 0.
// A retry for another reason (a 5xx, a connection reset) is side 'retry': not throttling.
import { parseGoDuration } from './duration.js';

export type ThrottleSide = 'client' | 'server' | 'retry';

export interface ThrottleEvent {
  /** Who made the request wait: the client's rate limiter, the API server (429), or a plain retry. */
  side: ThrottleSide;
  waitMs: number;
  verb: string;
  url: string;
  /** The request path without scheme, host and query. */
  path: string;
  /** Epoch ms from the line's own timestamp when it has one with a full date (JSON ts). */
  t?: number;
}

const DURATION = '([0-9.]+[a-zµμ]+(?:[0-9.]+[a-zµμ]+)*)';
const LEGACY = new RegExp(
  `(?:Waited for|Throttling request took) ${DURATION}(?: due to client-side throttling[^,]*(?:, not priority and fairness)?)?, request: ([A-Z]+):(\\S+)`,
);
/** v0.21–v0.32 retry wait: "Waited for D, retries: N, retry-after: D - retry-reason: R - request: VERB:URL". */
const LEGACY_RETRY = new RegExp(`Waited for ${DURATION}, (retries: \\d+, retry-after: .*?) - request: ([A-Z]+):(\\S+)`);
const RETRY_AFTER = /"Got a Retry-After response"(.*)$/;
/** A request refused with 429 after client-go's retries, in the wordings apimachinery and kube-apiserver use. */
const REJECTED =
  /the server has received too many requests and has asked us to try again later|Too many requests, please try again later|\bTooManyRequests\b/;
const STRUCTURED = /"Waited before sending request"(.*)$/;
const CONSOLE = /\tWaited before sending request\t(\{.*\})\s*$/;
const FIELD = (name: string): RegExp => new RegExp(`\\b${name}="((?:[^"\\\\]|\\\\.)*)"`);

export function requestPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/** The side a client-go wait reason names: its own limiter, APF (FlowSchema / 429), or another retry. */
export function sideOfReason(reason: string | undefined): ThrottleSide {
  if (!reason || /client-side throttling/.test(reason)) return 'client';
  return /server-side throttling|FlowSchema|retry-reason: 429\b/.test(reason) ? 'server' : 'retry';
}

function event(
  waitMs: number | undefined,
  verb: string | undefined,
  url: string | undefined,
  t?: number,
  side: ThrottleSide = 'client',
): ThrottleEvent | undefined {
  if (waitMs === undefined || verb === undefined || !url) return undefined;
  return { side, waitMs, verb, url, path: requestPath(url), ...(t !== undefined ? { t } : {}) };
}

/** A 429 seen without a request line to go with it: counted, with no wait and no path. */
function rejected(t?: number): ThrottleEvent {
  return { side: 'server', waitMs: 0, verb: '', url: '', path: '(429 response)', ...(t !== undefined ? { t } : {}) };
}

function fromJson(raw: string): ThrottleEvent | undefined {
  const o = safeObject(raw);
  return o ? fromObject(o) : undefined;
}

function fromObject(o: Record<string, unknown>): ThrottleEvent | undefined {
  const msg = typeof o.msg === 'string' ? o.msg : typeof o.message === 'string' ? o.message : '';
  const ts =
    typeof o.ts === 'string'
      ? Date.parse(o.ts)
      : typeof o.ts === 'number'
        ? o.ts > 1e12
          ? o.ts
          : o.ts * 1000
        : undefined;
  const t = ts !== undefined && Number.isFinite(ts) ? ts : undefined;
  const d = o.delay;
  const delayMs = typeof d === 'string' ? parseGoDuration(d) : typeof d === 'number' ? d * 1000 : undefined;
  const url = typeof o.URL === 'string' ? o.URL : typeof o.url === 'string' ? o.url : undefined;
  if (msg.startsWith('Waited before sending request')) {
    const reason = typeof o.reason === 'string' ? o.reason : undefined;
    return event(delayMs, typeof o.verb === 'string' ? o.verb : undefined, url, t, sideOfReason(reason));
  }
  // The Retry-After line names no verb.
  if (msg.startsWith('Got a Retry-After response')) return event(delayMs, '', url, t, 'server');
  const fromText = fromMessage(msg, t);
  if (fromText) return fromText;
  const err = typeof o.error === 'string' ? o.error : typeof o.err === 'string' ? o.err : '';
  return REJECTED.test(msg) || REJECTED.test(err) ? rejected(t) : undefined;
}

/** The unstructured wordings, in a klog text line or a JSON message. */
function fromMessage(msg: string, t?: number): ThrottleEvent | undefined {
  const legacy = LEGACY.exec(msg);
  if (legacy) return event(parseGoDuration(legacy[1]!), legacy[2], legacy[3], t);
  const retry = LEGACY_RETRY.exec(msg);
  if (retry) return event(parseGoDuration(retry[1]!), retry[3], retry[4], t, sideOfReason(retry[2]));
  return undefined;
}

function safeObject(json: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One log line in, a throttling event out, or undefined for any other line. */
export function parseThrottleLine(raw: string): ThrottleEvent | undefined {
  const line = raw.trim();
  if (line.startsWith('{')) return fromJson(line);
  const plain = fromMessage(line);
  if (plain) return plain;
  const dev = CONSOLE.exec(line);
  if (dev) {
    const fields = safeObject(dev[1]!);
    // The console header's first column is the ISO time when the encoder writes one.
    return fields
      ? fromObject({ ...fields, msg: 'Waited before sending request', ts: line.split('\t', 1)[0] })
      : undefined;
  }
  const structured = STRUCTURED.exec(line);
  if (structured) {
    const rest = structured[1]!;
    const delay = FIELD('delay').exec(rest)?.[1];
    return event(
      delay === undefined ? undefined : parseGoDuration(delay),
      FIELD('verb').exec(rest)?.[1],
      FIELD('URL').exec(rest)?.[1],
      undefined,
      sideOfReason(FIELD('reason').exec(rest)?.[1]),
    );
  }
  const retryAfter = RETRY_AFTER.exec(line);
  if (retryAfter) {
    const rest = retryAfter[1]!;
    const delay = FIELD('delay').exec(rest)?.[1];
    // The line names no verb; the URL is what was refused.
    return event(
      delay === undefined ? undefined : parseGoDuration(delay),
      '',
      FIELD('url').exec(rest)?.[1],
      undefined,
      'server',
    );
  }
  return REJECTED.test(line) ? rejected() : undefined;
}
