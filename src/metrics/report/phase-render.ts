// Phase latencies as a reader takes them in: a P50/P90/P99/max table per phase, a table
// and a text chart of P90 per slice of clusters (how each phase degrades with scale), and
// an SVG with one line per phase against cluster count. Pure: a report in, text out.
import type { Report } from './build.js';
import type { PhaseQuantiles, ScaleSlice } from './phases.js';
import { secondsText } from './phases.js';
import { termChart } from './term-chart.js';

/** At most this many phases in the against-scale table and picture (the ones that matter most, when present). */
const KEY_PHASES = [
  'bmh:available',
  'cluster:InfrastructureReady',
  'm3m:associated',
  'kcp:Initialized',
  'machine:NodeHealthy',
  'cluster:Available',
  'step:ready',
];

export function keyPhases(slices: readonly ScaleSlice[]): string[] {
  const present = new Set(slices.flatMap((s) => s.phases.map((p) => p.phase)));
  return KEY_PHASES.filter((p) => present.has(p));
}

export function phaseTableMarkdown(phases: readonly PhaseQuantiles[]): string[] {
  const out = ['| phase | clusters | p50 | p90 | p99 | max |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const p of phases)
    out.push(
      `| ${p.phase} | ${p.count} | ${secondsText(p.p50)} | ${secondsText(p.p90)} | ${secondsText(p.p99)} | ${secondsText(p.max)} |`,
    );
  if (phases.length === 0) out.push('| (no phases recorded) | 0 | | | | |');
  return out;
}

const p90Of = (s: ScaleSlice, phase: string): number | undefined => s.phases.find((p) => p.phase === phase)?.p90;

export function phaseScaleMarkdown(slices: readonly ScaleSlice[]): string[] {
  const cols = keyPhases(slices);
  if (slices.length === 0 || cols.length === 0) return [];
  const out = [
    `| clusters | ${cols.map((c) => `${c} p90`).join(' | ')} |`,
    `| --- | ${cols.map(() => '---:').join(' | ')} |`,
  ];
  for (const s of slices) {
    const cells = cols.map((c) => {
      const v = p90Of(s, c);
      return v === undefined ? '-' : secondsText(v);
    });
    out.push(`| ${s.from + 1}-${s.to} | ${cells.join(' | ')} |`);
  }
  return out;
}

/** P90 of the last key phase (the latest one a cluster reaches) per slice, as text rows. */
export function phaseScaleChart(slices: readonly ScaleSlice[], width = 60, height = 6): string[] {
  const cols = keyPhases(slices);
  const phase = cols[cols.length - 1];
  if (!phase || slices.length < 2) return [];
  const points = slices.flatMap((s) => {
    const v = p90Of(s, phase);
    return v === undefined ? [] : [{ t: s.to, v }];
  });
  const rows = termChart(points, {
    width: Math.min(width, Math.max(slices.length, 2) * 4),
    height,
    from: slices[0]!.to,
    to: slices[slices.length - 1]!.to,
    format: (v) => `${Math.round(v)} s`,
  });
  return [...rows, `${phase} p90 against clusters created (x: ${slices[0]!.to} .. ${slices.at(-1)!.to})`];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line per key phase: P90 seconds (y) against clusters created (x, end of each slice). */
export function renderPhaseSvg(r: Report): string {
  const W = 900;
  const H = 380;
  const pad = { l: 70, r: 220, t: 40, b: 40 };
  const cols = keyPhases(r.phasesByScale);
  const xMax = Math.max(1, r.phasesByScale.at(-1)?.to ?? 1);
  const yMax = Math.max(1, ...r.phasesByScale.flatMap((s) => cols.map((c) => p90Of(s, c) ?? 0)));
  const x = (v: number): number => pad.l + (v / xMax) * (W - pad.l - pad.r);
  const y = (v: number): number => H - pad.b - (v / yMax) * (H - pad.t - pad.b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${pad.l}" y="24" font-size="14" font-weight="bold">Phase latency (p90) against cluster count (run ${esc(r.runId)})</text>`,
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const xv = (xMax * i) / 4;
    out.push(
      `<text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(0)} s</text>`,
      `<text x="${x(xv)}" y="${H - pad.b + 16}" text-anchor="middle" font-size="11">${xv.toFixed(0)}</text>`,
    );
  }
  cols.forEach((phase, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = r.phasesByScale.flatMap((s) => {
      const v = p90Of(s, phase);
      return v === undefined ? [] : [`${x(s.to).toFixed(1)},${y(v).toFixed(1)}`];
    });
    if (pts.length)
      out.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(phase)}</title></polyline>`,
      );
    out.push(
      `<rect x="${W - pad.r + 12}" y="${pad.t + i * 18}" width="12" height="3" fill="${color}"/>`,
      `<text x="${W - pad.r + 30}" y="${pad.t + i * 18 + 5}" font-size="11">${esc(phase)}</text>`,
    );
  });
  out.push(
    `<text x="${(pad.l + W - pad.r) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">clusters created</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
