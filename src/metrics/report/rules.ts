// Threshold rules, kube-burner style but over a scale-tui report: `p99(time-to-ready) < 10m`,
// `failed == 0`, `p95(cpu{controller=kcp}) < 4`. One rule is one line of text, parsed into
// a small AST here and evaluated against a Report; the YAML file around the rules is read by
// thresholds.ts. Pure: no I/O, so every rule is tested against a hand-computed journal.
//
// Grammar:  [AGG(] METRIC [{label=value,...}] [)] OP NUMBER[UNIT]
//   AGG     p50 p90 p95 p99 max min avg count (default: the metric's only value)
//   OP      < <= > >= == !=
//   UNIT    durations ms s m h (seconds are the base); cores or millicores (m) for cpu;
//           Ki Mi Gi for memory (bytes the base)
import type { Report } from './build.js';
import { percentile } from '../throttle/stats.js';

export const AGGREGATES = ['p50', 'p90', 'p95', 'p99', 'max', 'min', 'avg', 'count'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
export const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Metrics that are one number for the run. */
export const SCALARS = ['failed', 'ready', 'allocated', 'deleted', 'elapsed', 'throttled', 'time-per-100'] as const;
/** Metrics with one value per cluster, sample or wait. */
export const SERIES = ['time-to-ready', 'cpu', 'memory', 'throttle'] as const;

export interface Rule {
  text: string;
  aggregate?: Aggregate;
  metric: string;
  labels: Record<string, string>;
  op: Operator;
  /** In the metric's base unit: seconds, cores, bytes, milliseconds (throttle waits), or a count. */
  value: number;
}

export class RuleError extends Error {}

const DURATION: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };
const BYTES: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };

function isTimeMetric(metric: string): boolean {
  return metric === 'time-to-ready' || metric === 'elapsed' || metric.includes(':');
}

function parseValue(metric: string, raw: string): number {
  const m = /^(-?\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(raw);
  if (!m) throw new RuleError(`"${raw}" is not a number`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  if (!unit) return n;
  if (isTimeMetric(metric) || metric === 'time-per-100') {
    const f = DURATION[unit];
    if (f === undefined) throw new RuleError(`unit "${unit}" is not a duration (use ms, s, m or h)`);
    return metric === 'time-per-100' ? (n * f) / 60 : n * f;
  }
  if (metric === 'cpu') {
    if (unit === 'm') return n / 1000;
    throw new RuleError(`unit "${unit}" is not a CPU unit (cores without a unit, or millicores with m)`);
  }
  if (metric === 'memory') {
    const f = BYTES[unit];
    if (f === undefined) throw new RuleError(`unit "${unit}" is not a memory unit (Ki, Mi, Gi)`);
    return n * f;
  }
  if (metric === 'throttle' && unit === 'ms') return n;
  if (metric === 'throttle' && unit === 's') return n * 1000;
  throw new RuleError(`${metric} takes a plain number, not "${unit}"`);
}

const RULE = /^\s*(?:(\w+)\(\s*)?([A-Za-z][\w:.-]*)\s*(?:\{([^}]*)\})?\s*(\))?\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

/** Parses one rule; a RuleError says what is wrong with it in words a user can act on. */
export function parseRule(text: string): Rule {
  const m = RULE.exec(text);
  if (!m) throw new RuleError(`cannot read "${text}": expected e.g. "p99(time-to-ready) < 10m" or "failed == 0"`);
  const agg = m[1];
  const metric = m[2]!;
  const labelText = m[3];
  const close = m[4];
  const op = m[5] as Operator;
  const raw = m[6]!;
  if (Boolean(agg) !== Boolean(close)) throw new RuleError(`unbalanced parentheses in "${text}"`);
  if (agg && !(AGGREGATES as readonly string[]).includes(agg))
    throw new RuleError(`unknown aggregate "${agg}" (use one of ${AGGREGATES.join(', ')})`);
  const isPhase = metric.includes(':');
  const known =
    isPhase || (SCALARS as readonly string[]).includes(metric) || (SERIES as readonly string[]).includes(metric);
  if (!known)
    throw new RuleError(
      `unknown metric "${metric}" (use ${[...SCALARS, ...SERIES].join(', ')}, or a phase such as cluster:Available or step:ready)`,
    );
  if ((SCALARS as readonly string[]).includes(metric) && agg)
    throw new RuleError(`${metric} is one number for the run: write "${metric} ${op} ${raw}" without ${agg}()`);
  if (!(SCALARS as readonly string[]).includes(metric) && !agg)
    throw new RuleError(`${metric} has many values: name an aggregate, e.g. "p99(${metric}) ${op} ${raw}"`);
  const labels: Record<string, string> = {};
  for (const part of (labelText ?? '').split(',').filter((s) => s.trim())) {
    const kv = /^\s*(\w+)\s*=\s*"?([^"]+?)"?\s*$/.exec(part);
    if (!kv) throw new RuleError(`label "${part.trim()}" is not name=value`);
    if (kv[1] !== 'controller' && kv[1] !== 'side')
      throw new RuleError(`unknown label "${kv[1]}" (use controller=, and side= for throttle)`);
    labels[kv[1]] = kv[2]!;
  }
  if (labels.controller && !['cpu', 'memory', 'throttle'].includes(metric))
    throw new RuleError(`${metric} has no controller label (cpu, memory and throttle have)`);
  if (labels.side && (metric !== 'throttle' || !['client', 'server', 'retry'].includes(labels.side)))
    throw new RuleError('side= is for throttle only, and is client, server or retry');
  return {
    text: text.trim(),
    ...(agg ? { aggregate: agg as Aggregate } : {}),
    metric,
    labels,
    op,
    value: parseValue(metric, raw),
  };
}

