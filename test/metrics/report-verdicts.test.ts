// Phase latencies, threshold rules, verdicts and the CI formats against journals written by
// hand (fixtures/hand-journal.ts says how each expected number follows), then the real
// `scale-tui report` binary for every exit code.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/metrics/report/build.js';
import { clusterLatencies } from '../../src/metrics/report/phases.js';
import { jobSummary, perfData, renderJunit } from '../../src/metrics/report/ci-formats.js';
import { parseRule, RuleError } from '../../src/metrics/report/rules.js';
import { parseThresholds, verdict } from '../../src/metrics/report/thresholds.js';
import { handJournal, journalText, T0 } from './fixtures/hand-journal.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

const rules = (text: string) => parseThresholds(text, 't.yaml');

describe('phase latencies from a hand-computed journal', () => {
  const r = buildReport(handJournal({ runId: 'a' }));

  it('gives P50/P90/P99/max per phase by nearest rank, from cluster creation', () => {
    const byPhase = Object.fromEntries(r.phases.map((p) => [p.phase, p]));
    expect(byPhase['machine:NodeHealthy']).toEqual({
      phase: 'machine:NodeHealthy',
      count: 10,
      p50: 25,
      p90: 45,
      p99: 50,
      max: 50,
    });
    expect(byPhase['cluster:Available']).toEqual({
      phase: 'cluster:Available',
      count: 10,
      p50: 50,
      p90: 90,
      p99: 100,
      max: 100,
    });
    expect(byPhase['step:ready']).toMatchObject({ p50: 51, p90: 91, p99: 101, max: 101 });
    expect(byPhase['step:objects']).toMatchObject({ p50: 0.1, max: 0.1 });
    // Conditions in the order a cluster passes them, scale-tui's steps after.
    expect(r.phases.map((p) => p.phase)).toEqual([
      'machine:NodeHealthy',
      'cluster:Available',
      'step:objects',
      'step:ready',
    ]);
  });

  it('slices clusters in creation order to show latency against cluster count', () => {
    // 10 clusters -> slices of 2; cluster:Available in slice 3 (clusters 5, 6) = 50, 60 s -> p90 60.
    expect(r.phasesByScale.map((s) => `${s.from + 1}-${s.to}`)).toEqual(['1-2', '3-4', '5-6', '7-8', '9-10']);
    expect(r.phasesByScale[2]!.phases.find((p) => p.phase === 'cluster:Available')).toMatchObject({ p50: 50, p90: 60 });
  });
});

describe('phase origin', () => {
  it('is the first object seen of the cluster (its BMH comes before the Cluster), else the objects step', () => {
    const ev = handJournal({ runId: 'a' }).filter((e) => e.type !== 'metrics');
    const c1Created = ev.find((e) => e.type === 'milestone' && e.cluster === 'c1')!.t;
    // A BMH of c1 seen 2 s before its Cluster: every c1 latency grows by 2 s.
    ev.push({ t: c1Created - 2000, type: 'milestone', cluster: 'c1', milestone: 'bmh:registering' });
    const lat = clusterLatencies(ev.sort((x, y) => x.t - y.t));
    const c1 = lat.find((c) => c.cluster === 'c1')!;
    expect(c1.createdAt).toBe(c1Created - 2000);
    expect(c1.seconds.get('bmh:registering')).toBe(0);
    expect(c1.seconds.get('cluster:Available')).toBe(12);
    // Without milestones (an older journal): from the objects step.
    const old = clusterLatencies(handJournal({ runId: 'a' }).filter((e) => e.type !== 'milestone'));
    expect(old.find((c) => c.cluster === 'c2')!.seconds.get('step:ready')).toBe(20.9);
  });
});

