// Public surface of src/metrics: live sampling, throttling parser and stats, timing, reports.
export {
  startMetrics,
  defaultTargets,
  type MetricsOptions,
  type RunningMetrics,
  type Target,
  type BackingTarget,
} from './sampler.js';
export { parseThrottleLine, type ThrottleEvent } from './throttle/parse.js';
export { parseGoDuration } from './throttle/duration.js';
export { normalizePath, ThrottleWindow, percentile } from './throttle/stats.js';
export { perStep, perStepSlices, readyPerMinute, timeToReady, type Distribution, type SliceRow } from './timing.js';
export { termChart, columnValues, type ChartPoint, type TermChartOptions } from './report/term-chart.js';
