import { describe, expect, it } from 'vitest';
import { Pool } from '../../../src/engine/pipeline/pool.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Pool', () => {
  it('bounds in-flight tasks, grows while running, and pauses', async () => {
    let max = 0;
    const gates = Array.from({ length: 8 }, () => deferred());
    const pool = new Pool(2, (s) => (max = Math.max(max, s.inFlight)));
    const done = gates.map((g) => pool.run(() => g.promise));
    await Promise.resolve();
    expect(pool.stats()).toMatchObject({ inFlight: 2, pending: 6 });
    pool.setConcurrency(4);
    expect(pool.stats().inFlight).toBe(4);
    pool.pause();
    gates[0]!.resolve();
    await done[0];
    await new Promise((r) => setImmediate(r));
    expect(pool.stats()).toMatchObject({ inFlight: 3, paused: true });
    pool.resume();
    expect(pool.stats().inFlight).toBe(4);
    for (const g of gates) g.resolve();
    await Promise.all(done);
    expect(max).toBe(4);
    expect(pool.stats()).toMatchObject({ inFlight: 0, pending: 0 });
  });

  it('a failing task does not stop the others', async () => {
    const pool = new Pool(1);
    const a = pool.run(() => Promise.reject(new Error('x')));
    const b = pool.run(() => Promise.resolve(2));
    await expect(a).rejects.toThrow('x');
    await expect(b).resolves.toBe(2);
  });
});

describe('Pool.clear', () => {
  it('rejects queued tasks so callers do not hang on shutdown', async () => {
    const pool = new Pool(1);
    let release!: () => void;
    const first = pool.run(() => new Promise<void>((r) => (release = r)));
    const queued = pool.run(() => Promise.resolve('never'));
    pool.clear();
    await expect(queued).rejects.toThrow('aborted');
    release();
    await first;
  });
});
