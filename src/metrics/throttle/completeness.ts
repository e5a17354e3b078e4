// How much of a controller's client-side throttling its log shows, from its klog verbosity.
// client-go v0.33+ (every pinned controller) logs a wait over 50 ms only at V(3); a wait
// over 1 s also goes through a throttled logger: at most one line per second when -v is 2
// or more, otherwise at most one line per 10 s per process (UPSTREAM-ANCHORS §6). Below V(3)
// a count of log lines is therefore a lower bound, often by orders of magnitude, and the
// pane and report must say so rather than present it as the number of waits.
//
// Where the level comes from: the container's `--v`/`-v` args, unless a live change through
// PUT /debug/flags/v is recorded on the Deployment (LIVE_VERBOSITY_ANNOTATION, "N@pod"),
// which holds only while that pod runs: a restarted process reads its args again.

export const LIVE_VERBOSITY_ANNOTATION = 'scale-tui.metal3.io/live-verbosity';

/** klog's -v / --v from a container's args (the last one wins, as with Go flags); 0 when absent. */
export function verbosityFromArgs(args: readonly string[]): number {
  let v = 0;
  for (let i = 0; i < args.length; i++) {
    const m = /^--?v(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    const value = m[1] ?? args[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) v = Number(value);
  }
  return v;
}

/** The live level recorded for `pod`, if the annotation ("N@pod1,pod2") names that pod. */
export function liveVerbosity(annotation: string | undefined, pod: string | undefined): number | undefined {
  const m = /^(\d+)@(.+)$/.exec(annotation ?? '');
  return m && pod !== undefined && m[2]!.split(',').includes(pod) ? Number(m[1]) : undefined;
}

export interface LogCompleteness {
  verbosity: number;
  source: 'args' | 'live';
  /** True when the log shows only some waits, so counts from it are lower bounds. */
  lowerBound: boolean;
  /** One plain sentence for the pane and the report. */
  note: string;
}

export function logCompleteness(verbosity: number, source: 'args' | 'live' = 'args'): LogCompleteness {
  if (verbosity >= 3)
    return { verbosity, source, lowerBound: false, note: `-v=${verbosity}: every wait over 50 ms is logged` };
  const period = verbosity >= 2 ? 'one line per second' : 'one line per 10 s';
  return {
    verbosity,
    source,
    lowerBound: true,
    note: `-v=${verbosity}: client-go logs only waits over 1 s, at most ${period} per process; counts are lower bounds (raise to -v=3 for every wait)`,
  };
}
