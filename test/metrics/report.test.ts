// Reports from a synthetic journal whose answers are known by construction, and the real
// `scale-tui report` binary on it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/core/types.js';
import { buildReport } from '../../src/metrics/report/build.js';
import { renderCsv, renderMarkdown } from '../../src/metrics/report/render.js';
import { renderSvg } from '../../src/metrics/report/svg.js';

const T0 = Date.UTC(2026, 10, 25, 1, 0, 0);
const MIN = 60_000;

/**
 * 200 clusters in two batches of 100. Cluster n is allocated at T0 + n s and ready at
 * T0 + 60 s + 3n s; cluster 7 fails instead. kcp is sampled every 30 s: 50m while idle,
 * 900m while a batch runs; tuning at minute 5. Throttle waits of 100..1000 ms.
 */
function journal(): JournalEvent[] {
  const ev: JournalEvent[] = [
    { t: T0, type: 'run-start', runId: 'r1', topology: 'backing', context: 'kind-kind', versions: {} },
  ];
  ev.push({ t: T0 + 500, type: 'batch-start', batchId: 'b1', requested: 100, backing: 'auto' });
  for (let n = 1; n <= 200; n++) {
    if (n === 101) ev.push({ t: T0 + 100_500, type: 'batch-start', batchId: 'b2', requested: 100, backing: 'auto' });
    ev.push({
      t: T0 + n * 1000,
      type: 'allocated',
      cluster: `test-${n}`,
      number: n,
      namespace: `test-${n}`,
      batchId: n <= 100 ? 'b1' : 'b2',
    });
  }
  for (let n = 1; n <= 200; n++) {
    ev.push(
      n === 7
        ? {
            t: T0 + 60_000 + 3000 * n,
            type: 'phase',
            cluster: 'test-7',
            phase: 'failed',
            step: 'wait-machine',
            reason: 'timeout',
          }
        : { t: T0 + 60_000 + 3000 * n, type: 'phase', cluster: `test-${n}`, phase: 'ready' },
    );
  }
  ev.push({ t: T0 + 60_000 + 3000 * 100, type: 'batch-end', batchId: 'b1', ready: 99, failed: 1 });
  ev.push({ t: T0 + 60_000 + 3000 * 200, type: 'batch-end', batchId: 'b2', ready: 100, failed: 0 });
  ev.push({
    t: T0 + 5 * MIN,
    type: 'tune',
    controller: 'kcp',
    before: { concurrency: { 'kubeadmcontrolplane-concurrency': 10 } },
    after: { concurrency: { 'kubeadmcontrolplane-concurrency': 100 }, qps: 200, burst: 300 },
  });
  const runEnd = T0 + 60_000 + 3000 * 200;
  for (let t = T0 - 5 * MIN; t <= runEnd + 5 * MIN; t += 30_000) {
    const busy = t >= T0 + 500 && t <= runEnd;
    ev.push({
      t,
      type: 'metrics',
      pod: 'kcp-abc',
      namespace: 'capi-kubeadm-control-plane-system',
      controller: 'kcp',
      cpuMillicores: busy ? 900 : 50,
      memoryBytes: busy ? 300 * 2 ** 20 : 100 * 2 ** 20,
    });
  }
  for (let i = 1; i <= 10; i++)
    ev.push({
      t: T0 + i * 1000,
      type: 'throttle',
      controller: 'kcp',
      waitMs: i * 100,
      verb: 'GET',
      path: `/api/v1/namespaces/test-${i}/secrets/test-${i}-ca`,
    });
  // capi waits at minutes 2.0, 2.5 and 4.0 of the run: two in minute 2, one in minute 4.
  [2, 2.5, 4].forEach((m, i) => {
    ev.push({
      t: T0 + m * MIN,
      type: 'throttle',
      controller: 'capi',
      waitMs: (i + 1) * 100,
      verb: 'PATCH',
      path: `/apis/cluster.x-k8s.io/v1beta2/namespaces/test-${i}/machines/test-${i}-x/status`,
    });
  });
  return ev.sort((a, b) => a.t - b.t);
}

