// The real binary: `scale-tui create` SIGKILLed mid-batch, `create --resume` finishes it,
// `delete --all --yes` leaves no object, namespace, etcd user/role or key (real etcd).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../src/manifests/labels.js';
import { type CliWorld, startCliWorld } from '../support/cli-world.js';
import { requireEtcd } from '../support/etcd-server.js';
import type { World } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

const skip = requireEtcd();
let cli: CliWorld | undefined;
let world: World;
let dir: string;
let env: NodeJS.ProcessEnv;
let base: string[];
let sessionFlags: string[] = [];

beforeAll(async () => {
  if (skip) return;
  cli = await startCliWorld('cli-create-');
  ({ world, dir, env } = cli);
  const basePort = await freePortBlock(100);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `topology: dedicated\nnaming:\n  prefix: cli\nbatch:\n  size: 20\n  concurrency: 8\nendpoint:\n  mode: port-forward\n  host: 127.0.0.1\n  basePort: ${basePort}\n`,
  );
  base = ['bin/scale-tui.js', '-c', config];
  // every command below gets the same management/state flags
  sessionFlags = ['--kubeconfig', cli.kubeconfig, '--state-dir', join(dir, 'state')];
}, 90_000);

afterAll(async () => {
  await cli?.stop();
}, 120_000);

function flags(): string[] {
  return sessionFlags;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...base, ...args, ...flags()], { env, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(skip)('scale-tui create/delete (real binary)', () => {
  it('survives SIGKILL mid-batch, resumes without duplicates, deletes everything', async () => {
    // 1. create, killed once 4 clusters have a Machine.
    const child: ChildProcess = spawn(process.execPath, [...base, 'create', '--count', '20', ...flags()], { env });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const killed = new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if ((out.match(/ machine\n/g) ?? []).length >= 4 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    await killed;
    await new Promise((r) => child.once('close', r).once('exit', r));
    expect(child.signalCode, err).toBe('SIGKILL');

    // 2. resume finishes all 20.
    const resumed = await run(['create', '--resume', '--quiet']);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    const st = await run(['status', '--json']);
    expect(st.code, st.stderr).toBe(0);
    const status = JSON.parse(st.stdout) as { clusters: Array<{ name: string; phase: string; number: number }> };
    expect(status.clusters).toHaveLength(20);
    expect(status.clusters.every((c) => c.phase === 'ready')).toBe(true);
    expect(new Set(status.clusters.map((c) => c.number)).size).toBe(20);
    const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
    expect(await mgmt.list('cluster.x-k8s.io/v1beta2', 'Cluster', { labelSelector: MANAGED_SELECTOR })).toHaveLength(
      20,
    );
    // The apiservers are embedded here, so stand in for their writes: one key per tenant.
    for (const c of status.clusters) await cli!.etcdctl(['put', `/${c.name}/registry/marker`, 'x']);
    await cli!.etcdctl(['put', '/unrelated/key', 'keep']);

    // 3. delete needs --yes without a terminal, then removes everything.
    const refused = await run(['delete', '--all']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--yes/);
    const del = await run(['delete', '--all', '--yes']);
    expect(del.code, del.stderr + del.stdout).toBe(0);
    expect(del.stdout).toMatch(/deleted 20, failed 0/);
    const after = await run(['status']);
    expect(after.stdout).toMatch(/clusters: 0/);
    expect(after.stdout).toMatch(/left on API servers: nothing/);
    expect(await mgmt.list('v1', 'Namespace', { labelSelector: MANAGED_SELECTOR })).toEqual([]);
    expect((await cli!.etcdctl(['get', '', '--prefix', '--keys-only'])).split('\n').filter(Boolean)).toEqual([
      '/unrelated/key',
    ]);
    expect((await cli!.etcdctl(['user', 'list'])).split('\n').filter(Boolean)).toEqual(['root']);
  }, 300_000);
});
