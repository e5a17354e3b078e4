// client-go's client-side throttling log line, in every form it has had:
//   < 1.20   "Throttling request took 1.04s, request: GET:https://…"
//   1.20+    "Waited for 1.04s due to client-side throttling, not priority and fairness, request: GET:https://…"
//   1.31+    structured: "Waited before sending request" delay="1.04s" reason="client-side throttling, …" verb="GET" URL="https://…"
// each behind a klog text header (I0315 12:34:56.789012   1 request.go:697]) or none, or
// as JSON from a zap/logr backend ({"msg":…} with the fields, delay as "1.04s" or seconds),
// or from zap's console encoder (controller-runtime dev mode, e.g. BMO): a tab-separated
// header, the bare message, then the fields as one JSON object.
import { parseGoDuration } from './duration.js';

export interface ThrottleEvent {
  waitMs: number;
  verb: string;
  url: string;
  /** The request path without scheme, host and query. */
  path: string;
  /** Epoch ms from the line's own timestamp when it has one with a full date (JSON ts). */
  t?: number;
}

const LEGACY =
  /(?:Waited for|Throttling request took) ([0-9.]+[a-zµμ]+(?:[0-9.]+[a-zµμ]+)*)(?: due to client-side throttling[^,]*(?:, not priority and fairness)?)?, request: ([A-Z]+):(\S+)/;
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

function event(
  waitMs: number | undefined,
  verb: string | undefined,
  url: string | undefined,
  t?: number,
): ThrottleEvent | undefined {
  if (waitMs === undefined || !verb || !url) return undefined;
  return { waitMs, verb, url, path: requestPath(url), ...(t !== undefined ? { t } : {}) };
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
  if (msg.startsWith('Waited before sending request')) {
    const d = o.delay;
    const waitMs = typeof d === 'string' ? parseGoDuration(d) : typeof d === 'number' ? d * 1000 : undefined;
    return event(
      waitMs,
      typeof o.verb === 'string' ? o.verb : undefined,
      typeof o.URL === 'string' ? o.URL : typeof o.url === 'string' ? o.url : undefined,
      t,
    );
  }
  const legacy = LEGACY.exec(msg);
  return legacy ? event(parseGoDuration(legacy[1]!), legacy[2], legacy[3], t) : undefined;
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
  const legacy = LEGACY.exec(line);
  if (legacy) return event(parseGoDuration(legacy[1]!), legacy[2], legacy[3]);
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
    );
  }
  return undefined;
}
