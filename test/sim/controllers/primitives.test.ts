import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from '../../../src/sim/controllers/token-bucket.js';
import { goDuration, throttleLine } from '../../../src/sim/controllers/klog.js';
import { WorkQueue } from '../../../src/sim/controllers/workqueue.js';
import { CpuPool } from '../../../src/sim/controllers/cpu-pool.js';
import { effectiveFlags, identityOf } from '../../../src/sim/controllers/identity.js';
import { MemoryEtcd, PermissionDenied } from '../../../src/sim/etcd-memory/memory-etcd.js';
import { reconcileBusyMs, DEFAULT_COST_MODEL } from '../../../src/sim/cost-model/model.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('token bucket', () => {
  it('serves `burst` requests at once, then one per 1/qps seconds', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(10, 3, () => Date.now());
    const waits: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => bucket.take().then((w) => waits.push(w))));
    await vi.advanceTimersByTimeAsync(1000);
    await all;
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    // 4th, 5th, 6th each wait one more refill period (100 ms at 10 QPS).
    expect(waits.slice(3).map((w) => Math.round(w / 10) * 10)).toEqual([100, 200, 300]);
  });

  it('applies new limits to later reservations', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(1, 1, () => Date.now());
    await bucket.take();
    bucket.setLimits(100, 1);
    const p = bucket.take();
    await vi.advanceTimersByTimeAsync(20);
    expect(await p).toBeLessThanOrEqual(10);
  });
});

describe('client-go throttling line', () => {
  it('has klog header and client-go v0.33+ structured wording', () => {
    const line = throttleLine(
      new Date(Date.UTC(2026, 4, 1, 20, 52, 9, 33)),
      24024,
      4870.5,
      'GET',
      'https://127.0.0.1:6443/api/v1/namespaces/test-1/secrets/test-1-ca',
    );
    expect(line).toMatch(
      /^I0501 20:52:09\.033\d{3} {3}24024 request\.go:\d+\] "Waited before sending request" delay="4\.8705s" reason="client-side throttling, not priority and fairness" verb="GET" URL="https:\/\/127\.0\.0\.1:6443\/api\/v1\/namespaces\/test-1\/secrets\/test-1-ca"$/,
    );
  });
  it('formats durations like Go', () => {
    expect(goDuration(1000.050949)).toBe('1.000050949s');
    expect(goDuration(87.5)).toBe('87.5ms');
    expect(goDuration(61_000)).toBe('1m1s');
  });
});

describe('workqueue', () => {
  it('never runs one key twice at once and re-runs a key added while it ran', async () => {
    let running = 0;
    let maxParallelSameKey = 0;
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue(async (key) => {
      running++;
      maxParallelSameKey = Math.max(maxParallelSameKey, running);
      runs.push(key);
      if (runs.length === 1) await gate;
      running--;
    });
    q.start(4);
    q.add('a');
    await new Promise((r) => setTimeout(r, 5));
    q.add('a');
    q.add('a');
    release();
    await new Promise((r) => setTimeout(r, 20));
    await q.stop();
    expect(runs).toEqual(['a', 'a']);
    expect(maxParallelSameKey).toBe(1);
  });
});

describe('controller flags', () => {
  it('reads concurrency and rate flags from args, defaults otherwise', () => {
    const kcp = identityOf('kcp');
    const f = effectiveFlags(kcp, ['--leader-elect', '--kubeadmcontrolplane-concurrency=7', '--kube-api-qps', '5']);
    expect(f.concurrency['kubeadmcontrolplane-concurrency']).toBe(7);
    expect(f.qps).toBe(5);
    expect(f.burst).toBe(kcp.burst);
    expect(f.flags.burst).toBeUndefined();
  });
});

