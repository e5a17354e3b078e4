// The run as CI systems read it: a job summary (JSON, kube-burner's jobSummary in spirit:
// run id, full config, tuning timeline, start/end/elapsed, passed, errors with reasons and
// counts), junit.xml (one testcase per cluster-failure group and per rule, so a CI page
// lists what broke), and perfdash's PerfData JSON (clusterloader2's DataItems: version,
// dataItems[{data:{Perc50,Perc90,Perc99}, unit, labels}]). Pure: report + verdict in, text out.
import type { Report } from './build.js';
import { quantiles } from './phases.js';
import type { Verdict } from './thresholds.js';

const iso = (t: number): string => new Date(t).toISOString();

export function jobSummary(r: Report, v: Verdict, chartPaths: string[] = []): Record<string, unknown> {
  return {
    kind: 'scale-tui/job-summary',
    version: 1,
    runId: r.runId,
    topology: r.topology,
    config: r.config ?? null,
    tuning: r.tuning.map((t) => ({
      at: iso(t.t),
      minute: Number(t.minute.toFixed(3)),
      controller: t.controller,
      before: t.before,
      after: t.after,
    })),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    elapsedSeconds: (r.endedAt - r.startedAt) / 1000,
    passed: v.passed,
    status: v.status,
    exitCode: v.exitCode,
    reason: v.reason,
    clusters: r.clusters,
    errors: r.failures.map((f) => ({ step: f.step, reason: f.reason, count: f.count, clusters: f.clusters })),
    rules: v.results,
    timeToReadySeconds: r.timeToReadySeconds,
    step: r.step,
    timing: r.timing,
    slices: r.slices,
    readyPerMinute: r.readyPerMinute,
    phases: r.phases,
    phasesByScale: r.phasesByScale,
    resources: r.resources,
    queues: r.queues,
    throttling: r.throttling,
    ...(chartPaths.length ? { charts: chartPaths } : {}),
  };
}

const xml = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters even escaped; a reason quoting a server's bytes must not break the file.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function renderJunit(r: Report, v: Verdict): string {
  const elapsed = ((r.endedAt - r.startedAt) / 1000).toFixed(3);
  const cases: string[] = [];
  const ok = r.clusters.allocated - r.clusters.failed;
  cases.push(
    `    <testcase classname="scale-tui.clusters" name="${xml(`${ok} of ${r.clusters.allocated} clusters did not fail`)}" time="${elapsed}"/>`,
  );
  for (const f of r.failures) {
    cases.push(
      `    <testcase classname="scale-tui.clusters" name="${xml(`clusters failing at ${f.step}`)}" time="0">`,
      `      <error type="${xml(f.step)}" message="${xml(`${f.count} cluster(s): ${f.reason}`)}">${xml(`${f.reason}\ne.g. ${f.clusters.join(', ')}`)}</error>`,
      '    </testcase>',
    );
  }
  for (const x of v.results) {
    const classname = x.severity === 'alert' ? 'scale-tui.alerts' : 'scale-tui.thresholds';
    if (x.passed) cases.push(`    <testcase classname="${classname}" name="${xml(x.rule)}" time="0"/>`);
    else
      cases.push(
        `    <testcase classname="${classname}" name="${xml(x.rule)}" time="0">`,
        `      <failure type="${x.severity}" message="${xml(x.message)}">${xml(x.message)}</failure>`,
        '    </testcase>',
      );
  }
  const failures = v.results.filter((x) => !x.passed).length;
  const errors = r.failures.length;
  const tests = 1 + r.failures.length + v.results.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="scale-tui" tests="${tests}" failures="${failures}" errors="${errors}" time="${elapsed}">`,
    `  <testsuite name="${xml(`scale-tui run ${r.runId}`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${elapsed}" timestamp="${iso(r.startedAt).replace(/\.\d{3}Z$/, '')}">`,
    '    <properties>',
    `      <property name="runId" value="${xml(r.runId)}"/>`,
    `      <property name="topology" value="${xml(r.topology)}"/>`,
    `      <property name="verdict" value="${v.status}"/>`,
    `      <property name="exitCode" value="${v.exitCode}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export interface PerfDataItem {
  data: Record<string, number>;
  unit: string;
  labels: Record<string, string>;
}

/** perfdash PerfData: one item per phase and one for time-to-ready, seconds, nearest-rank quantiles. */
export function perfData(r: Report): { version: string; dataItems: PerfDataItem[] } {
  const items: PerfDataItem[] = [];
  const ttr = quantiles('time-to-ready', r.timeToReadyAll);
  const add = (metric: string, q: { p50: number; p90: number; p99: number }): void => {
    items.push({ data: { Perc50: q.p50, Perc90: q.p90, Perc99: q.p99 }, unit: 's', labels: { Metric: metric } });
  };
  if (ttr.count) add('time-to-ready', ttr);
  for (const p of r.phases) add(p.phase, p);
  return { version: 'v1', dataItems: items };
}
