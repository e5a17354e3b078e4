// The real thing, end to end: kind management cluster with CAPI + CAPM3 + BMO (test mode),
// a small batch of dedicated-topology workload clusters brought to Ready by the real
// controllers, a report, and a delete that leaves nothing of ours behind while a foreign
// `test-N` namespace survives. It needs docker, kind, clusterctl and kubectl, and it
// creates (and removes) a kind cluster, so it only runs when asked:
//   SCALE_TUI_E2E=1 npx vitest run e2e
// Everything below it (engine, manifests, tools adapters, etcd tenancy) is tested
// without Docker in test/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOOLS = ['docker', 'kind', 'clusterctl', 'kubectl'] as const;

function missingPrerequisites(): string[] {
  if (process.env.SCALE_TUI_E2E !== '1') return ['SCALE_TUI_E2E=1'];
  const missing: string[] = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (!missing.includes('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0)
    missing.push('a reachable docker engine');
  return missing;
}

const missing = missingPrerequisites();
const COUNT = Number(process.env.SCALE_TUI_E2E_COUNT ?? 3);
const kindName = `scale-tui-e2e-${process.pid}`;
let dir = '';
let kubeconfig = '';
let base: string[] = [];

function scaleTui(args: string[], timeoutMs: number): { code: number | null; out: string } {
  const r = spawnSync('node', [...base, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function kubectl(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(missing.length > 0)(`real kind + CAPI run (needs ${missing.join(', ') || 'nothing more'})`, () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-e2e-'));
    kubeconfig = join(dir, 'kubeconfig');
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `management:`,
        `  kindName: ${kindName}`,
        `topology: dedicated`,
        `naming:`,
        `  prefix: e2e`,
        `batch:`,
        `  size: ${COUNT}`,
        `  concurrency: ${COUNT}`,
        `stateDir: ${join(dir, 'state')}`,
        '',
      ].join('\n'),
    );
    base = ['bin/scale-tui.js', '-c', config];
  });

  afterAll(() => {
    spawnSync('kind', ['delete', 'cluster', '--name', kindName], { stdio: 'ignore' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the preflight checks', () => {
    const r = scaleTui(['doctor'], 60_000);
    expect(r.out).not.toMatch(/\n\s+at .*\(/); // no stack traces
    expect(r.code, r.out).toBe(0);
  });

  it(
    'sets up the management cluster, and a re-run skips what is done',
    () => {
      const first = scaleTui(['setup', '--kubeconfig', kubeconfig], 30 * 60_000);
      expect(first.code, first.out).toBe(0);
      const again = scaleTui(['setup', '--kubeconfig', kubeconfig], 10 * 60_000);
      expect(again.code, again.out).toBe(0);
      expect(again.out).toMatch(/skip|already/i);
      expect(kubectl(['get', 'nodes', '-o', 'name']).out.trim().split('\n')).toHaveLength(3);
    },
    45 * 60_000,
  );

  it(
    `creates ${COUNT} clusters that the real controllers bring to Ready`,
    () => {
      kubectl(['create', 'namespace', 'e2e-999']); // foreign: same naming pattern, no label
      const r = scaleTui(['create', '--count', String(COUNT)], 30 * 60_000);
      expect(r.code, r.out).toBe(0);
      const status = JSON.parse(
        scaleTui(['status', '--json'], 120_000)
          .out.trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .join(''),
      ) as { clusters: Array<{ name: string; phase: string }> };
      expect(status.clusters.filter((c) => c.phase === 'ready')).toHaveLength(COUNT);
      const kcps = kubectl([
        'get',
        'kcp',
        '-A',
        '-l',
        'app.kubernetes.io/managed-by=scale-tui',
        '-o',
        'jsonpath={range .items[*]}{.status.initialization.controlPlaneInitialized}{"\\n"}{end}',
      ]);
      expect(
        kcps.out
          .trim()
          .split('\n')
          .filter((l) => l === 'true'),
      ).toHaveLength(COUNT);
    },
    35 * 60_000,
  );

  it('reports the run', () => {
    const r = scaleTui(['report'], 120_000);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ready/i);
  });

  it(
    'deletes everything it created and nothing else',
    () => {
      const r = scaleTui(['delete', '--all', '--yes'], 30 * 60_000);
      expect(r.code, r.out).toBe(0);
      expect(kubectl(['get', 'ns', '-l', 'app.kubernetes.io/managed-by=scale-tui', '-o', 'name']).out.trim()).toBe('');
      expect(kubectl(['get', 'ns', 'e2e-999', '-o', 'name']).out.trim()).toBe('namespace/e2e-999');
    },
    35 * 60_000,
  );
});

describe.skipIf(missing.length === 0)('real kind + CAPI run', () => {
  it.skip(`skipped: missing ${missing.join(', ')}`, () => undefined);
});
