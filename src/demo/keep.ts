// What a kept demo run needs beyond the world itself: a fresh run id (so a state dir that
// already holds demo runs gets a new run, not a resume of the last one), and the verdict a
// headless run ends with: the same rules and exit codes as `scale-tui report --thresholds`.
import { randomBytes } from 'node:crypto';
import type { JournalEvent } from '../core/types.js';
import { buildReport } from '../metrics/report/build.js';
import { type ThresholdRule, verdict, verdictLines } from '../metrics/report/thresholds.js';

/** The engine's run id shape: UTC timestamp to the second, then 4 hex digits. */
export function newDemoRunId(now = Date.now()): string {
  const d = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${d}-${randomBytes(2).toString('hex')}`;
}

export function judgeDemoRun(
  events: JournalEvent[],
  rules: readonly ThresholdRule[],
  timedOut: boolean,
): { exitCode: number; lines: string[] } {
  const v = verdict(buildReport(events), rules, { timedOut });
  return { exitCode: v.exitCode, lines: rules.length || v.exitCode ? verdictLines(v) : [] };
}
