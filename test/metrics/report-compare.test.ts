// Run comparison and run archives against hand-computed journals: run A is the fixture at
// full slowness, run B the same clusters at half (fixtures/hand-journal.ts), so every phase
// quantile of B is half of A's and the deltas are -50.0 %.
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packRun, unpackRun } from '../../src/metrics/report/archive.js';
import { buildReport } from '../../src/metrics/report/build.js';
import { compareReports } from '../../src/metrics/report/compare.js';
import { overlayChart, renderComparisonMarkdown } from '../../src/metrics/report/compare-render.js';
import { handJournal, journalText, T0 } from './fixtures/hand-journal.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

const a = buildReport(handJournal({ runId: 'run-a', concurrency: 10 }));
const b = buildReport(handJournal({ runId: 'run-b', slowness: 0.5, concurrency: 50, tune: true }));

describe('compareReports', () => {
  const c = compareReports([a, b]);
  const row = (metric: string) => c.rows.find((r) => r.metric === metric)!;

  it('puts phase quantiles side by side with deltas against the first run', () => {
    expect(row('cluster:Available p50')).toMatchObject({ values: [50, 25], deltaPercent: [0, -50] });
    expect(row('machine:NodeHealthy p99')).toMatchObject({ values: [50, 25] });
    expect(row('time-to-ready p90')).toMatchObject({ values: [91.5, 46.5] });
    expect(row('kcp CPU peak')).toMatchObject({ values: [1, 1], deltaPercent: [0, 0] });
    expect(c.regressions).toEqual([]);
  });

  it('names the settings that differ and each run’s tuning timeline', () => {
    expect(c.settingsDiff).toEqual([{ key: 'demo.concurrency', values: ['10', '50'] }]);
    expect(c.tuning[0]).toEqual([]);
    // The tune event is at T0 + 30 s; run B's first create at T0 + 1 s.
    expect(c.tuning[1]![0]).toMatchObject({ controller: 'kcp', minute: 29 / 60 });
  });

  it('flags regressions beyond the tolerance against a baseline only', () => {
    const vsB = compareReports([b, a], { baseline: 0, tolerancePercent: 10 });
    const flagged = vsB.regressions.map((r) => r.metric);
    expect(flagged).toContain('cluster:Available p50');
    expect(vsB.regressions.find((r) => r.metric === 'cluster:Available p50')).toMatchObject({
      reference: 25,
      value: 50,
      deltaPercent: 100,
    });
    // Equal figures and improvements are not regressions; 150 % tolerance lets a doubling pass.
    expect(flagged).not.toContain('kcp CPU peak');
    expect(compareReports([a, b], { baseline: 0 }).regressions).toEqual([]);
    expect(compareReports([b, a], { baseline: 0, tolerancePercent: 150 }).regressions).toEqual([]);
  });

  it('renders tables with deltas and an overlaid chart with one mark per run', () => {
    const md = renderComparisonMarkdown(c);
    expect(md).toContain('| cluster:Available p50 | 50.0 s | 25.0 s (-50.0%) |');
    expect(md).toContain('| demo.concurrency | `10` | `50` |');
    const chart = overlayChart(c, 40, 8);
    expect(chart.join('\n')).toMatch(/A/);
    expect(chart.join('\n')).toMatch(/B/);
    // B is done at half A's time: B's top-row marks start left of A's.
    const top = chart[0]!;
    expect(top.indexOf('B')).toBeGreaterThan(-1);
    expect(top.indexOf('B')).toBeLessThan(top.search(/[A*]/));
    expect(chart.at(-1)).toBe('A = run-a, B = run-b; * = overlap');
  });
});

describe('work queues from /metrics scrapes', () => {
  it('peak depth, and counter increases summed over pods with a restart counted from zero', () => {
    const scrape = (t: number, pod: string, depth: number, reconciles: number, errors: number) => ({
      t: T0 + t,
      type: 'controller-metrics' as const,
      controller: 'kcp',
      pod,
      source: 'pod-proxy' as const,
      workqueueDepth: depth,
      depthByPriority: {},
      reconcileTotal: reconciles,
      reconcileErrorsTotal: errors,
    });
    const ev = [
      ...handJournal({ runId: 'q' }),
      scrape(1000, 'kcp-0', 3, 100, 1),
      scrape(2000, 'kcp-0', 40, 160, 1),
      // kcp-0 restarted: its counters began again at 0, so 25 reconciles since.
      scrape(3000, 'kcp-0', 7, 25, 0),
      scrape(1500, 'kcp-1', 5, 10, 0),
      scrape(2500, 'kcp-1', 9, 30, 2),
    ].sort((x, y) => x.t - y.t);
    const r = buildReport(ev);
    // kcp-0: 100 -> 160 (+60), then restarted at 25 (+25); kcp-1: 10 -> 30 (+20). Errors: 0 + 2.
    expect(r.queues).toEqual([{ controller: 'kcp', scrapes: 5, peakDepth: 40, reconciles: 105, reconcileErrors: 2 }]);
    const c = compareReports([a, r]);
    expect(c.rows.find((x) => x.metric === 'kcp peak workqueue depth')).toMatchObject({ values: [undefined, 40] });
  });
});

