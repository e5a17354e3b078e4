// The report's picture: clusters ready over time with tuning changes marked, and CPU per
// controller over time, as one self-contained SVG (viewable in any browser, no deps).
import type { Report } from './build.js';

const W = 900;
const PLOT_H = 260;
const PAD = { l: 70, r: 170, t: 40, b: 40 };
const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

function axis(
  top: number,
  x: (v: number) => number,
  y: (v: number) => number,
  t0: number,
  t1: number,
  yMax: number,
  yLabel: string,
  fmt: (v: number) => string,
): string {
  const parts: string[] = [];
  const bottom = top + PLOT_H;
  parts.push(
    `<line x1="${PAD.l}" y1="${bottom}" x2="${W - PAD.r}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${PAD.l}" y1="${top}" x2="${PAD.l}" y2="${bottom}" stroke="#333"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<text x="${PAD.l - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${esc(fmt(v))}</text>`,
      `<line x1="${PAD.l}" y1="${y(v)}" x2="${W - PAD.r}" y2="${y(v)}" stroke="#eee"/>`,
    );
  }
  const minutes = (t1 - t0) / 60_000;
  for (let i = 0; i <= 5; i++) {
    const t = t0 + ((t1 - t0) * i) / 5;
    parts.push(
      `<text x="${x(t)}" y="${bottom + 16}" text-anchor="middle" font-size="11">${((minutes * i) / 5).toFixed(1)} min</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${top + PLOT_H / 2}" font-size="12" transform="rotate(-90 14 ${top + PLOT_H / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  return parts.join('\n');
}

const path = (pts: Array<[number, number]>): string =>
  pts.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');

export function renderSvg(r: Report): string {
  const times = [
    r.startedAt,
    ...r.readySeries.map((p) => p.t),
    ...Object.values(r.cpuSeries).flatMap((s) => s.map((p) => p.t)),
    ...r.tuning.map((t) => t.t),
  ];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 60_000);
  const x = scale(t0, t1, PAD.l, W - PAD.r);
  const H = PAD.t + PLOT_H + PAD.b + PAD.t + PLOT_H + PAD.b;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];

  // 1. Clusters ready over time, tuning changes as dashed verticals.
  const top1 = PAD.t;
  const readyMax = Math.max(1, r.readySeries.length);
  const y1 = scale(0, readyMax, top1 + PLOT_H, top1);
  out.push(
    `<text x="${PAD.l}" y="${top1 - 14}" font-size="14" font-weight="bold">Clusters ready over time (run ${esc(r.runId)})</text>`,
  );
  out.push(axis(top1, x, y1, t0, t1, readyMax, 'clusters ready', (v) => v.toFixed(0)));
  const readyPts: Array<[number, number]> = [
    [x(t0), y1(0)],
    ...r.readySeries.map((p): [number, number] => [x(p.t), y1(p.ready)]),
  ];
  out.push(
    `<path d="${path(readyPts)}" fill="none" stroke="${COLORS[0]}" stroke-width="2"><title>ready</title></path>`,
  );
  for (const t of r.tuning) {
    out.push(
      `<line x1="${x(t.t)}" y1="${top1}" x2="${x(t.t)}" y2="${top1 + PLOT_H}" stroke="#d62728" stroke-dasharray="4 3"/>`,
      `<text x="${x(t.t) + 3}" y="${top1 + 12}" font-size="10" fill="#d62728">tune ${esc(t.controller)}</text>`,
    );
  }

  // 2. CPU per controller.
  const top2 = PAD.t + PLOT_H + PAD.b + PAD.t;
  const cpuMax = Math.max(1, ...Object.values(r.cpuSeries).flatMap((s) => s.map((p) => p.cpuMillicores)));
  const y2 = scale(0, cpuMax, top2 + PLOT_H, top2);
  out.push(`<text x="${PAD.l}" y="${top2 - 14}" font-size="14" font-weight="bold">CPU per controller</text>`);
  out.push(axis(top2, x, y2, t0, t1, cpuMax, 'CPU (millicores)', (v) => `${v.toFixed(0)}m`));
  Object.entries(r.cpuSeries).forEach(([id, series], i) => {
    const color = COLORS[i % COLORS.length]!;
    out.push(
      `<path d="${path(series.map((p): [number, number] => [x(p.t), y2(p.cpuMillicores)]))}" fill="none" stroke="${color}" stroke-width="1.5"><title>${esc(id)}</title></path>`,
    );
    out.push(
      `<rect x="${W - PAD.r + 12}" y="${top2 + i * 18}" width="12" height="3" fill="${color}"/>`,
      `<text x="${W - PAD.r + 30}" y="${top2 + i * 18 + 5}" font-size="11">${esc(id)}</text>`,
    );
  });
  for (const t of r.tuning)
    out.push(
      `<line x1="${x(t.t)}" y1="${top2}" x2="${x(t.t)}" y2="${top2 + PLOT_H}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
