// `scale-tui report [RUN...]`: one run as the seed's tables plus phase latencies (md, csv),
// a CI job summary (json), junit.xml or perfdash PerfData; two or more runs side by side
// with deltas (md, json) and `--baseline RUN` flagging regressions; `--thresholds FILE`
// turns the run into a verdict with kube-burner's exit codes; `--pack` writes a run as one
// .tar.gz to share, and any RUN may be such an archive, a run directory or a state dir.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { UserError } from '../../core/errors.js';
import { packRun } from '../../metrics/report/archive.js';
import { buildReport, type Report } from '../../metrics/report/build.js';
import { jobSummary, perfData, renderJunit } from '../../metrics/report/ci-formats.js';
import { compareReports } from '../../metrics/report/compare.js';
import {
  renderComparisonJson,
  renderComparisonMarkdown,
  renderComparisonSvg,
} from '../../metrics/report/compare-render.js';
import { type LoadedRun, openRun } from '../../metrics/report/load.js';
import { renderPhaseSvg } from '../../metrics/report/phase-render.js';
import { renderReport } from '../../metrics/report/render.js';
import { renderSvg } from '../../metrics/report/svg.js';
import {
  EXIT,
  loadThresholds,
  type ThresholdRule,
  type Verdict,
  verdict,
  verdictLines,
} from '../../metrics/report/thresholds.js';

export const FORMATS = ['md', 'csv', 'json', 'junit', 'perfdata'] as const;
const COMPARE_FORMATS = ['md', 'json'];

interface ReportOpts {
  format: string;
  stateDir?: string;
  chart: boolean;
  thresholds?: string;
  baseline?: string;
  tolerance: string;
  pack?: boolean;
  out?: string;
}

function tolerancePercent(raw: string): number {
  const n = Number(raw.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 1000)
    throw new UserError(`--tolerance must be a percentage from 0 to 1000, got "${raw}"`, 'Example: --tolerance 10', 1);
  return n;
}

/** Verdict lines on stderr, so stdout stays the chosen format (CI pipes it to a file). */
function printVerdict(v: Verdict, label?: string): void {
  for (const l of verdictLines(v, label)) process.stderr.write(`${l}\n`);
}

/** Smallest non-zero code wins: error (1) > timeout (2) > alert (3) > threshold (4). */
function worst(codes: number[]): number {
  const bad = codes.filter((c) => c !== 0);
  return bad.length ? Math.min(...bad) : 0;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'render a run (tables, phase latencies, charts; json job summary, junit, perfdata), compare runs side by side, judge a run against thresholds, or pack a run to share',
    )
    .argument(
      '[runs...]',
      'run ids, run directories, state directories or .tar.gz archives (default: the latest run in the state dir); two or more compare',
    )
    .option('--format <fmt>', `output format: ${FORMATS.join(' | ')} (comparisons: md | json)`, 'md')
    .option('--state-dir <dir>', 'where runs are recorded (default: config stateDir)')
    .option('--no-chart', 'do not write the SVG charts')
    .option(
      '--thresholds <file>',
      'YAML rules (e.g. "p99(time-to-ready) < 10m"); exit 3 on a failed alert, 4 on a failed threshold',
    )
    .option('--baseline <run>', 'compare the runs against this one and flag regressions (exit 4 if any)')
    .option('--tolerance <percent>', 'how much worse than --baseline a figure may be before it is a regression', '10')
    .option('--pack', 'write each run as one .tar.gz archive instead of a report')
    .option('--out <file>', 'with --pack and one run: the archive path (default: ./<run>.tar.gz)')
    .action(
      action(async (runArgs: string[], opts: ReportOpts) => {
        if (!(FORMATS as readonly string[]).includes(opts.format)) {
          throw new UserError(
            `--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"`,
            'Example: scale-tui report --format csv',
            1,
          );
        }
        const tolerance = tolerancePercent(opts.tolerance);
        const rules: ThresholdRule[] = opts.thresholds ? loadThresholds(opts.thresholds) : [];
        const stateDir = async (): Promise<string> =>
          opts.stateDir ?? (await loadConfig(program.opts<{ config?: string }>().config)).stateDir;
        const args = opts.baseline ? [opts.baseline, ...runArgs] : runArgs.length ? runArgs : [undefined];
        const loaded: LoadedRun[] = [];
        try {
          for (const a of args) loaded.push(await openRun(a, stateDir));
          if (opts.pack) {
            if (opts.out && loaded.length > 1)
              throw new UserError(
                '--out names one archive, but several runs were given',
                'Pack one run at a time with --out, or drop --out.',
                1,
              );
            for (const run of loaded) {
              const out = resolve(opts.out ?? `${run.runId}.tar.gz`);
              const files = await packRun(run.dir, out);
              process.stdout.write(`packed ${run.runId} (${files.length} files) into ${out}\n`);
            }
            return;
          }
          const reports = loaded.map((l) => buildReport(l.events));
          const verdicts = rules.length ? reports.map((r) => verdict(r, rules)) : [];
          if (loaded.length > 1) {
            process.exitCode = compareRuns(loaded, reports, verdicts, opts, tolerance);
            return;
          }
          const run = loaded[0]!;
          const report = reports[0]!;
          const v = verdicts[0] ?? verdict(report, []);
          const charts = opts.chart && !run.temporary ? writeCharts(run.dir, report) : [];
          process.stdout.write(renderOne(report, v, opts.format, charts));
          if (rules.length) {
            printVerdict(v);
            process.exitCode = v.exitCode;
          }
        } finally {
          for (const l of loaded) if (l.temporary) rmSync(dirname(l.dir), { recursive: true, force: true });
        }
      }),
    );
}

