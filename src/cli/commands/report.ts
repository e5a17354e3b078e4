// `scale-tui report [RUN] [--format md|csv|json] [--state-dir DIR]`: a run journal as the
// seed's tables, with an SVG chart written next to the journal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { UserError } from '../../core/errors.js';
import { buildReport } from '../../metrics/report/build.js';
import { loadRun } from '../../metrics/report/load.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../../metrics/report/render.js';
import { renderSvg } from '../../metrics/report/svg.js';

interface ReportOpts {
  format: string;
  stateDir?: string;
  chart: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'render a run journal as tables (time per 100 clusters, resources at idle and peak, tuning, throttling) and an SVG chart',
    )
    .argument('[run]', 'run id (default: the latest run in the state dir)')
    .option('--format <fmt>', `output format: ${REPORT_FORMATS.join(' | ')}`, 'md')
    .option('--state-dir <dir>', 'where runs are recorded (default: config stateDir)')
    .option('--no-chart', 'do not write the SVG chart')
    .action(
      action(async (run: string | undefined, opts: ReportOpts) => {
        if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) {
          throw new UserError(
            `--format must be one of ${REPORT_FORMATS.join(', ')}, got "${opts.format}"`,
            'Example: scale-tui report --format csv',
          );
        }
        const stateDir = opts.stateDir ?? (await loadConfig(program.opts<{ config?: string }>().config)).stateDir;
        const loaded = loadRun(stateDir, run);
        const report = buildReport(loaded.events);
        let chartPath: string | undefined;
        if (opts.chart) {
          chartPath = join(loaded.dir, 'report.svg');
          writeFileSync(chartPath, renderSvg(report));
        }
        process.stdout.write(renderReport(report, opts.format as ReportFormat, chartPath));
      }),
    );
}
