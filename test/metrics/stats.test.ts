import { describe, expect, it } from 'vitest';
import {
  normalizePath,
  percentile,
  perStep,
  perStepSlices,
  readyPerMinute,
  ThrottleWindow,
  timeToReady,
} from '../../src/metrics/index.js';
import type { ClusterRecord } from '../../src/core/types.js';

describe('request path folding', () => {
  it.each([
    ['/api/v1/namespaces/test-7/secrets/test-7-kubeconfig', '/api/v1/namespaces/{ns}/secrets/{name}'],
    ['/api/v1/namespaces/test-7', '/api/v1/namespaces/{name}'],
    [
      '/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/test-3/metal3machines/test-3-x/status',
      '/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/{ns}/metal3machines/{name}/status',
    ],
    ['/apis/cluster.x-k8s.io/v1beta2/machines', '/apis/cluster.x-k8s.io/v1beta2/machines'],
    ['/api/v1/nodes/worker-1', '/api/v1/nodes/{name}'],
    ['/healthz', '/healthz'],
  ])('%s', (p, want) => expect(normalizePath(p)).toBe(want));
});

describe('throttling window', () => {
  it('counts the last minute, keeps totals, and ranks folded paths', () => {
    const w = new ThrottleWindow(10 * 60_000);
    const now = 1_000_000_000;
    // 100 waits of 1..100 ms spread over the last 100 s, on two paths.
    for (let i = 1; i <= 100; i++)
      w.add(
        now - i * 1000,
        i,
        i % 4 === 0 ? `/api/v1/namespaces/test-${i}/secrets/s` : `/api/v1/namespaces/test-${i}/configmaps/c`,
      );
    const s = w.stats(now);
    expect(s.total).toBe(100);
    expect(s.perMinute).toBe(60); // i = 1..60 are within the last 60 s
    expect(s.p50Ms).toBe(50);
    expect(s.p95Ms).toBe(95);
    expect(s.maxMs).toBe(100);
    expect(s.topPaths).toEqual([
      { path: '/api/v1/namespaces/{ns}/configmaps/{name}', count: 75 },
      { path: '/api/v1/namespaces/{ns}/secrets/{name}', count: 25 },
    ]);
    // Eleven minutes on, the window is empty but the total stays.
    const later = w.stats(now + 11 * 60_000);
    expect(later.perMinute).toBe(0);
    expect(later.total).toBe(100);
    expect(later.maxMs).toBe(0);
  });

  it('percentile uses the nearest rank', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile([5], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });
});

function cluster(n: number, queued: number, ready?: number): ClusterRecord {
  return {
    name: `test-${n}`,
    number: n,
    namespace: `test-${n}`,
    batchId: 'b',
    phase: ready ? 'ready' : 'machine',
    transitions: { queued, ...(ready ? { ready } : {}) },
  };
}

describe('throughput', () => {
  // 250 clusters queued at t0 + n s; cluster n ready 30 s + 2n s after t0; 10 never ready.
  const t0 = Date.UTC(2026, 10, 25, 1, 0, 0);
  const cs = Array.from({ length: 260 }, (_, i) =>
    cluster(i + 1, t0 + (i + 1) * 1000, i < 250 ? t0 + 30_000 + (i + 1) * 2000 : undefined),
  );

  it('per 100: minutes from the first create to the 100th, 200th ready', () => {
    // first create: t0 + 1 s; 100th ready: t0 + 230 s; 200th: t0 + 430 s.
    expect(perStep(cs, 100)).toEqual([
      { upTo: 100, minutes: 229 / 60 },
      { upTo: 200, minutes: 429 / 60 },
    ]);
    expect(perStep([], 100)).toEqual([]);
  });

  it('ready per minute', () => {
    const perMin = readyPerMinute(cs);
    expect(perMin.reduce((a, b) => a + b, 0)).toBe(250);
    // ready times t0+32 s .. t0+530 s, minutes measured from t0+1 s: minute 0 holds 32..60 s.
    expect(perMin[0]).toBe(15);
    expect(perMin[1]).toBe(30);
  });

  it('time to ready is 30 s + n s for cluster n', () => {
    const d = timeToReady(cs);
    expect(d.count).toBe(250);
    expect(d.p50).toBe(30 + 125);
    expect(d.p95).toBe(30 + 238);
    expect(d.max).toBe(30 + 250);
  });
});

describe('the seed table: each 100 timed from its own first create', () => {
  // Three batches of 100, batch k created from t0 + 20k min, one cluster a second; every
  // cluster of batch k ready (5 + k) min after its create: each hundred got slower.
  const t0 = Date.UTC(2026, 10, 25, 1, 0, 0);
  const cs = Array.from({ length: 300 }, (_, i) => {
    const k = Math.floor(i / 100);
    const created = t0 + k * 20 * 60_000 + (i % 100) * 1000;
    return cluster(i + 1, created, created + (5 + k) * 60_000);
  });

  it('rows run from the create of cluster from+1 to the to-th ready', () => {
    // The 100th ready is cluster 100 (created t0 + 99 s); the 101st create is t0 + 20 min.
    expect(perStepSlices(cs, 100)).toEqual([
      { from: 0, to: 100, minutes: 5 + 99 / 60 },
      { from: 100, to: 200, minutes: 6 + 99 / 60 },
      { from: 200, to: 300, minutes: 7 + 99 / 60 },
    ]);
    // The first row is the cumulative one; the last cumulative one spans the whole run.
    expect(perStep(cs, 100)[0]!.minutes).toBe(5 + 99 / 60);
    expect(perStep(cs, 100)[2]!.minutes).toBe(40 + 7 + 99 / 60);
  });

  it('leaves out a hundred that is not all ready', () => {
    const partial = cs.map((c) => (c.number === 250 ? { ...c, transitions: { queued: c.transitions.queued } } : c));
    expect(perStepSlices(partial, 100).map((r) => r.to)).toEqual([100, 200]);
  });
});