function writeCharts(dir: string, report: Report): string[] {
  const main = join(dir, 'report.svg');
  const phases = join(dir, 'phases.svg');
  writeFileSync(main, renderSvg(report));
  writeFileSync(phases, renderPhaseSvg(report));
  return [main, phases];
}

function renderOne(report: Report, v: Verdict, format: string, charts: string[]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(jobSummary(report, v, charts), null, 2)}\n`;
    case 'junit':
      return renderJunit(report, v);
    case 'perfdata':
      return `${JSON.stringify(perfData(report), null, 2)}\n`;
    case 'csv':
      return renderReport(report, 'csv');
    default: {
      const md = renderReport(report, 'md', charts[0]);
      return charts[1] ? `${md}Phase chart: ${charts[1]}\n` : md;
    }
  }
}

function compareRuns(
  loaded: LoadedRun[],
  reports: Report[],
  verdicts: Verdict[],
  opts: ReportOpts,
  tolerance: number,
): number {
  if (!COMPARE_FORMATS.includes(opts.format))
    throw new UserError(
      `--format ${opts.format} is for one run; a comparison prints ${COMPARE_FORMATS.join(' or ')}`,
      'Drop --format, or report one run at a time.',
      1,
    );
  // Two runs of one state dir can share an id only if the same RUN was given twice; label by position then.
  const ids = loaded.map((l) => l.runId);
  const labels = ids.map((id, i) => (ids.indexOf(id) !== i || ids.lastIndexOf(id) !== i ? `${id}#${i + 1}` : id));
  const c = compareReports(reports, {
    ...(opts.baseline ? { baseline: 0 } : {}),
    tolerancePercent: tolerance,
    labels,
  });
  const home = loaded.find((l) => !l.temporary);
  let chart: string | undefined;
  if (opts.chart && home) {
    chart = join(
      home.dir,
      `compare-${labels
        .join('-vs-')
        .replace(/[^\w.#-]/g, '_')
        .slice(0, 120)}.svg`,
    );
    writeFileSync(chart, renderComparisonSvg(c));
  }
  process.stdout.write(opts.format === 'json' ? renderComparisonJson(c, chart) : renderComparisonMarkdown(c, chart));
  verdicts.forEach((v, i) => {
    printVerdict(v, labels[i]);
  });
  const codes = verdicts.map((v) => v.exitCode);
  if (opts.baseline && c.regressions.length) {
    process.stderr.write(`regressions against ${labels[0]} beyond ${tolerance}%: ${c.regressions.length}\n`);
    codes.push(EXIT.threshold);
  }
  return worst(codes);
}