describe('throttling sides and the tuning timeline', () => {
  const ev = handJournal({ runId: 'a', tune: true });
  const wait = (waitMs: number, side?: 'server' | 'retry') =>
    ev.push({
      t: T0 + 20_000,
      type: 'throttle',
      controller: 'capi',
      waitMs,
      verb: 'GET',
      path: '/api/v1/nodes',
      ...(side ? { side } : {}),
    });
  wait(100);
  wait(300);
  wait(5000, 'server');
  ev.push({ t: T0 + 60_000, type: 'verbosity', controller: 'kcp', before: 2, after: 4, via: 'debug-flags' });
  const r = buildReport(ev.sort((x, y) => x.t - y.t));

  it('counts client-side and server-side waits apart', () => {
    expect(r.throttling.map((x) => [x.controller, x.side, x.count, x.maxMs])).toEqual([
      ['capi', 'client', 2, 300],
      ['capi (server)', 'server', 1, 5000],
    ]);
    const one = (text: string) => verdict(r, rules(`- ${text}`)).results[0]!.value;
    expect(one('max(throttle{controller=capi}) < 1s')).toBe(300);
    expect(one('max(throttle{controller=capi,side=server}) < 1s')).toBe(5000);
    expect(one('throttled == 3')).toBe(3);
  });

  it('puts verbosity changes on the tuning timeline next to flag changes', () => {
    expect(r.tuning.map((t) => [t.minute, t.controller, t.change])).toEqual([
      [0.5, 'kcp', 'kubeadmcontrolplane-concurrency=10 -> kubeadmcontrolplane-concurrency=100'],
      [1, 'kcp', '-v=2 -> -v=4 (debug-flags)'],
    ]);
  });
});

