import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseThrottleLine } from '../../src/metrics/index.js';
import { klogTime } from '../../src/metrics/throttle/klog-time.js';
import { cpuMillicores, quantityBytes } from '../../src/metrics/quantity.js';
import { parseReconcileTotal, parseWorkqueueDepth } from '../../src/metrics/sources/workqueue.js';

const here = join(import.meta.dirname, 'fixtures');
const cases = readFileSync(join(here, 'throttle-lines.txt'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [ms, verb, path, ...raw] = l.split('\t');
    return { ms: Number(ms), verb: verb!, path: path!, raw: raw.join('\t') };
  });

describe('client-go throttling lines', () => {
  it('has a fixture for every wording', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map((c) => [c.raw.slice(0, 70), c] as const))('%s', (_name, c) => {
    const e = parseThrottleLine(c.raw);
    expect(e).toBeDefined();
    expect(e!.waitMs).toBeCloseTo(c.ms, 6);
    expect(e!.verb).toBe(c.verb);
    expect(e!.path).toBe(c.path);
  });

  it('ignores every other line, including ones that merely mention waiting', () => {
    for (const l of readFileSync(join(here, 'other-lines.txt'), 'utf8').split('\n').filter(Boolean))
      expect(parseThrottleLine(l)).toBeUndefined();
  });

  it('takes the timestamp from the zap console header', () => {
    const dev = cases.find((c) => c.raw.includes('\tWaited before sending request\t'))!;
    expect(parseThrottleLine(dev.raw)!.t).toBe(Date.UTC(2026, 10, 25, 2, 3, 4, 123));
  });

  it('takes the timestamp from JSON lines', () => {
    const json = cases.find((c) => c.raw.includes('"ts":"2026'))!;
    expect(parseThrottleLine(json.raw)!.t).toBe(Date.UTC(2026, 10, 25, 2, 3, 4, 123));
  });
});

describe('Go durations', () => {
  it.each([
    ['1.0412s', 1041.2],
    ['198.5ms', 198.5],
    ['2m1.5s', 121_500],
    ['1h2m3s', 3_723_000],
    ['500µs', 0.5],
    ['750ns', 0.00075],
    ['0', 0],
  ])('%s = %f ms', (text, ms) => expect(parseGoDuration(text)).toBeCloseTo(ms, 9));

  it('refuses what is not a duration', () => {
    for (const t of ['', '1', 's', '1.2.3s', '5 s', '1d']) expect(parseGoDuration(t)).toBeUndefined();
  });
});

describe('klog header time', () => {
  it('reads month, day and time in the current year', () => {
    const now = Date.UTC(2026, 10, 25, 3, 0, 0);
    expect(klogTime('I1125 02:03:04.123456       1 request.go:697] x', now)).toBe(Date.UTC(2026, 10, 25, 2, 3, 4, 123));
  });
  it('puts a December line seen in January in the previous year', () => {
    const now = Date.UTC(2027, 0, 1, 0, 5, 0);
    expect(klogTime('I1231 23:59:59.000000       1 request.go:697] x', now)).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
  });
});

describe('quantities and Prometheus text', () => {
  it('parses metrics-server CPU and memory', () => {
    expect(cpuMillicores('123456789n')).toBeCloseTo(123.456789, 6);
    expect(cpuMillicores('250m')).toBe(250);
    expect(cpuMillicores('2')).toBe(2000);
    expect(cpuMillicores('15u')).toBeCloseTo(0.015, 9);
    expect(quantityBytes('512Ki')).toBe(524_288);
    expect(quantityBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityBytes('104857600')).toBe(104_857_600);
    expect(quantityBytes('1M')).toBe(1e6);
    expect(quantityBytes('12Q')).toBeUndefined();
  });

  it('sums workqueue_depth over queues', () => {
    const text = [
      '# HELP workqueue_depth Current depth of workqueue',
      '# TYPE workqueue_depth gauge',
      'workqueue_depth{controller="kubeadmcontrolplane",name="kubeadmcontrolplane"} 42',
      'workqueue_depth{controller="cluster",name="cluster"} 8',
      'workqueue_adds_total{name="x"} 1000',
    ].join('\n');
    expect(parseWorkqueueDepth(text)).toBe(50);
    expect(parseWorkqueueDepth('go_goroutines 12')).toBeUndefined();
  });

  it('sums controller_runtime_reconcile_total over controllers and results, not its look-alikes', () => {
    const text = [
      '# TYPE controller_runtime_reconcile_total counter',
      'controller_runtime_reconcile_total{controller="machine",result="success"} 1200',
      'controller_runtime_reconcile_total{controller="machine",result="requeue_after"} 30',
      'controller_runtime_reconcile_total{controller="cluster",result="error"} 5',
      'controller_runtime_reconcile_total_seconds 99',
      'controller_runtime_reconcile_errors_total{controller="cluster"} 5',
    ].join('\n');
    expect(parseReconcileTotal(text)).toBe(1235);
    expect(parseReconcileTotal('workqueue_depth 1')).toBeUndefined();
  });
});
