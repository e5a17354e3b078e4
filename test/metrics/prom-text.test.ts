// The Prometheus text parser and the controller-runtime/CAPI reading against a hand-written
// fixture in the format a CAPI v1.14 manager serves (labels, escapes, histograms, NaN,
// timestamps, the priority label of workqueue_depth), plus the lines it must refuse.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readControllerMetrics, ratesBetween } from '../../src/metrics/sources/controller-metrics.js';
import { parseExposition, select } from '../../src/metrics/sources/prom-text.js';

const FIXTURE = readFileSync(new URL('./fixtures/capi-manager-metrics.txt', import.meta.url), 'utf8');

describe('parseExposition', () => {
  const exp = parseExposition(FIXTURE);

  it('reads every sample line and no comment, and records TYPE lines', () => {
    expect(exp.malformed).toBe(0);
    expect(exp.types.get('workqueue_depth')).toBe('gauge');
    expect(exp.types.get('controller_runtime_reconcile_time_seconds')).toBe('histogram');
    expect(select(exp, 'workqueue_depth')).toHaveLength(3);
  });

  it('unescapes label values and keeps a trailing timestamp out of the value', () => {
    const [s] = select(exp, 'test_escapes');
    expect(s?.labels).toEqual({ path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' });
    expect(s?.value).toBe(1);
  });

  it('reads NaN, +Inf bucket labels and exponent values', () => {
    expect(select(exp, 'workqueue_longest_running_processor_seconds')[0]?.value).toBeNaN();
    expect(select(exp, 'workqueue_adds_total', { name: 'machine' })[0]?.value).toBe(1200);
    expect(select(exp, 'capi_reconcile_time_seconds_bucket', { le: '+Inf' })[0]?.value).toBe(40);
  });

  it('counts malformed lines instead of throwing, and keeps the good ones', () => {
    const bad = parseExposition(
      [
        'workqueue_depth{name="a"} 1',
        'workqueue_depth{name="a} 2', // unterminated label value
        'workqueue_depth{name=a} 3', // unquoted
        'workqueue_depth 1,5', // not a number
        '9bad_name 1',
        'workqueue_depth{name="b"} 4 123 extra',
      ].join('\n'),
    );
    expect(bad.samples.map((s) => s.value)).toEqual([1]);
    expect(bad.malformed).toBe(5);
  });

  it('does not confuse a name with a longer one that starts with it', () => {
    const e = parseExposition('workqueue_depth_x 5\nworkqueue_depth 2');
    expect(select(e, 'workqueue_depth').map((s) => s.value)).toEqual([2]);
  });
});

describe('readControllerMetrics', () => {
  const r = readControllerMetrics(parseExposition(FIXTURE), 1000);

  it('sums each series the pane and journal use, by hand from the fixture', () => {
    expect(r.workqueueDepth).toBe(30);
    expect(r.depthByPriority).toEqual({ '0': 10, '-100': 20 });
    expect(r.workqueueAddsTotal).toBe(1610);
    expect(r.reconcileTotal).toBe(150);
    expect(r.reconcileErrorsTotal).toBe(3);
    expect(r.reconcileTimeSecondsSum).toBe(5);
    expect(r.reconcileTimeSecondsCount).toBe(50);
    expect(r.activeWorkers).toBe(10);
    expect(r.restRequestsTotal).toBe(1508);
    expect(r.restRequestsByCode).toEqual({ '200': 1200, '201': 300, '429': 7, '<error>': 1 });
    expect(r.capiReconcileTotal).toBe(45);
    expect(r.capiReconcileTimeSecondsSum).toBe(3.25);
  });

  it('leaves out what a body does not have (unknown, not zero)', () => {
    const only = readControllerMetrics(parseExposition('go_goroutines 12'), 0);
    expect(only.workqueueDepth).toBeUndefined();
    expect(only.reconcileTotal).toBeUndefined();
  });

  it('turns two readings into rates and refuses a counter that went backwards (a restart)', () => {
    const later = readControllerMetrics(
      parseExposition(
        FIXTURE.replace('result="success"} 100', 'result="success"} 120')
          .replace(
            'controller_runtime_reconcile_time_seconds_sum{controller="cluster"} 5',
            'controller_runtime_reconcile_time_seconds_sum{controller="cluster"} 7',
          )
          .replace(
            'controller_runtime_reconcile_time_seconds_count{controller="cluster"} 50',
            'controller_runtime_reconcile_time_seconds_count{controller="cluster"} 70',
          )
          .replace('method="PATCH"} 7', 'method="PATCH"} 17'),
      ),
      11_000,
    );
    const rates = ratesBetween(r, later);
    expect(rates.reconcilesPerSecond).toBe(2);
    expect(rates.meanReconcileSeconds).toBeCloseTo(0.1, 10);
    expect(rates.rest429PerSecond).toBe(1);
    const restarted = { ...later, reconcileTotal: 3 };
    expect(ratesBetween(r, restarted).reconcilesPerSecond).toBeUndefined();
  });
});
