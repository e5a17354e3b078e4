// client-go writes its throttling message through klog, and the pinned controllers (CAPI
// v1.14, CAPM3 v1.13, BMO v0.13) link client-go v0.33+, whose rest/request.go logs the
// structured form:
//   I… request.go:NNN] "Waited before sending request" delay="1.2s" reason="client-side throttling, not priority and fairness" verb="GET" URL="https://…"
// When: every wait over 50 ms at V(3); a wait over 1 s also through a throttled logger,
// V(2) at most once per second when the verbosity is 2 or more, otherwise V(0) at most once
// per 10 s (UPSTREAM-ANCHORS §6). So at the default verbosity a busy controller prints at
// most one such line per 10 s, and counts from logs are lower bounds.
export const LONG_THROTTLE_LATENCY_MS = 50;
export const EXTRA_LONG_THROTTLE_LATENCY_MS = 1000;
/** The throttled logger's period at V(0) and at V(2). */
export const THROTTLED_PERIOD_V0_MS = 10_000;
export const THROTTLED_PERIOD_V2_MS = 1_000;
const THROTTLE_REASON = 'client-side throttling, not priority and fairness';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** klog header for an info line, e.g. "I0501 20:52:09.033684   24024 request.go:697] ". */
export function klogHeader(
  at: Date,
  threadId: number,
  file: string,
  line: number,
  severity: 'I' | 'W' | 'E' = 'I',
): string {
  const micros = at.getUTCMilliseconds() * 1000 + Math.floor(Math.random() * 1000);
  return (
    `${severity}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())} ` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}.${pad(micros, 6)} ` +
    `${String(threadId).padStart(7, ' ')} ${file}:${line}] `
  );
}

/** Go's time.Duration String() for a positive duration below an hour, as klog prints it. */
export function goDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${trimZeros(ms.toFixed(6))}ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${trimZeros(totalSeconds.toFixed(9))}s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}m${trimZeros((totalSeconds - minutes * 60).toFixed(9))}s`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** One structured throttling line as client-go v0.33+ writes it. */
export function throttleLine(at: Date, threadId: number, waitMs: number, verb: string, url: string): string {
  const quoted = (s: string) => JSON.stringify(s);
  return (
    `${klogHeader(at, threadId, 'request.go', 752)}"Waited before sending request" ` +
    `delay=${quoted(goDuration(waitMs))} reason=${quoted(THROTTLE_REASON)} verb=${quoted(verb)} URL=${quoted(url)}`
  );
}

/**
 * Decides which throttle waits become log lines at a given klog verbosity, with
 * client-go's thresholds and its throttled logger's period. The clock is injectable so a
 * test can step through the 10 s window.
 */
export class ThrottleLogger {
  private lastThrottledAt = Number.NEGATIVE_INFINITY;

  /** `verbosity` may be a getter: `PUT /debug/flags/v` changes it while the process runs. */
  constructor(
    private readonly verbosity: number | (() => number),
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this wait produces a line. */
  shouldLog(waitMs: number): boolean {
    if (waitMs <= LONG_THROTTLE_LATENCY_MS) return false;
    const v = typeof this.verbosity === 'function' ? this.verbosity() : this.verbosity;
    // V(3) logs every long wait; the throttled line would repeat it.
    if (v >= 3) return true;
    if (waitMs <= EXTRA_LONG_THROTTLE_LATENCY_MS) return false;
    const period = v >= 2 ? THROTTLED_PERIOD_V2_MS : THROTTLED_PERIOD_V0_MS;
    const t = this.now();
    if (t - this.lastThrottledAt < period) return false;
    this.lastThrottledAt = t;
    return true;
  }
}
