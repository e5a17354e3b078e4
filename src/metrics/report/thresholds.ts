// The --thresholds FILE that `report`, `create` and `demo --headless` accept, and the run's
// verdict as an exit code (kube-burner's: 0 ok, 1 error, 2 timeout, 3 alert, 4 threshold).
// Every bad entry is reported with its line number, all at once, so a user fixes the file
// in one pass; the shape is checked with zod, the rule text with rules.ts.
//
//   thresholds:
//     - p99(time-to-ready) < 10m
//     - rule: failed == 0
//       severity: alert          # a failed alert rule exits 3 instead of 4
//
// A bare list at the top level is accepted too.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import type { Report } from './build.js';
import { evaluateRule, parseRule, RuleError, type Rule, type RuleResult } from './rules.js';

export const EXIT = { ok: 0, error: 1, timeout: 2, alert: 3, threshold: 4 } as const;
export type VerdictStatus = keyof typeof EXIT;

const Entry = z.union([
  z.string().min(1),
  z
    .object({
      rule: z.string().min(1),
      severity: z.enum(['threshold', 'alert']).optional(),
      description: z.string().optional(),
    })
    .strict(),
]);

export interface ThresholdRule {
  rule: Rule;
  severity: 'threshold' | 'alert';
  description?: string;
  line: number;
}

function zodProblem(err: z.ZodError): string {
  const issue = err.issues.find((i) => i.code === 'unrecognized_keys') ?? err.issues[0];
  if (issue?.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.join(', ')} (use rule, severity, description)`;
  if (issue?.code === 'invalid_union') {
    return 'expected a rule as text, or a map with rule: (and optional severity: threshold|alert, description:)';
  }
  return issue?.message ?? 'not a rule';
}

/** Parses thresholds YAML text; `name` labels the errors (the file path). */
export function parseThresholds(text: string, name: string): ThresholdRule[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineOf = (n: Node | null | undefined): number => (n?.range ? lines.linePos(n.range[0]).line : 1);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError(
      `${name}:${e.linePos?.[0]?.line ?? 1}: not valid YAML: ${e.message.split('\n')[0]}`,
      'Write the rules as a YAML list under thresholds:, one rule per item.',
      EXIT.error,
    );
  }
  let seq: Node | null | undefined = doc.contents;
  if (isMap(seq)) {
    const keys = seq.items.map((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key));
    const other = keys.filter((k) => k !== 'thresholds');
    if (other.length)
      throw new UserError(
        `${name}:${lineOf(seq.items.find((p) => String((p.key as { value?: unknown }).value) === other[0])?.key as Node)}: unknown key "${other[0]}" (the file holds one key, thresholds:)`,
        'Put the rules in a list under thresholds:.',
        EXIT.error,
      );
    seq = seq.get('thresholds', true) as Node | undefined;
  }
  if (!isSeq(seq))
    throw new UserError(
      `${name}:${lineOf(seq)}: expected a list of rules`,
      'Example:\nthresholds:\n  - p99(time-to-ready) < 10m\n  - failed == 0',
      EXIT.error,
    );
  const problems: string[] = [];
  const out: ThresholdRule[] = [];
  for (const item of seq.items) {
    const line = lineOf(item as Node);
    const parsed = Entry.safeParse((item as { toJSON?: () => unknown })?.toJSON?.() ?? item);
    if (!parsed.success) {
      problems.push(`${name}:${line}: ${zodProblem(parsed.error)}`);
      continue;
    }
    const e = typeof parsed.data === 'string' ? { rule: parsed.data } : parsed.data;
    try {
      out.push({
        rule: parseRule(e.rule),
        severity: 'severity' in e && e.severity ? e.severity : 'threshold',
        ...('description' in e && e.description ? { description: e.description } : {}),
        line,
      });
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      problems.push(`${name}:${line}: ${err.message}`);
    }
  }
  if (problems.length)
    throw new UserError(
      problems.join('\nerror: '),
      'Fix the lines named above; rules read like "p99(time-to-ready) < 10m", "failed == 0", "p95(cpu{controller=kcp}) < 4".',
      EXIT.error,
    );
  if (out.length === 0)
    throw new UserError(`${name}: no rules`, 'Add at least one rule, e.g. "- failed == 0".', EXIT.error);
  return out;
}

export function loadThresholds(path: string): ThresholdRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(
      `cannot read thresholds file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'Pass --thresholds with the path of a YAML file of rules.',
      EXIT.error,
    );
  }
  return parseThresholds(text, path);
}

export interface Verdict {
  status: VerdictStatus;
  exitCode: number;
  passed: boolean;
  results: RuleResult[];
  /** Why the status is what it is, in one line. */
  reason: string;
}

const TIMEOUT_REASON = /timed out|timeout|deadline/i;

/**
 * The run's verdict. Precedence follows severity: clusters that failed for another reason
 * (1) over clusters that failed by timing out (2) over failed alert rules (3) over failed
 * threshold rules (4). `timedOut` is set by a caller whose own deadline ran out.
 */
export function verdict(r: Report, rules: readonly ThresholdRule[], opts: { timedOut?: boolean } = {}): Verdict {
  const results = rules.map((t) => evaluateRule(t.rule, r, t.severity));
  const errors = r.failures.filter((f) => !TIMEOUT_REASON.test(f.reason)).reduce((n, f) => n + f.count, 0);
  const timeouts = r.failures.filter((f) => TIMEOUT_REASON.test(f.reason)).reduce((n, f) => n + f.count, 0);
  const alerts = results.filter((x) => !x.passed && x.severity === 'alert');
  const thresholds = results.filter((x) => !x.passed && x.severity === 'threshold');
  const make = (status: VerdictStatus, reason: string): Verdict => ({
    status,
    exitCode: EXIT[status],
    passed: status === 'ok',
    results,
    reason,
  });
  if (errors) return make('error', `${errors} cluster(s) failed`);
  if (timeouts || opts.timedOut)
    return make('timeout', timeouts ? `${timeouts} cluster(s) timed out` : 'the run did not finish in time');
  if (alerts.length) return make('alert', `${alerts.length} alert rule(s) failed: ${alerts[0]!.message}`);
  if (thresholds.length)
    return make('threshold', `${thresholds.length} threshold rule(s) failed: ${thresholds[0]!.message}`);
  return make('ok', results.length ? `all ${results.length} rule(s) passed` : 'no failures');
}

/** The verdict as lines for stderr: one per rule, then the status with its exit code. */
export function verdictLines(v: Verdict, label?: string): string[] {
  const who = label ? `${label}: ` : '';
  const lines = v.results.map(
    (x) => `${who}${x.passed ? 'pass' : x.severity === 'alert' ? 'ALERT' : 'FAIL'}: ${x.message}`,
  );
  lines.push(`${who}verdict: ${v.status} (exit ${v.exitCode}): ${v.reason}`);
  return lines;
}