describe('in-memory etcd', () => {
  it('deleting tenant test-1 leaves test-10 intact and enforces prefixes', async () => {
    const etcd = new MemoryEtcd();
    await etcd.ensureRoot();
    await etcd.ensureTenant('test-1');
    await etcd.ensureTenant('test-10');
    etcd.put('test-1', '/test-1/registry/nodes/a', 'x');
    etcd.put('test-10', '/test-10/registry/nodes/b', 'y');
    expect(() => etcd.put('test-1', '/test-10/registry/nodes/evil', 'z')).toThrow(PermissionDenied);
    expect(await etcd.deleteTenant('test-1')).toEqual({ deletedKeys: 1 });
    expect(etcd.keys('root', '/')).toEqual(['/test-10/registry/nodes/b']);
    expect((await etcd.status()).tenants).toEqual(['test-10']);
  });
});

describe('cpu pool', () => {
  it('runs at most `cores` at once and serves waiters in order', async () => {
    vi.useFakeTimers();
    const pool = new CpuPool(2);
    const finished: number[] = [];
    const runs = Array.from({ length: 5 }, (_, i) => pool.run(100).then(() => finished.push(i)));
    expect(pool.queued).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(finished).toEqual([0, 1]);
    expect(pool.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(finished).toEqual([0, 1, 2, 3]);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(runs);
    expect(finished).toEqual([0, 1, 2, 3, 4]);
    // Five 100 ms jobs on two cores: three rounds, 500 core-ms.
    expect(pool.drainSpentMs()).toBe(500);
    expect(pool.drainSpentMs()).toBe(0);
  });

  it('does not let a newcomer take a core that a waiter was promised', async () => {
    vi.useFakeTimers();
    const pool = new CpuPool(1);
    const done: string[] = [];
    const a = pool.run(50).then(() => done.push('a'));
    const b = pool.run(50).then(() => done.push('b'));
    await vi.advanceTimersByTimeAsync(50);
    // a finished and handed its core to b; c must queue behind b.
    const c = pool.run(50).then(() => done.push('c'));
    expect(pool.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all([a, b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
  });

  // The mechanism behind the demo's curve: healthy keys keep coming back (resync), and
  // once their CPU fills the cores, a new key waits behind all of them, so its wait grows
  // in proportion to how many clusters already exist.
  async function newKeyWait(healthy: number): Promise<number> {
    vi.useFakeTimers();
    const pool = new CpuPool(1);
    let doneAt = -1;
    const q = new WorkQueue(async (key) => {
      await pool.run(10);
      if (key === 'new') {
        doneAt = Date.now();
        return;
      }
      return { requeueAfterMs: 50 };
    });
    q.start(8);
    for (let i = 0; i < healthy; i++) q.add(`c${i}`);
    await vi.advanceTimersByTimeAsync(5_000);
    const addedAt = Date.now();
    q.add('new');
    while (doneAt < 0) await vi.advanceTimersByTimeAsync(10);
    // Workers still hold cores on fake timers: let those finish while the queue stops.
    const stopped = q.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    return doneAt - addedAt;
  }

  it('makes a new key wait longer the more healthy keys share the cores', async () => {
    const light = await newKeyWait(2);
    const ten = await newKeyWait(10);
    const forty = await newKeyWait(40);
    // 2 keys need a third of the core: no queue. 10 and 40 saturate it; then a new key
    // waits for every key not resting in its 50 ms requeue (about 5 of them), 10 ms each.
    expect(light).toBeLessThanOrEqual(20);
    expect(ten).toBeGreaterThanOrEqual(40);
    expect(ten).toBeLessThanOrEqual(80);
    expect(forty).toBeGreaterThanOrEqual(330);
    expect(forty).toBeLessThanOrEqual(390);
  });

  it('refuses a pool without cores', () => {
    expect(() => new CpuPool(0)).toThrow(/at least one core/);
  });
});

describe('cost model', () => {
  it('makes each reconcile slower as the controller knows more clusters', () => {
    const a = reconcileBusyMs(DEFAULT_COST_MODEL, 'kcp', 0);
    const b = reconcileBusyMs(DEFAULT_COST_MODEL, 'kcp', 500);
    const c = reconcileBusyMs(DEFAULT_COST_MODEL, 'kcp', 1000);
    expect(b).toBeGreaterThan(a);
    expect(c - b).toBeCloseTo(b - a);
  });
});
