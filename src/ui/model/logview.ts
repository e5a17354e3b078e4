// The log viewer over the store's bounded buffers (engine log, throttling tail, one
// controller's full pod log): filter, since-range, timestamps, wrap, and a window
// `scroll` lines above the live end. Pure; only the visible window is wrapped, so a
// 10,000-line buffer costs one filter pass per frame.
import type { ControllerLogLine, ScaleState } from '../../state/store.js';
import { line, seg, type Color, type Line } from './text.js';
import type { LogSource, LogViewState } from './view-state.js';

export interface LogEntry {
  t: number;
  text: string;
  tone?: Color;
}

/** Since-ranges on `0`-`5` (k9s: 0-6 in its log view). */
export const SINCE_RANGES: ReadonlyArray<{ key: string; ms: number; label: string }> = [
  { key: '0', ms: 0, label: 'all' },
  { key: '1', ms: 60_000, label: '1m' },
  { key: '2', ms: 5 * 60_000, label: '5m' },
  { key: '3', ms: 15 * 60_000, label: '15m' },
  { key: '4', ms: 60 * 60_000, label: '1h' },
  { key: '5', ms: 6 * 60 * 60_000, label: '6h' },
];

export function logSources(state: ScaleState): LogSource[] {
  const ids = [
    ...new Set([...Object.keys(state.controllerLogs), ...state.throttling.recent.map((t) => t.controller)]),
  ].sort();
  return ['engine', 'throttling', ...ids.map((id): LogSource => `controller:${id}`)];
}

export function sourceTitle(source: LogSource): string {
  if (source === 'engine') return 'Engine log';
  if (source === 'throttling') return 'Throttling tail';
  return `${source.slice('controller:'.length)} log`;
}

// klog's severity letter leads each line: errors and warnings keep their colour here.
const klogTone = (text: string): Color | undefined =>
  text.startsWith('E') || text.startsWith('F') ? 'error' : text.startsWith('W') ? 'warn' : undefined;

const controllerCache = new WeakMap<object, LogEntry[]>();

/** One controller's buffer; after a rollout it holds two pods' lines, so each names its pod then. */
function controllerEntries(lines: readonly ControllerLogLine[]): LogEntry[] {
  let out = controllerCache.get(lines);
  if (!out) {
    const pods = new Set(lines.map((l) => l.pod)).size;
    out = lines.map((l) => ({ t: l.t, text: pods > 1 ? `[${l.pod}] ${l.text}` : l.text, tone: klogTone(l.text) }));
    controllerCache.set(lines, out);
  }
  return out;
}

// The store replaces a buffer when it appends, so a buffer's identity says whether its
// entries changed: frames in between (most of them) reuse the mapped entries.
const engineCache = new WeakMap<object, LogEntry[]>();
const throttleCache = new WeakMap<object, Map<string, LogEntry[]>>();

export function logEntries(state: ScaleState, source: LogSource): LogEntry[] {
  if (source === 'engine') {
    let out = engineCache.get(state.log);
    if (!out) {
      out = state.log.map((l) => ({
        t: l.t,
        text: l.message,
        tone: l.level === 'error' ? 'error' : l.level === 'warn' ? 'warn' : undefined,
      }));
      engineCache.set(state.log, out);
    }
    return out;
  }
  const own = source === 'throttling' ? undefined : state.controllerLogs[source.slice('controller:'.length)];
  if (own) return controllerEntries(own);
  // A controller whose full log is not followed (yet) still shows its throttling lines.
  let bySource = throttleCache.get(state.throttling.recent);
  if (!bySource) {
    bySource = new Map();
    throttleCache.set(state.throttling.recent, bySource);
  }
  const cached = bySource.get(source);
  if (cached) return cached;
  const only = source === 'throttling' ? undefined : source.slice('controller:'.length);
  const out: LogEntry[] = state.throttling.recent
    .filter((t) => only === undefined || t.controller === only)
    .map((t) => ({ t: t.t, text: t.raw || `${t.controller} waited ${Math.round(t.waitMs)}ms ${t.verb} ${t.path}` }));
  bySource.set(source, out);
  return out;
}

/** Entries left after the since-range and the filter (case-insensitive substring). */
export function visibleEntries(entries: LogEntry[], v: LogViewState, now: number): LogEntry[] {
  const f = v.filter.toLowerCase();
  const from = v.sinceMs > 0 ? now - v.sinceMs : -Infinity;
  if (!f && from === -Infinity) return entries;
  return entries.filter((e) => e.t >= from && (!f || e.text.toLowerCase().includes(f)));
}

const stamp = (t: number): string => new Date(t).toISOString().slice(11, 19);

export function entryText(e: LogEntry, timestamps: boolean): string {
  return timestamps ? `${stamp(e.t)} ${e.text}` : e.text;
}

export interface LogWindow {
  rows: Line[];
  total: number;
  /** Entries below the window (0 = at the live end). */
  below: number;
}

function entryRows(e: LogEntry, v: LogViewState, width: number): Line[] {
  const ts = v.timestamps ? seg(`${stamp(e.t)} `, { dim: true }) : undefined;
  if (!v.wrap || width <= 0) return [line(...(ts ? [ts] : []), seg(e.text, { color: e.tone }))];
  const first = Math.max(1, width - (ts ? ts.text.length : 0));
  const parts = [line(...(ts ? [ts] : []), seg(e.text.slice(0, first), { color: e.tone }))];
  for (let p = first; p < e.text.length; p += width)
    parts.push(line(seg(e.text.slice(p, p + width), { color: e.tone })));
  return parts;
}

/**
 * The rows to draw: `height` rows ending `scroll` entries above the anchor (the live end,
 * or the last entry at `until`). Near the top the window fills downwards instead, so `g`
 * shows a full screen of the oldest lines.
 */
export function logWindow(entries: LogEntry[], v: LogViewState, width: number, height: number): LogWindow {
  const total = entries.length;
  let end = total - 1;
  if (!v.follow && v.until !== undefined) while (end >= 0 && entries[end]!.t > v.until) end--;
  if (!v.follow) end = Math.max(Math.min(end, 0), end - v.scroll);
  const rows: Line[] = [];
  for (let i = end; i >= 0 && rows.length < height; i--) {
    const parts = entryRows(entries[i]!, v, width);
    for (let j = parts.length - 1; j >= 0 && rows.length < height; j--) rows.unshift(parts[j]!);
  }
  // Whole entries only, so `below` counts exactly what is out of sight.
  let next = end + 1;
  for (; next < total; next++) {
    const parts = entryRows(entries[next]!, v, width);
    if (rows.length + parts.length > height) break;
    rows.push(...parts);
  }
  return { rows, total, below: total - next };
}
