import { describe, expect, it } from 'vitest';
import { tuneWarnings, versionDefaults } from '../../../src/engine/tune/warnings.js';
import type { ControllerId } from '../../../src/core/types.js';

const PINNED = { capi: 'v1.14.0', capm3: 'v1.13.2', ipam: 'v1.13.2', bmo: 'v0.13.2' };

describe('tuneWarnings', () => {
  it('says a CAPI v1.13+ value below its default LOWERS it, naming flag, value and default', () => {
    const w = tuneWarnings('kcp', { concurrency: 10 }, PINNED);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/LOWERS CAPI kubeadm control plane \(KCP\) v1\.14\.0 below its defaults/);
    expect(w[0]).toContain('--kubeadmcontrolplane-concurrency=10 (default 100)');
    expect(w[0]).toMatch(/CAPI v1\.13\+ defaults to concurrency 50-100 and QPS\/burst 100\/200/);
    const rate = tuneWarnings(
      'capi',
      { qps: 20, burst: 30, concurrencyFlags: { 'machineset-concurrency': 10 } },
      PINNED,
    );
    expect(rate[0]).toContain(
      '--machineset-concurrency=10 (default 50), --kube-api-qps=20 (default 100), --kube-api-burst=30 (default 200)',
    );
  });

  it('is silent at or above the default, and for older CAPI whose defaults were 10 and 20/30', () => {
    expect(tuneWarnings('kcp', { concurrency: 100, qps: 200, burst: 300 }, PINNED)).toEqual([]);
    expect(tuneWarnings('capi', { concurrency: 50, qps: 100, burst: 200 }, PINNED)).toEqual([]);
    const old = { ...PINNED, capi: 'v1.12.4' };
    expect(tuneWarnings('kcp', { concurrency: 10, qps: 20, burst: 30 }, old)).toEqual([]);
    expect(versionDefaults('kcp', old)).toEqual({
      concurrency: { 'kubeadmcontrolplane-concurrency': 10, 'clustercache-concurrency': 100 },
      qps: 20,
      burst: 30,
    });
    // Without versions the pinned table applies (the TUI before a run has started).
    expect(tuneWarnings('kcp', { concurrency: 10 })[0]).toMatch(/LOWERS/);
    // CAPM3, IPAM and BMO kept their defaults; going below them is the user's deliberate choice.
    expect(tuneWarnings('ipam', { concurrency: 1, qps: 5, burst: 5 }, PINNED)).toEqual([]);
    expect(tuneWarnings('bmo', { concurrency: 1 }, PINNED)).toEqual([]);
  });

  it('carries CAPM3\'s "not safe above 1" for --metal3machine-concurrency above 1, only then', () => {
    const w = tuneWarnings('capm3', { concurrency: 2 }, PINNED);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^--metal3machine-concurrency=2: CAPM3's own help calls values above 1 unsafe/);
    expect(w[0]).toMatch(/two machines can claim the same host/);
    const named = tuneWarnings('capm3', { concurrencyFlags: { 'metal3machine-concurrency': 20 } }, PINNED);
    expect(named.some((l) => l.startsWith('--metal3machine-concurrency=20'))).toBe(true);
    expect(tuneWarnings('capm3', { concurrency: 1 }, PINNED).some((l) => /unsafe/.test(l))).toBe(false);
    expect(tuneWarnings('capm3', { concurrencyFlags: { 'metal3cluster-concurrency': 20 } }, PINNED)).toEqual([]);
  });

  it('never throws on a request applyTune would refuse (the TUI asks before the engine does)', () => {
    expect(tuneWarnings('capm3', { concurrencyFlags: { 'machine-concurrency': 5 } }, PINNED)).toEqual([]);
    expect(tuneWarnings('nosuch' as ControllerId, { concurrency: 5 }, PINNED)).toEqual([]);
  });
});
