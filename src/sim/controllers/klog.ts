// client-go writes its throttling message through klog. The header is klog's
// `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg` and the message is request.go's
// "Waited for <duration> due to client-side throttling, not priority and fairness,
// request: <VERB>:<URL>", logged only when the wait exceeds longThrottleLatency (50ms).
export const LONG_THROTTLE_LATENCY_MS = 50;

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

/** Go's time.Duration String() for a positive duration below an hour, as client-go prints it. */
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

export function throttleLine(at: Date, threadId: number, waitMs: number, verb: string, url: string): string {
  return `${klogHeader(at, threadId, 'request.go', 697)}Waited for ${goDuration(waitMs)} due to client-side throttling, not priority and fairness, request: ${verb}:${url}`;
}
