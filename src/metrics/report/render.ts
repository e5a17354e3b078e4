// The report as Markdown (the seed README's tables), CSV (one section per table) or JSON.
import { flagsText } from './flags-text.js';
import type { Report } from './build.js';
import { phaseScaleChart, phaseScaleMarkdown, phaseTableMarkdown } from './phase-render.js';
import { termChart } from './term-chart.js';

export const REPORT_FORMATS = ['md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const mc = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v)}m`);
const mib = (v: number | undefined): string => (v === undefined ? '-' : `${(v / 2 ** 20).toFixed(0)}Mi`);
const min = (v: number): string => v.toFixed(1);

export { flagsText };

export function renderMarkdown(r: Report, chartPath?: string): string {
  const out: string[] = [];
  out.push(`# scale-tui run ${r.runId}`, '');
  out.push(
    `Topology ${r.topology}, started ${new Date(r.startedAt).toISOString()}. Clusters: ${r.clusters.allocated} allocated, ${r.clusters.ready} reached ready, ${r.clusters.failed} failed, ${r.clusters.deleted} deleted.`,
    '',
  );
  out.push(
    `## Time per ${r.step} clusters`,
    '',
    '| from | to | minutes | minutes from the first create |',
    '| ---: | ---: | ---: | ---: |',
  );
  r.timing.forEach((row, i) => {
    const slice = r.slices[i];
    out.push(`| ${row.upTo - r.step} | ${row.upTo} | ${slice ? min(slice.minutes) : '-'} | ${min(row.minutes)} |`);
  });
  if (r.timing.length === 0) out.push(`| 0 | ${r.step} | fewer than ${r.step} ready | - |`);
  const d = r.timeToReadySeconds;
  out.push(
    '',
    `Time to ready over ${d.count} clusters: p50 ${d.p50.toFixed(0)} s, p90 ${d.p90.toFixed(0)} s, p95 ${d.p95.toFixed(0)} s, max ${d.max.toFixed(0)} s.`,
  );
  if (r.readyPerMinute.length) out.push(`Ready per minute: ${r.readyPerMinute.join(' ')}.`);
  out.push(
    '',
    '## Resource usage per controller',
    '',
    '| controller | CPU idle | CPU peak | memory idle | memory peak | samples |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const x of r.resources)
    out.push(
      `| ${x.controller} | ${mc(x.idleCpuMillicores)} | ${mc(x.peakCpuMillicores)} | ${mib(x.idleMemoryBytes)} | ${mib(x.peakMemoryBytes)} | ${x.samples} |`,
    );
  if (r.resources.length === 0) out.push('| (no samples: was metrics-server running?) | | | | | |');
  if (r.queues.length) {
    out.push(
      '',
      '## Work queues (controller /metrics)',
      '',
      '| controller | peak depth | reconciles | reconcile errors | 429 answers | scrapes |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const n = (v: number | undefined): string => (v === undefined ? '-' : String(v));
    for (const q of r.queues)
      out.push(
        `| ${q.controller} | ${n(q.peakDepth)} | ${n(q.reconciles)} | ${n(q.reconcileErrors)} | ${n(q.rest429)} | ${q.scrapes} |`,
      );
  }
  out.push('', '## Tuning changes', '');
  if (r.tuning.length === 0) out.push('None.');
  for (const t of r.tuning) out.push(`- minute ${min(t.minute)}: ${t.controller}: ${t.change}`);
  out.push(
    '',
    "## Throttling (client-side: the controller's own QPS/burst; server: API priority and fairness, 429)",
    '',
    '| controller | waits | peak per minute | p50 | p95 | max | most throttled request |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const x of r.throttling)
    out.push(
      `| ${x.controller} | ${x.count} | ${x.peakPerMinute} | ${Math.round(x.p50Ms)} ms | ${Math.round(x.p95Ms)} ms | ${Math.round(x.maxMs)} ms | ${x.topPath ?? ''} |`,
    );
  if (r.throttling.length === 0) out.push('| none | 0 | | | | | |');
  if (r.readySeries.length) {
    // For readers in a terminal or a plain-text viewer; the SVG has the detailed version.
    const rows = termChart(
      r.readySeries.map((p) => ({ t: p.t, v: p.ready })),
      {
        width: 60,
        height: 8,
        from: r.startedAt,
        to: Math.max(r.startedAt + 60_000, r.readySeries[r.readySeries.length - 1]!.t),
        marks: r.tuning.map((t) => t.t),
      },
    );
    out.push(
      '',
      '## Clusters ready over time',
      '',
      '```text',
      ...rows,
      `${r.tuning.length ? '^ = tuning change; ' : ''}x: run start .. last ready`,
      '```',
    );
  }
  out.push('', '## Phase latencies (from cluster creation)', '', ...phaseTableMarkdown(r.phases));
  const scaleRows = phaseScaleMarkdown(r.phasesByScale);
  if (scaleRows.length) {
    const chart = phaseScaleChart(r.phasesByScale);
    const per = r.phasesByScale[0]!.to - r.phasesByScale[0]!.from;
    out.push(
      '',
      `## Phase latency against cluster count (p90 per ${per} clusters in creation order)`,
      '',
      ...scaleRows,
    );
    if (chart.length) out.push('', '```text', ...chart, '```');
  }
  if (r.failures.length) {
    out.push('', '## Failures', '', '| step | reason | clusters | e.g. |', '| --- | --- | ---: | --- |');
    for (const f of r.failures) out.push(`| ${f.step} | ${f.reason} | ${f.count} | ${f.clusters.join(' ')} |`);
  }
  if (chartPath) out.push('', `Chart: ${chartPath}`);
  return `${out.join('\n')}\n`;
}

function csvCell(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(r: Report): string {
  const rows: Array<Array<string | number | undefined>> = [];
  rows.push(['table', 'key', 'a', 'b', 'c', 'd', 'e', 'f']);
  for (const t of r.timing) rows.push(['timing', t.upTo, Number(t.minutes.toFixed(3))]);
  for (const t of r.slices) rows.push(['slice', `${t.from}-${t.to}`, Number(t.minutes.toFixed(3))]);
  for (const x of r.resources)
    rows.push([
      'resources',
      x.controller,
      x.idleCpuMillicores?.toFixed(1),
      x.peakCpuMillicores.toFixed(1),
      x.idleMemoryBytes?.toFixed(0),
      x.peakMemoryBytes.toFixed(0),
      x.samples,
    ]);
  for (const t of r.tuning) rows.push(['tuning', t.controller, new Date(t.t).toISOString(), ...t.change.split(' -> ')]);
  for (const x of r.throttling)
    rows.push(['throttling', x.controller, x.count, x.p50Ms, x.p95Ms, x.maxMs, x.topPath, x.peakPerMinute]);
  for (const p of r.phases) rows.push(['phase', p.phase, p.p50, p.p90, p.p99, p.max, p.count]);
  for (const sl of r.phasesByScale)
    for (const p of sl.phases)
      rows.push(['phase-by-scale', `${sl.from + 1}-${sl.to} ${p.phase}`, p.p50, p.p90, p.p99, p.max, p.count]);
  for (const f of r.failures) rows.push(['failure', f.step, f.reason, f.count]);
  const d = r.timeToReadySeconds;
  rows.push(['time-to-ready', 'seconds', d.p50, d.p90, d.p95, d.max, d.count]);
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

export function renderReport(r: Report, format: ReportFormat, chartPath?: string): string {
  if (format === 'json') {
    const {
      cpuSeries: _c,
      readySeries: _r,
      memorySeries: _m,
      throttleWaits: _w,
      timeToReadyAll: _a,
      phaseSamples: _p,
      ...tables
    } = r;
    return `${JSON.stringify({ ...tables, ...(chartPath ? { chart: chartPath } : {}) }, null, 2)}\n`;
  }
  return format === 'csv' ? renderCsv(r) : renderMarkdown(r, chartPath);
}