describe('scale-tui report RUN_A RUN_B, --baseline and --pack (real binary)', () => {
  let dir: string;
  const stateDir = (name: string): string => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-compare-'));
    for (const [name, slowness, concurrency] of [
      ['run-a', 1, 10],
      ['run-b', 0.5, 50],
    ] as const) {
      mkdirSync(join(stateDir(name), 'runs', name), { recursive: true });
      writeFileSync(
        join(stateDir(name), 'runs', name, 'journal.jsonl'),
        journalText(handJournal({ runId: name, slowness, concurrency })),
      );
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await run(process.execPath, ['bin/scale-tui.js', 'report', ...args], { cwd: root });
      return { code: 0, ...r };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('compares two state dirs, writes the overlaid SVG, and exits 4 on a regression against --baseline', async () => {
    const r = await cli(stateDir('run-a'), stateDir('run-b'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('| cluster:Available p90 | 90.0 s | 45.0 s (-50.0%) |');
    const svg = r.stdout.match(/Chart: (.*\.svg)/)![1]!;
    expect(readFileSync(svg, 'utf8')).toMatch(/<svg[\s\S]*run-a[\s\S]*run-b/);
    const reg = await cli('--baseline', stateDir('run-b'), stateDir('run-a'), '--format', 'json', '--no-chart');
    expect(reg.code).toBe(4);
    expect(JSON.parse(reg.stdout).regressions.length).toBeGreaterThan(0);
    expect(reg.stderr).toMatch(/regressions against run-b beyond 10%/);
    const better = await cli('--baseline', stateDir('run-a'), stateDir('run-b'), '--no-chart');
    expect(better.code).toBe(0);
    expect(better.stdout).toContain('None beyond 10%.');
  }, 30_000);

  it('packs a run into one .tar.gz that report reads back as RUN', async () => {
    const out = join(dir, 'shared.tar.gz');
    const p = await cli(stateDir('run-a'), '--pack', '--out', out);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/packed run-a \(\d files\) into /);
    const direct = await cli(stateDir('run-a'), '--format', 'json', '--no-chart');
    const viaArchive = await cli(out, '--format', 'json');
    expect(viaArchive.code, viaArchive.stderr).toBe(0);
    expect(JSON.parse(viaArchive.stdout)).toEqual(JSON.parse(direct.stdout));
  }, 30_000);
});

describe('run archives', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs only the journal and report artifacts, never other files of the run dir', async () => {
    const runDir = join(dir, 'state', 'runs', 'r1');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'journal.jsonl'), journalText(handJournal({ runId: 'r1' })));
    writeFileSync(join(runDir, 'report.svg'), '<svg/>');
    writeFileSync(join(runDir, 'admin.key'), 'PRIVATE');
    writeFileSync(join(runDir, 'test-1.kubeconfig'), 'secret');
    const files = await packRun(runDir, join(dir, 'r1.tar.gz'));
    expect(files).toEqual(['r1/journal.jsonl', 'r1/report.svg']);
    const back = await unpackRun(join(dir, 'r1.tar.gz'));
    expect(readFileSync(join(back, 'journal.jsonl'), 'utf8')).toBe(readFileSync(join(runDir, 'journal.jsonl'), 'utf8'));
    expect(existsSync(join(back, 'admin.key'))).toBe(false);
    rmSync(resolve(back, '..'), { recursive: true, force: true });
  });

  it('refuses archives that are not a packed run: links, two top dirs, garbage', async () => {
    const src = join(dir, 'evil');
    mkdirSync(join(src, 'r2'), { recursive: true });
    writeFileSync(join(src, 'r2', 'journal.jsonl'), journalText(handJournal({ runId: 'r2' })));
    symlinkSync('/etc/passwd', join(src, 'r2', 'passwd.svg'));
    execFileSync('tar', ['-czf', join(dir, 'link.tar.gz'), '-C', src, 'r2']);
    await expect(unpackRun(join(dir, 'link.tar.gz'))).rejects.toThrow(/passwd\.svg is a SymbolicLink/);
    mkdirSync(join(src, 'other'));
    writeFileSync(join(src, 'other', 'x.md'), 'x');
    rmSync(join(src, 'r2', 'passwd.svg'));
    execFileSync('tar', ['-czf', join(dir, 'two.tar.gz'), '-C', src, 'r2', 'other']);
    await expect(unpackRun(join(dir, 'two.tar.gz'))).rejects.toThrow(/one run directory/);
    writeFileSync(join(dir, 'garbage.tar.gz'), 'not gzip at all');
    await expect(unpackRun(join(dir, 'garbage.tar.gz'))).rejects.toThrow(/not a packed scale-tui run|not a readable/);
  });
});