describe('threshold rules', () => {
  const r = buildReport(handJournal({ runId: 'a' }));
  const value = (text: string) => verdict(r, rules(`- ${text}`)).results[0]!;

  it('measures each metric in its base unit', () => {
    expect(value('p99(time-to-ready) < 10m')).toMatchObject({ value: 101.5, passed: true });
    expect(value('p50(time-to-ready) < 51s')).toMatchObject({ value: 51.5, passed: false });
    expect(value('p90(cluster:Available) == 90')).toMatchObject({ value: 90, passed: true });
    expect(value('p95(cpu{controller=kcp}) < 4')).toMatchObject({ value: 1, passed: true });
    expect(value('p95(cpu{controller=kcp}) < 1000m')).toMatchObject({ value: 1, passed: false });
    expect(value('max(memory{controller=kcp}) <= 100Mi')).toMatchObject({ passed: true });
    expect(value('failed == 0')).toMatchObject({ value: 0, passed: true });
    expect(value('ready >= 10')).toMatchObject({ value: 10, passed: true });
    expect(value('elapsed < 2m')).toMatchObject({ value: 111.5, passed: true });
  });

  it('fails a rule the run has no data for, instead of passing it silently', () => {
    expect(value('p99(cpu{controller=capm3}) < 4')).toMatchObject({
      passed: false,
      message: expect.stringMatching(/no data/),
    });
  });

  it('refuses rules it cannot read, saying why', () => {
    const bad = (t: string): string => {
      try {
        parseRule(t);
      } catch (err) {
        expect(err).toBeInstanceOf(RuleError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${t}`);
    };
    expect(bad('p42(time-to-ready) < 1m')).toMatch(/unknown aggregate "p42"/);
    expect(bad('p99(nonsense) < 1')).toMatch(/unknown metric "nonsense"/);
    expect(bad('time-to-ready < 1m')).toMatch(/name an aggregate/);
    expect(bad('p99(failed) < 1')).toMatch(/one number for the run/);
    expect(bad('p99(cpu{controller=kcp}) < 4Gi')).toMatch(/not a CPU unit/);
    expect(bad('p99(time-to-ready) < 10 minutes')).toMatch(/cannot read/);
    expect(bad('p99(time-to-ready{controller=kcp}) < 1m')).toMatch(/no controller label/);
  });

  it('reports every bad line of a thresholds file with its line number', () => {
    const text = [
      'thresholds:',
      '  - failed == 0',
      '  - p42(time-to-ready) < 1m',
      '  - rule: p99(cpu{controller=kcp}) < 4parsecs',
      '  - rule: ready > 1',
      '    colour: red',
      '  - p99(nonsense) < 1',
      '  - 42',
    ].join('\n');
    let message = '';
    try {
      rules(text);
    } catch (err) {
      message = (err as Error).message;
      expect((err as { exitCode: number }).exitCode).toBe(1);
    }
    const lines = message.split('\nerror: ');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^t\.yaml:3: unknown aggregate "p42"/);
    expect(lines[1]).toMatch(/^t\.yaml:4: unit "parsecs"/);
    expect(lines[2]).toMatch(/^t\.yaml:5: unknown key\(s\) colour/);
    expect(lines[3]).toMatch(/^t\.yaml:7: unknown metric "nonsense"/);
    expect(lines[4]).toMatch(/^t\.yaml:8: expected a rule as text/);
  });

  it('accepts a bare list and rule maps with a severity', () => {
    const parsed = rules('- failed == 0\n- rule: p99(time-to-ready) < 10m\n  severity: alert\n  description: slow');
    expect(parsed.map((p) => [p.line, p.severity])).toEqual([
      [1, 'threshold'],
      [2, 'alert'],
    ]);
  });
});

describe('verdicts and exit codes (kube-burner: 0 ok, 1 error, 2 timeout, 3 alert, 4 threshold)', () => {
  const ok = buildReport(handJournal({ runId: 'a' }));
  it('0 when every rule passes', () => {
    expect(verdict(ok, rules('- p99(time-to-ready) < 10m'))).toMatchObject({ status: 'ok', exitCode: 0, passed: true });
  });
  it('4 when a threshold fails, 3 when an alert does (alert wins)', () => {
    expect(verdict(ok, rules('- p99(time-to-ready) < 1ms')).exitCode).toBe(4);
    const both = rules('- p99(time-to-ready) < 1ms\n- rule: failed > 5\n  severity: alert');
    expect(verdict(ok, both)).toMatchObject({ status: 'alert', exitCode: 3 });
  });
  it('1 when a cluster failed, 2 when clusters only timed out, before any rule', () => {
    const boom = buildReport(handJournal({ runId: 'a', fail: 'apiserver said no' }));
    expect(verdict(boom, rules('- p99(time-to-ready) < 1ms'))).toMatchObject({ status: 'error', exitCode: 1 });
    const slow = buildReport(handJournal({ runId: 'a', fail: 'timed out after 600 s waiting for Cluster Available' }));
    expect(verdict(slow, [])).toMatchObject({ status: 'timeout', exitCode: 2 });
    expect(verdict(ok, [], { timedOut: true }).exitCode).toBe(2);
  });
});

describe('CI formats', () => {
  const failing = buildReport(handJournal({ runId: 'a', fail: 'apiserver said no', tune: true }));
  const v = verdict(failing, rules('- p99(time-to-ready) < 10m\n- p95(cpu{controller=kcp}) < 1'));

  it('junit is valid XML with one testcase per failure group and per rule', () => {
    const xml = renderJunit(failing, v);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '4', failures: '1', errors: '1', name: 'scale-tui run a' });
    const cases = suite.testcase as Array<Record<string, unknown>>;
    expect(cases.map((c) => c.name)).toEqual([
      '9 of 10 clusters did not fail',
      'clusters failing at wait-ready',
      'p99(time-to-ready) < 10m',
      'p95(cpu{controller=kcp}) < 1',
    ]);
    expect(cases[1]!.error).toMatchObject({ type: 'wait-ready', message: '1 cluster(s): apiserver said no' });
    expect(cases[3]!.failure).toMatchObject({ type: 'threshold' });
    expect(cases[2]!.failure).toBeUndefined();
  });

  it('junit stays valid when a reason carries markup and control characters', () => {
    const odd = buildReport(handJournal({ runId: 'a<&>"', fail: 'bad <tag> & "quote"\u0001' }));
    expect(XMLValidator.validate(renderJunit(odd, verdict(odd, [])))).toBe(true);
  });

  it('perfdata is perfdash DataItems with Perc50/90/99 in seconds', () => {
    const ok = buildReport(handJournal({ runId: 'a' }));
    const p = perfData(ok);
    expect(p.version).toBe('v1');
    expect(p.dataItems[0]).toEqual({
      data: { Perc50: 51.5, Perc90: 91.5, Perc99: 101.5 },
      unit: 's',
      labels: { Metric: 'time-to-ready' },
    });
    expect(p.dataItems.find((d) => d.labels.Metric === 'cluster:Available')!.data).toEqual({
      Perc50: 50,
      Perc90: 90,
      Perc99: 100,
    });
    // perfdash drops items whose label set differs from the others'.
    expect(new Set(p.dataItems.map((d) => Object.keys(d.labels).join()))).toEqual(new Set(['Metric']));
  });

  it('the json job summary holds config, tuning, times, verdict and errors with counts', () => {
    const s = jobSummary(failing, v);
    expect(s).toMatchObject({
      runId: 'a',
      config: { demo: { concurrency: 10 } },
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 111_500).toISOString(),
      elapsedSeconds: 111.5,
      passed: false,
      status: 'error',
      exitCode: 1,
      errors: [{ step: 'wait-ready', reason: 'apiserver said no', count: 1, clusters: ['c10'] }],
      tuning: [{ controller: 'kcp', minute: 0.5, after: { concurrency: { 'kubeadmcontrolplane-concurrency': 100 } } }],
    });
  });
});

describe('scale-tui report (real binary): formats and exit codes', () => {
  let dir: string;
  const runDir = (name: string): string => join(dir, name, 'runs', name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-verdicts-'));
    const put = (name: string, fail?: string): void => {
      mkdirSync(runDir(name), { recursive: true });
      writeFileSync(
        join(runDir(name), 'journal.jsonl'),
        journalText(handJournal({ runId: name, ...(fail ? { fail } : {}) })),
      );
    };
    put('ok');
    put('boom', 'apiserver said no');
    put('slow', 'timed out after 600 s waiting for Cluster Available');
    writeFileSync(join(dir, 'impossible.yaml'), 'thresholds:\n  - p99(time-to-ready) < 1ms\n');
    writeFileSync(join(dir, 'alert.yaml'), 'thresholds:\n  - rule: failed > 3\n    severity: alert\n');
    writeFileSync(
      join(dir, 'fine.yaml'),
      '- p99(time-to-ready) < 10m\n- p95(cpu{controller=kcp}) < 4\n- failed == 0\n',
    );
    writeFileSync(join(dir, 'bad.yaml'), 'thresholds:\n  - failed == 0\n  - p42(x) < 1\n  - p99(nonsense) < 1\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await run(process.execPath, ['bin/scale-tui.js', 'report', '--no-chart', ...args], { cwd: root });
      return { code: 0, ...r };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 0, 4, 3, 1, 2 by the verdict, with one line per rule on stderr', async () => {
    const fine = await cli(runDir('ok'), '--thresholds', join(dir, 'fine.yaml'));
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stderr).toContain('pass: p99(time-to-ready) < 10m: measured 101.5');
    expect(fine.stderr).toContain('verdict: ok (exit 0)');
    const impossible = await cli(runDir('ok'), '--thresholds', join(dir, 'impossible.yaml'), '--format', 'json');
    expect(impossible.code).toBe(4);
    expect(JSON.parse(impossible.stdout)).toMatchObject({ passed: false, status: 'threshold', exitCode: 4 });
    expect(impossible.stderr).toContain('FAIL: p99(time-to-ready) < 1ms: measured 101.5');
    expect((await cli(runDir('ok'), '--thresholds', join(dir, 'alert.yaml'))).code).toBe(3);
    expect((await cli(runDir('boom'), '--thresholds', join(dir, 'fine.yaml'))).code).toBe(1);
    const slow = await cli(runDir('slow'), '--thresholds', join(dir, 'impossible.yaml'));
    expect(slow.code).toBe(2);
    expect(slow.stderr).toContain('verdict: timeout (exit 2): 1 cluster(s) timed out');
  }, 30_000);

  it('a bad thresholds file: one error line per bad line, one fix line, exit 1, nothing rendered', async () => {
    const r = await cli(runDir('ok'), '--thresholds', join(dir, 'bad.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^error: .*bad\.yaml:3: unknown aggregate "p42"/);
    expect(lines[1]).toMatch(/^error: .*bad\.yaml:4: unknown metric "nonsense"/);
    expect(lines[2]).toMatch(/^fix: /);
  }, 30_000);

  it('create and demo read --thresholds before they touch anything', async () => {
    const state = join(dir, 'never-created');
    const create = await run(
      process.execPath,
      ['bin/scale-tui.js', 'create', '--count', '1', '--state-dir', state, '--thresholds', join(dir, 'bad.yaml')],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((create as { code: number }).code).toBe(1);
    expect((create as { stderr: string }).stderr).toMatch(/^error: .*bad\.yaml:3: unknown aggregate "p42"/m);
    expect(existsSync(state)).toBe(false);
    const demo = await run(
      process.execPath,
      ['bin/scale-tui.js', 'demo', '--headless', '--clusters', '1', '--thresholds', join(dir, 'bad.yaml')],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((demo as { code: number }).code).toBe(1);
    expect((demo as { stderr: string }).stderr).toMatch(/bad\.yaml:4: unknown metric "nonsense"/);
  }, 30_000);

  it('prints junit, perfdata and the json summary', async () => {
    const j = await cli(runDir('boom'), '--format', 'junit');
    expect(j.code).toBe(0);
    expect(XMLValidator.validate(j.stdout)).toBe(true);
    const p = await cli(runDir('ok'), '--format', 'perfdata');
    expect(JSON.parse(p.stdout).dataItems[0].data).toEqual({ Perc50: 51.5, Perc90: 91.5, Perc99: 101.5 });
    const s = await cli(runDir('boom'), '--format', 'json');
    expect(JSON.parse(s.stdout)).toMatchObject({ kind: 'scale-tui/job-summary', errors: [{ count: 1 }] });
  }, 30_000);
});
