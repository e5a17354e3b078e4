// Issue 17's done-when, end to end through the real binary: two headless demo runs with
// different tuning, kept with --state-dir, compared with `scale-tui report RUN_A RUN_B`;
// the comparison shows the tuning in the phase quantiles. Run B starts KCP with client-side
// QPS 1 / burst 1 (the emulated client-go token bucket runs in real time), so every KCP
// request after the first waits up to a second and KCP's phases come later than run A's,
// whose KCP has the default limits. Run A also carries an impossible threshold: the demo
// and `report --thresholds` both exit 4 for it.
//
// Both demos run at once (2 clusters each, --time-scale 0.02) to keep the wall time near a
// minute on 2 cores; most of it is the embedded servers starting and RSA keys.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../support/ports.js';

const BIN = fileURLToPath(new URL('../../../bin/scale-tui.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'scale-tui-demo-compare-'));

interface Row {
  metric: string;
  values: Array<number | null>;
}

describe('two kept demo runs compared', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the tuning difference in the phase quantiles; an impossible rule exits 4', async () => {
    const impossible = join(dir, 'impossible.yaml');
    writeFileSync(impossible, 'thresholds:\n  - p99(time-to-ready) < 1ms\n');
    const [portA, portB] = [await freePortBlock(2, 'nodeport'), await freePortBlock(2, 'nodeport')];
    const demo = (state: string, port: number, extra: string[]) =>
      execa(
        'node',
        [
          BIN,
          'demo',
          '--headless',
          '--clusters',
          '2',
          '--backing',
          '1',
          '--time-scale',
          '0.02',
          '--node-port-base',
          String(port),
          '--state-dir',
          state,
          ...extra,
        ],
        { reject: false, timeout: 240_000, env: { FORCE_COLOR: '0' } },
      );
    const stateA = join(dir, 'a');
    const stateB = join(dir, 'b');
    const [a, b] = await Promise.all([
      demo(stateA, portA, ['--thresholds', impossible]),
      demo(stateB, portB, ['--controller-arg', 'kcp=--kube-api-qps=1', '--controller-arg', 'kcp=--kube-api-burst=1']),
    ]);
    const ctx = (r: typeof a) => `stderr:\n${r.stderr}\nstdout (tail):\n${r.stdout.slice(-2000)}`;
    expect(a.exitCode, ctx(a)).toBe(4);
    expect(a.stdout).toContain('FAIL: p99(time-to-ready) < 1ms');
    expect(a.stdout).toMatch(/verdict: threshold \(exit 4\)/);
    expect(a.stdout).toContain(`run saved: ${join(stateA, 'runs')}`);
    expect(b.exitCode, ctx(b)).toBe(0);

    const report = (...args: string[]) => execa('node', [BIN, 'report', ...args], { reject: false, timeout: 60_000 });
    const json = await report(stateA, stateB, '--format', 'json', '--no-chart');
    expect(json.exitCode, json.stderr).toBe(0);
    const c = JSON.parse(json.stdout) as { rows: Row[]; settingsDiff: Array<{ key: string; values: string[] }> };
    const row = (m: string) => c.rows.find((r) => r.metric === m);
    for (const m of ['kcp:Initialized p50', 'cluster:ControlPlaneInitialized p50', 'cluster:Available p50']) {
      const [ra, rb] = row(m)!.values as [number, number];
      expect(rb, `${m}: run A ${ra} s, run B ${rb} s`).toBeGreaterThan(ra);
    }
    // Every phase a cluster passes is recorded, CAPI conditions and scale-tui's steps alike.
    for (const m of [
      'bmh:provisioned',
      'machine:BootstrapConfigReady',
      'm3m:associated',
      'machine:NodeHealthy',
      'kcp:Available',
      'step:ready',
    ])
      expect(row(`${m} p99`), m).toBeDefined();
    expect(c.settingsDiff).toContainEqual({
      key: 'demo.controllerArgs.kcp',
      values: ['(unset)', '["--kube-api-qps=1","--kube-api-burst=1"]'],
    });
    const md = await report(stateA, stateB, '--no-chart');
    // Durations print in ms under a second and in s above, and the fast run's p50 falls on
    // either side of 1 s with the machine's load, so both units are accepted.
    expect(md.stdout).toMatch(/\| kcp:Initialized p50 \| [\d.]+ m?s \| [\d.]+ m?s \(\+[\d.]+%\) \|/);

    const judged = await report(stateA, '--thresholds', impossible, '--no-chart');
    expect(judged.exitCode).toBe(4);
  }, 300_000);
});
