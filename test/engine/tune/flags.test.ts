import { describe, expect, it } from 'vitest';
import { CONTROLLERS, applyTune, effectiveFlags, readFlags } from '../../../src/core/tune/flags.js';
import { CONTROLLER_IDS } from '../../../src/core/types.js';
import { UserError } from '../../../src/core/errors.js';

// Args as clusterctl installs KCP v1.14 (leader election, diagnostics, feature gates).
const KCP_ARGS = [
  '--leader-elect',
  '--diagnostics-address=:8443',
  '--insecure-diagnostics=false',
  '--feature-gates=ClusterTopology=false,KubeadmBootstrapFormatIgnition=false',
];

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
    const f = readFlags(
      ['--leader-elect', '--kube-api-qps=50', '--kube-api-burst', '75', '--kubeadmcontrolplane-concurrency=7'],
      'kcp',
    );
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
    const out = applyTune(KCP_ARGS, 'kcp', {
      concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 100 },
      qps: 200,
      burst: 300,
    });
    expect(out.slice(0, KCP_ARGS.length)).toEqual(KCP_ARGS);
    expect(out.slice(KCP_ARGS.length)).toEqual([
      '--kubeadmcontrolplane-concurrency=100',
      '--kube-api-qps=200',
      '--kube-api-burst=300',
    ]);
    expect(KCP_ARGS).toHaveLength(4); // input untouched
  });

  it('replaces existing flags in place, in their own form', () => {
    const args = ['--kube-api-qps', '20', '--leader-elect', '--machine-concurrency=5'];
    const out = applyTune(args, 'capi', { qps: 150, concurrencyFlags: { 'machine-concurrency': 42 } });
    expect(out).toEqual(['--kube-api-qps', '150', '--leader-elect', '--machine-concurrency=42']);
  });

  // Issue 14: --concurrency used to rewrite every flag, so `tune kcp --concurrency 10` cut
  // --clustercache-concurrency from 100 to 10 unannounced. It means the main reconciler only.
  it('--concurrency sets only the main reconciler flag; --clustercache-concurrency keeps its value', () => {
    const args = [...KCP_ARGS, '--clustercache-concurrency=100'];
    const out = applyTune(args, 'kcp', { concurrency: 10 });
    expect(readFlags(out, 'kcp').concurrency).toEqual({
      'kubeadmcontrolplane-concurrency': 10,
      'clustercache-concurrency': 100,
    });
    expect(out).toEqual([...args, '--kubeadmcontrolplane-concurrency=10']);
    const main = {
      capi: 'cluster-concurrency',
      'kubeadm-bootstrap': 'kubeadmconfig-concurrency',
      kcp: 'kubeadmcontrolplane-concurrency',
      capm3: 'metal3machine-concurrency',
      ipam: 'ippool-concurrency',
      bmo: 'controller-concurrency',
    };
    for (const id of CONTROLLER_IDS) {
      expect(CONTROLLERS[id].mainConcurrencyFlag).toBe(main[id]);
      expect(readFlags(applyTune([], id, { concurrency: 7 }), id).concurrency).toEqual({ [main[id]]: 7 });
    }
  });

  it('changes other concurrency flags only when named, and refuses two values for the main one', () => {
    const out = applyTune([], 'kcp', { concurrency: 100, concurrencyFlags: { 'clustercache-concurrency': 50 } });
    expect(out).toEqual(['--kubeadmcontrolplane-concurrency=100', '--clustercache-concurrency=50']);
    const same = { concurrency: 100, concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 100 } };
    expect(applyTune([], 'kcp', same)).toEqual(['--kubeadmcontrolplane-concurrency=100']);
    const twice = { concurrency: 100, concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 20 } };
    expect(() => applyTune([], 'kcp', twice)).toThrow(
      /--kubeadmcontrolplane-concurrency is given twice, as 100 \(--concurrency\) and 20/,
    );
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
    const { controllerStatusBase } = await import('../../../src/state/controller-status.js');
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
