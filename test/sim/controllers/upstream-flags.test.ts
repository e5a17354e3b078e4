// The emulators' own record of each upstream main.go against the engine's tuning table:
// two tables written separately from the same sources, so a wrong name or default in
// either one fails here instead of being "right" for both.
import { describe, expect, it } from 'vitest';
import { CONTROLLERS } from '../../../src/core/tune/flags.js';
import { bmoAutoConcurrency, parseArgs, UPSTREAM_FLAGS } from '../../../src/sim/controllers/upstream-flags.js';
import { effectiveFlags, identityOf } from '../../../src/sim/controllers/identity.js';
import type { ControllerId } from '../../../src/core/types.js';

describe('upstream flag tables', () => {
  it('the emulators and the tuning table agree on every controller, flag and default', () => {
    expect(Object.keys(UPSTREAM_FLAGS).sort()).toEqual(Object.keys(CONTROLLERS).sort());
    for (const id of Object.keys(CONTROLLERS) as ControllerId[]) {
      const tune = CONTROLLERS[id];
      const emu = UPSTREAM_FLAGS[id];
      expect({ id, ns: emu.namespace, dep: emu.deployment, c: emu.container }).toEqual({
        id,
        ns: tune.namespace,
        dep: tune.deployment,
        c: tune.container,
      });
      expect({ id, flags: emu.concurrency }).toEqual({ id, flags: tune.concurrencyFlags });
      expect({ id, qps: emu.qps, burst: emu.burst }).toEqual({
        id,
        qps: tune.defaults.qps,
        burst: tune.defaults.burst,
      });
    }
  });

  it('parses args like Go flag: boolean flags take no value, the last value wins, -v is read', () => {
    const p = parseArgs(UPSTREAM_FLAGS.kcp, [
      '--leader-elect',
      '--kubeadmcontrolplane-concurrency',
      '7',
      '--kube-api-qps=5',
      '--kube-api-qps=6',
      '-v=3',
    ]);
    expect(p).toEqual({
      concurrency: { 'kubeadmcontrolplane-concurrency': 7 },
      qps: 6,
      burst: undefined,
      verbosity: 3,
    });
    expect(() => parseArgs(UPSTREAM_FLAGS.kcp, ['--kube-api-burst=lots'])).toThrow(/invalid value/);
  });

  it('BMO concurrency 0 is automatic: $BMO_CONCURRENCY, else min(CPUs, 8), at least 2', () => {
    expect(bmoAutoConcurrency(1, undefined)).toBe(2);
    expect(bmoAutoConcurrency(32, undefined)).toBe(8);
    expect(bmoAutoConcurrency(4, '12')).toBe(12);
    expect(bmoAutoConcurrency(4, '0')).toBe(4);
    const f = effectiveFlags(identityOf('bmo'), []);
    expect(f.concurrency['controller-concurrency']).toBeGreaterThanOrEqual(2);
  });
});