describe('report tables', () => {
  const r = buildReport(journal());

  it('times each 100 clusters from the first create', () => {
    // ready times sorted: clusters 1..200 minus 7; the 100th ready is cluster 101 (T0 + 363 s),
    // the 199th and last is cluster 200 (T0 + 660 s); first create T0 + 1 s.
    expect(r.step).toBe(100);
    expect(r.timing).toEqual([{ upTo: 100, minutes: 362 / 60 }]);
    expect(r.slices).toEqual([{ from: 0, to: 100, minutes: 362 / 60 }]);
    expect(r.clusters).toEqual({ allocated: 200, ready: 199, failed: 1, deleted: 0 });
    // time to ready for n = 60 s + 2n s.
    expect(r.timeToReadySeconds.max).toBe(60 + 400);
  });

  it('separates idle and peak resource usage by the batch intervals', () => {
    expect(r.resources).toEqual([
      expect.objectContaining({
        controller: 'kcp',
        idleCpuMillicores: 50,
        peakCpuMillicores: 900,
        idleMemoryBytes: 100 * 2 ** 20,
        peakMemoryBytes: 300 * 2 ** 20,
      }),
    ]);
  });

  it('puts tuning on the timeline and totals throttling', () => {
    expect(r.tuning).toHaveLength(1);
    expect(r.tuning[0]!.minute).toBe(5);
    expect(r.throttling).toEqual([
      {
        controller: 'capi',
        side: 'client',
        count: 3,
        peakPerMinute: 2,
        p50Ms: 200,
        p95Ms: 300,
        maxMs: 300,
        topPath: '/apis/cluster.x-k8s.io/v1beta2/namespaces/{ns}/machines/{name}/status',
      },
      {
        controller: 'kcp',
        side: 'client',
        count: 10,
        peakPerMinute: 10,
        p50Ms: 500,
        p95Ms: 1000,
        maxMs: 1000,
        topPath: '/api/v1/namespaces/{ns}/secrets/{name}',
      },
    ]);
  });

  it('renders Markdown, CSV and SVG', () => {
    const md = renderMarkdown(r, '/x/report.svg');
    expect(md).toContain('| 0 | 100 | 6.0 | 6.0 |');
    expect(md).toContain('| kcp | 50m | 900m | 100Mi | 300Mi |');
    expect(md).toContain(
      'minute 5.0: kcp: kubeadmcontrolplane-concurrency=10 -> kubeadmcontrolplane-concurrency=100 qps=200 burst=300',
    );
    expect(md).toContain('| kcp | 10 | 10 | 500 ms | 1000 ms | 1000 ms |');
    expect(md).toContain('| capi | 3 | 2 | 200 ms | 300 ms | 300 ms |');
    // Text chart: 8 rows scaled to the 199 ready, then the tuning mark at minute 5 of the
    // 11-minute span (run start .. last ready at 660 s): column floor(300/660 * 60) = 27.
    const chart = md.split('```text\n')[1]!.split('\n```')[0]!.split('\n');
    expect(chart[0]!.startsWith('199 ┤')).toBe(true);
    expect(chart[7]!.startsWith('  0 ┤')).toBe(true);
    expect(chart[8]!.indexOf('^') - '199 ┤'.length).toBe(27);
    const csv = renderCsv(r).split('\n');
    expect(csv).toContain('timing,100,6.033');
    expect(csv).toContain('slice,0-100,6.033');
    expect(csv.some((l) => l.startsWith('resources,kcp,50.0,900.0,'))).toBe(true);
    const svg = renderSvg(r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('tune kcp');
    expect(svg.match(/<path /g)).toHaveLength(2); // ready curve + one CPU series
  });
});

describe('scale-tui report (real binary)', () => {
  const run = promisify(execFile);
  const root = resolve(import.meta.dirname, '..', '..');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    for (const id of ['20261125T010000-aaaa', '20261125T020000-bbbb']) {
      mkdirSync(join(dir, 'runs', id), { recursive: true });
      writeFileSync(
        join(dir, 'runs', id, 'journal.jsonl'),
        `${journal()
          .map((e) => JSON.stringify(e))
          .join('\n')}\n{"t": 1, "type": "pha`,
      ); // torn last line
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await run(process.execPath, ['bin/scale-tui.js', 'report', '--state-dir', dir, ...args], { cwd: root });
      return { code: 0, ...r };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('reports the latest run and writes the chart next to its journal', async () => {
    const r = await cli();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| 0 | 100 | 6.0 | 6.0 |');
    expect(r.stdout).toContain(`Chart: ${join(dir, 'runs', '20261125T020000-bbbb', 'report.svg')}`);
    expect(readFileSync(join(dir, 'runs', '20261125T020000-bbbb', 'report.svg'), 'utf8')).toContain('<svg');
  }, 60_000);

  it('prints JSON and CSV', async () => {
    const j = await cli('20261125T010000-aaaa', '--format', 'json', '--no-chart');
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ runId: 'r1', clusters: { ready: 199 } });
    const c = await cli('--format', 'csv', '--no-chart');
    expect(c.stdout.split('\n')[0]).toBe('table,key,a,b,c,d,e,f');
  }, 60_000);

  it('names the runs there are when RUN is wrong, and the formats when --format is', async () => {
    const r = await cli('nope');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/run "nope" is not in/);
    expect(r.stderr).toMatch(/20261125T010000-aaaa, 20261125T020000-bbbb/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const f = await cli('--format', 'pdf');
    expect(f.stderr).toMatch(/--format must be one of md, csv, json, junit, perfdata, got "pdf"/);
  }, 60_000);
});