/** The values a rule aggregates, in its base unit; undefined when the run has no such metric. */
export function ruleValues(rule: Rule, r: Report): number[] | undefined {
  const ctl = rule.labels.controller;
  const matches = (id: string): boolean => !ctl || id === ctl || id.startsWith(`${ctl}-`) || id.startsWith(`${ctl}/`);
  switch (rule.metric) {
    case 'failed':
      return [r.clusters.failed];
    case 'ready':
      return [r.clusters.ready];
    case 'allocated':
      return [r.clusters.allocated];
    case 'deleted':
      return [r.clusters.deleted];
    case 'elapsed':
      return [(r.endedAt - r.startedAt) / 1000];
    case 'throttled':
      return [r.throttling.reduce((n, x) => n + x.count, 0)];
    case 'time-per-100':
      return r.slices.length ? r.slices.map((s) => s.minutes) : undefined;
    case 'time-to-ready':
      return r.timeToReadyAll.length ? r.timeToReadyAll : undefined;
    case 'cpu': {
      const xs = Object.entries(r.cpuSeries)
        .filter(([id]) => matches(id))
        .flatMap(([, s]) => s.map((p) => p.cpuMillicores / 1000));
      return xs.length ? xs : undefined;
    }
    case 'memory': {
      const xs = Object.entries(r.memorySeries)
        .filter(([id]) => matches(id))
        .flatMap(([, s]) => s.map((p) => p.memoryBytes));
      return xs.length ? xs : undefined;
    }
    case 'throttle': {
      // Keys are "capi" (client-side) and "capi (server)" / "capi (retry)"; client-side unless side= says.
      const side = rule.labels.side ?? 'client';
      const xs = Object.entries(r.throttleWaits)
        .filter(([id]) => {
          const m = / \((server|retry)\)$/.exec(id);
          return (m?.[1] ?? 'client') === side && matches(m ? id.slice(0, m.index) : id);
        })
        .flatMap(([, ms]) => ms);
      return xs.length ? xs : undefined;
    }
    default: {
      const xs = r.phaseSamples[rule.metric];
      return xs?.length ? xs : undefined;
    }
  }
}

export function aggregate(agg: Aggregate | undefined, values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  switch (agg) {
    case undefined:
      return sorted[0]!;
    case 'max':
      return sorted[sorted.length - 1]!;
    case 'min':
      return sorted[0]!;
    case 'avg':
      return sorted.reduce((a, b) => a + b, 0) / sorted.length;
    case 'count':
      return sorted.length;
    default:
      return percentile(sorted, Number(agg.slice(1)));
  }
}

export function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

export interface RuleResult {
  rule: string;
  severity: 'threshold' | 'alert';
  /** The measured value in the rule's base unit; undefined = the run has no data for it (the rule fails). */
  value?: number;
  passed: boolean;
  message: string;
}

export function evaluateRule(rule: Rule, r: Report, severity: 'threshold' | 'alert' = 'threshold'): RuleResult {
  const values = ruleValues(rule, r);
  if (!values) {
    return {
      rule: rule.text,
      severity,
      passed: false,
      message: `${rule.text}: no data in this run for ${rule.metric}`,
    };
  }
  const value = aggregate(rule.aggregate, values);
  const passed = compare(value, rule.op, rule.value);
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(3);
  return {
    rule: rule.text,
    severity,
    value,
    passed,
    message: `${rule.text}: measured ${shown}${passed ? '' : ` (limit ${rule.op} ${rule.value})`}`,
  };
}
