import { describe, expect, it } from 'vitest';
import { CONTROLLERS, applyTune, effectiveFlags, readFlags } from '../../../src/engine/tune/flags.js';
import { CONTROLLER_IDS } from '../../../src/engine/types.js';
import { UserError } from '../../../src/engine/errors.js';

// Args as clusterctl installs KCP v1.14 (leader election, diagnostics, feature gates).
const KCP_ARGS = ['--leader-elect', '--diagnostics-address=:8443', '--insecure-diagnostics=false', '--feature-gates=ClusterTopology=false,KubeadmBootstrapFormatIgnition=false'];

describe('controller flag table', () => {
  it('covers every ControllerId with a namespace, deployment and concurrency flags', () => {
    for (const id of CONTROLLER_IDS) {
      const c = CONTROLLERS[id];
      expect(c.namespace).toMatch(/-system$/);
      expect(c.deployment).toMatch(/controller-manager$/);
      expect(Object.keys(c.concurrencyFlags).length).toBeGreaterThan(0);
      for (const f of Object.keys(c.concurrencyFlags)) expect(f).toMatch(/^[a-z0-9]+-concurrency$/);
    }
    expect(CONTROLLERS.kcp.concurrencyFlags['kubeadmcontrolplane-concurrency']).toBe(100);
    expect(CONTROLLERS.capm3.concurrencyFlags['metal3machine-concurrency']).toBe(10);
    expect(CONTROLLERS.capi.defaults).toEqual({ qps: 100, burst: 200 });
    expect(CONTROLLERS.bmo.defaults).toEqual({ qps: 20, burst: 30 });
  });
});

describe('readFlags / applyTune', () => {
  it('reads both --flag=value and --flag value forms', () => {
    const f = readFlags(['--leader-elect', '--kube-api-qps=50', '--kube-api-burst', '75', '--kubeadmcontrolplane-concurrency=7'], 'kcp');
    expect(f).toEqual({ concurrency: { 'kubeadmcontrolplane-concurrency': 7 }, qps: 50, burst: 75 });
    expect(readFlags(KCP_ARGS, 'kcp')).toEqual({ concurrency: {} });
    expect(effectiveFlags(KCP_ARGS, 'kcp').qps).toBe(100);
  });

  it('takes the last of a repeated flag, as Go does, and tunes that one', () => {
    const args = ['--kube-api-qps=200', '--kubeadmcontrolplane-concurrency=100', '--kube-api-qps', '20'];
    expect(readFlags(args, 'kcp').qps).toBe(20);
    const out = applyTune(args, 'kcp', { qps: 50 });
    expect(readFlags(out, 'kcp').qps).toBe(50);
    expect(out).toEqual(['--kube-api-qps=200', '--kubeadmcontrolplane-concurrency=100', '--kube-api-qps', '50']);
  });

  it('appends absent flags and keeps every other argument in order', () => {
    const out = applyTune(KCP_ARGS, 'kcp', { concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 100 }, qps: 200, burst: 300 });
    expect(out.slice(0, KCP_ARGS.length)).toEqual(KCP_ARGS);
    expect(out.slice(KCP_ARGS.length)).toEqual(['--kubeadmcontrolplane-concurrency=100', '--kube-api-qps=200', '--kube-api-burst=300']);
    expect(KCP_ARGS).toHaveLength(4); // input untouched
  });

  it('replaces existing flags in place, in their own form', () => {
    const args = ['--kube-api-qps', '20', '--leader-elect', '--machine-concurrency=5'];
    const out = applyTune(args, 'capi', { qps: 150, concurrencyFlags: { 'machine-concurrency': 42 } });
    expect(out).toEqual(['--kube-api-qps', '150', '--leader-elect', '--machine-concurrency=42']);
  });

  it('--concurrency sets every concurrency flag the controller has', () => {
    const out = applyTune([], 'kubeadm-bootstrap', { concurrency: 64 });
    expect(readFlags(out, 'kubeadm-bootstrap').concurrency).toEqual({ 'kubeadmconfig-concurrency': 64, 'clustercache-concurrency': 64 });
  });

  it('refuses a flag the controller does not support, naming the ones it has', () => {
    const err = (() => {
      try {
        applyTune([], 'capm3', { concurrencyFlags: { 'machine-concurrency': 5 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/CAPM3 \(capm3\) has no --machine-concurrency flag/);
    expect((err as UserError).hint).toMatch(/--metal3machine-concurrency/);
    expect(() => applyTune([], 'kcp', {})).toThrow(/nothing to change/);
    expect(() => applyTune([], 'kcp', { qps: 0 })).toThrow(/from 1/);
    expect(() => readFlags(['--kube-api-qps=fast'], 'kcp')).toThrow(/not a number/);
  });
});

describe('controllerStatusBase', () => {
  it('derives the store row from the table and the args', async () => {
    const { controllerStatusBase } = await import('../../../src/engine/tune/status.js');
    expect(controllerStatusBase('ipam', ['--ippool-concurrency=4'])).toEqual({
      id: 'ipam',
      namespace: 'metal3-ipam-system',
      deployment: 'ipam-controller-manager',
      flags: { concurrency: { 'ippool-concurrency': 4 } },
      supportedConcurrencyFlags: ['ippool-concurrency'],
      supportsRateFlags: true,
    });
  });
});
