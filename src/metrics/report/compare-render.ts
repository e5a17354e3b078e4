// A comparison as Markdown (tables with deltas, regressions, settings that differ, tuning
// timelines, an overlaid text chart of clusters ready over time), as JSON, and as an SVG
// with one clusters-ready curve per run on a shared time axis (each from its first create).
import type { Comparison, CompareRow } from './compare.js';

export const RUN_MARKS = 'ABCDEFGHIJ';

function fmt(v: number | undefined, unit: CompareRow['unit']): string {
  if (v === undefined) return '-';
  switch (unit) {
    case 's':
      return v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(1)} s`;
    case 'min':
      return `${v.toFixed(2)} min`;
    case 'cores':
      return `${v.toFixed(3)} cores`;
    case 'MiB':
      return `${v.toFixed(0)} MiB`;
    case 'ms':
      return `${Math.round(v)} ms`;
    case 'count':
      return String(Math.round(v));
  }
}

function delta(d: number | undefined): string {
  if (d === undefined) return '';
  if (Math.abs(d) < 0.05) return ' (=)';
  return ` (${d > 0 ? '+' : ''}${d.toFixed(1)}%)`;
}

const SECTIONS: Array<[CompareRow['section'], string]> = [
  ['clusters', 'Clusters'],
  ['throughput', 'Time per step of clusters (each from its own first create)'],
  ['latency', 'Time to ready (from queueing)'],
  ['phase', 'Phase latencies (from cluster creation)'],
  ['resources', 'Controller CPU and memory'],
  ['throttling', 'Client-side throttling'],
];

/** Clusters ready over minutes since each run's first create; one letter per run, '*' where runs overlap. */
export function overlayChart(c: Comparison, width = 60, height = 10): string[] {
  const maxMinute = Math.max(1 / 60, ...c.readyCurves.flatMap((s) => s.map((p) => p.minute)));
  const maxReady = Math.max(1, ...c.readyCurves.flatMap((s) => s.map((p) => p.ready)));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  c.readyCurves.forEach((curve, run) => {
    const mark = RUN_MARKS[run] ?? '?';
    let i = 0;
    let ready = 0;
    for (let col = 0; col < width; col++) {
      const until = (maxMinute * (col + 1)) / width;
      while (i < curve.length && curve[i]!.minute <= until + 1e-9) ready = curve[i++]!.ready;
      if (ready === 0) continue;
      const row = height - 1 - Math.min(height - 1, Math.floor((ready / maxReady) * (height - 1) + 1e-9));
      const cell = grid[row]![col]!;
      grid[row]![col] = cell === ' ' || cell === mark ? mark : '*';
    }
  });
  const top = String(maxReady);
  const pad = top.length;
  const rows = grid.map((r, i) => `${(i === 0 ? top : i === height - 1 ? '0' : '').padStart(pad)} ┤${r.join('')}`);
  rows.push(`${' '.repeat(pad)}  0 min${' '.repeat(Math.max(1, width - 12))}${maxMinute.toFixed(1)} min`);
  rows.push(
    c.runs.map((r, i) => `${RUN_MARKS[i]} = ${r.label}`).join(', ') + (c.runs.length > 1 ? '; * = overlap' : ''),
  );
  return rows;
}

export function renderComparisonMarkdown(c: Comparison, chartPath?: string): string {
  const out: string[] = [];
  const ref = c.runs[c.reference]!;
  out.push(`# scale-tui comparison: ${c.runs.map((r) => r.label).join(' vs ')}`, '');
  out.push(
    c.baseline
      ? `Baseline ${ref.label}; a figure more than ${c.tolerancePercent}% worse than the baseline is a regression (marked !).`
      : `Deltas are against ${ref.label} (the first run).`,
    '',
  );
  const head = `| metric | ${c.runs.map((r, i) => `${RUN_MARKS[i]}: ${r.label}`).join(' | ')} |`;
  const rule = `| --- | ${c.runs.map(() => '---:').join(' | ')} |`;
  for (const [section, title] of SECTIONS) {
    const rows = c.rows.filter((r) => r.section === section);
    if (rows.length === 0) continue;
    out.push(`## ${title}`, '', head, rule);
    for (const row of rows) {
      const cells = row.values.map(
        (v, i) =>
          `${fmt(v, row.unit)}${i === c.reference ? '' : delta(row.deltaPercent[i])}${row.regression[i] ? ' !' : ''}`,
      );
      out.push(`| ${row.metric} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  out.push('## Settings that differ', '');
  if (c.settingsDiff.length === 0) out.push('None recorded (the runs journalled the same settings, or none).');
  else {
    out.push(`| setting | ${c.runs.map((r, i) => `${RUN_MARKS[i]}: ${r.label}`).join(' | ')} |`, rule);
    for (const d of c.settingsDiff) out.push(`| ${d.key} | ${d.values.map((v) => `\`${v}\``).join(' | ')} |`);
  }
  out.push('', '## Tuning timelines (minutes from each run’s first create)', '');
  c.tuning.forEach((t, i) => {
    out.push(`- ${RUN_MARKS[i]}: ${c.runs[i]!.label}: ${t.length ? '' : 'no tuning changes'}`);
    for (const x of t) out.push(`  - minute ${x.minute.toFixed(1)}: ${x.controller}: ${x.change}`);
  });
  out.push('', '## Clusters ready over time', '', '```text', ...overlayChart(c), '```');
  if (c.baseline) {
    out.push('', '## Regressions', '');
    if (c.regressions.length === 0) out.push(`None beyond ${c.tolerancePercent}%.`);
    for (const r of c.regressions)
      out.push(
        `- ${r.run}: ${r.metric}: ${r.value.toFixed(3)} vs ${r.reference.toFixed(3)} (${Number.isFinite(r.deltaPercent) ? `+${r.deltaPercent.toFixed(1)}%` : 'from zero'})`,
      );
  }
  if (chartPath) out.push('', `Chart: ${chartPath}`);
  return `${out.join('\n')}\n`;
}

export function renderComparisonJson(c: Comparison, chartPath?: string): string {
  return `${JSON.stringify({ kind: 'scale-tui/comparison', ...c, ...(chartPath ? { chart: chartPath } : {}) }, null, 2)}\n`;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderComparisonSvg(c: Comparison): string {
  const W = 900;
  const H = 400;
  const pad = { l: 70, r: 220, t: 40, b: 44 };
  const maxMinute = Math.max(1 / 60, ...c.readyCurves.flatMap((s) => s.map((p) => p.minute)));
  const maxReady = Math.max(1, ...c.readyCurves.flatMap((s) => s.map((p) => p.ready)));
  const x = (m: number): number => pad.l + (Math.max(0, m) / maxMinute) * (W - pad.l - pad.r);
  const y = (v: number): number => H - pad.b - (v / maxReady) * (H - pad.t - pad.b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${pad.l}" y="24" font-size="14" font-weight="bold">Clusters ready over time: ${esc(c.runs.map((r) => r.label).join(' vs '))}</text>`,
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    out.push(
      `<text x="${pad.l - 6}" y="${y((maxReady * i) / 4) + 4}" text-anchor="end" font-size="11">${((maxReady * i) / 4).toFixed(0)}</text>`,
      `<text x="${x((maxMinute * i) / 4)}" y="${H - pad.b + 16}" text-anchor="middle" font-size="11">${((maxMinute * i) / 4).toFixed(1)} min</text>`,
    );
  }
  c.readyCurves.forEach((curve, i) => {
    const color = COLORS[i % COLORS.length]!;
    let d = `M${x(0).toFixed(1)},${y(0).toFixed(1)}`;
    for (const p of curve) d += ` H${x(p.minute).toFixed(1)} V${y(p.ready).toFixed(1)}`;
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(c.runs[i]!.label)}</title></path>`,
    );
    for (const t of c.tuning[i] ?? [])
      out.push(
        `<line x1="${x(t.minute)}" y1="${pad.t}" x2="${x(t.minute)}" y2="${H - pad.b}" stroke="${color}" stroke-dasharray="4 3"><title>${esc(`${t.controller}: ${t.change}`)}</title></line>`,
      );
    out.push(
      `<rect x="${W - pad.r + 12}" y="${pad.t + i * 18}" width="12" height="3" fill="${color}"/>`,
      `<text x="${W - pad.r + 30}" y="${pad.t + i * 18 + 5}" font-size="11">${esc(`${RUN_MARKS[i]}: ${c.runs[i]!.label}`)}</text>`,
    );
  });
  out.push(
    `<text x="${(pad.l + W - pad.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">minutes since the run's first create (dashed: tuning changes)</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
