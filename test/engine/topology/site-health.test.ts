// The site watchdog on fake time: a site that stops answering is declared down once
// downAfterMs has passed without an answer (not before), its signal aborts with the reason,
// the other site is untouched, and an answer again hands out a fresh signal.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SiteDownError, SiteHealth, type SiteProbe } from '../../../src/engine/topology/site-health.js';

afterEach(() => {
  vi.useRealTimers();
});

function probe(name: string, state: { up: boolean; hang?: boolean }): SiteProbe {
  return {
    name,
    probe: () =>
      state.hang
        ? new Promise<void>(() => {})
        : state.up
          ? Promise.resolve()
          : Promise.reject(new Error('connect ECONNREFUSED')),
  };
}

describe('site health', () => {
  it('declares a silent site down after downAfterMs, aborting only its signal, and back up on an answer', async () => {
    vi.useFakeTimers();
    const b1 = { up: true };
    const b2 = { up: true, hang: false };
    const changes: string[] = [];
    const h = new SiteHealth([probe('b1', b1), probe('b2', b2)], {
      intervalMs: 1000,
      probeTimeoutMs: 2000,
      downAfterMs: 10_000,
      now: () => Date.now(),
      onChange: (s, up, why) => changes.push(`${s} ${up ? 'up' : 'down'}: ${why}`),
    });
    h.start();
    await vi.advanceTimersByTimeAsync(3000);
    const first = h.signal('b2')!;
    b2.hang = true; // a half-open link: the probe never settles
    await vi.advanceTimersByTimeAsync(8000);
    expect(first.aborted).toBe(false); // 8 s of silence < 10 s
    await vi.advanceTimersByTimeAsync(6000);
    expect(first.aborted).toBe(true);
    expect(first.reason).toBeInstanceOf(SiteDownError);
    expect((first.reason as SiteDownError).message).toMatch(
      /^backing cluster b2 unreachable: no answer for 1\d s \(no answer within 2000 ms\)$/,
    );
    expect(h.signal('b1')!.aborted).toBe(false);
    expect(h.isDown('b2')).toBe(true);
    b2.hang = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.isDown('b2')).toBe(false);
    const second = h.signal('b2')!;
    expect(second).not.toBe(first);
    expect(second.aborted).toBe(false);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toBe('b2 up: answers again');
    h.stop();
  });

  it('a refused connection counts as silence too, and a site answering again in time stays up', async () => {
    vi.useFakeTimers();
    const b1 = { up: true };
    const h = new SiteHealth([probe('b1', b1)], {
      intervalMs: 1000,
      probeTimeoutMs: 500,
      downAfterMs: 5000,
      now: () => Date.now(),
    });
    h.start();
    await vi.advanceTimersByTimeAsync(100);
    b1.up = false;
    await vi.advanceTimersByTimeAsync(3000);
    b1.up = true;
    await vi.advanceTimersByTimeAsync(1500);
    b1.up = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(h.isDown('b1')).toBe(false); // never 5 s in a row without an answer
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.isDown('b1')).toBe(true);
    h.stop();
  });
});

describe('site health, work starting on a site that is back', () => {
  it('signalNow probes a down site at once: work resumed the moment it answers gets a live signal', async () => {
    vi.useFakeTimers();
    const b1 = { up: true };
    const h = new SiteHealth([probe('b1', b1)], {
      intervalMs: 2000,
      probeTimeoutMs: 500,
      downAfterMs: 5000,
      now: () => Date.now(),
    });
    h.start();
    await vi.advanceTimersByTimeAsync(100);
    b1.up = false;
    await vi.advanceTimersByTimeAsync(6500);
    expect(h.isDown('b1')).toBe(true);
    // Back, but the next scheduled probe is up to an interval away: signal() still says down.
    b1.up = true;
    expect(h.signal('b1')!.aborted).toBe(true);
    const live = await h.signalNow('b1');
    expect(live!.aborted).toBe(false);
    expect(h.isDown('b1')).toBe(false);
    // Still down: the fresh probe's verdict, an aborted signal, and no duplicate probe loop.
    b1.up = false;
    await vi.advanceTimersByTimeAsync(6500);
    const calls = vi.getTimerCount();
    const dead = await h.signalNow('b1');
    expect(dead!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(calls);
    expect(await h.signalNow('nowhere')).toBeUndefined();
    h.stop();
  });
});
