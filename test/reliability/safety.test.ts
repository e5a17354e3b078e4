// Safety through the real binary: foreign namespaces named like ours (test-N, unlabelled)
// survive every delete command; the engine allocates around them; keys and kubeconfigs in
// the state dir are 0600; no certificate, key or token reaches the output or the journal.
import { execa } from 'execa';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../src/manifests/labels.js';
import { X509Certificate } from 'node:crypto';
import type { EtcdctlAdmin } from '../../src/engine/etcd/etcdctl.js';
import { type CliWorld, startCliWorld } from '../support/cli-world.js';
import { requireEtcd } from '../support/etcd-server.js';
import type { World } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

const skip = requireEtcd();
let cli: CliWorld | undefined;
let world: World;
let env: NodeJS.ProcessEnv;
let admin: EtcdctlAdmin;
let dir: string;
let stateDir: string;
let base: string[];
let session: string[];
let mgmt: KubeClient;
const FOREIGN = ['test-1', 'test-2', 'test-3', 'test-5', 'test-8', 'test-20'];
let output = '';

beforeAll(async () => {
  if (skip) return;
  cli = await startCliWorld('safety-');
  ({ world, admin, dir, env, mgmt } = cli);
  stateDir = join(dir, 'state');
  const config = join(dir, 'config.yaml');
  const basePort = await freePortBlock(40);
  // The seed's own prefix: the one a careless delete would take foreign test-N for ours.
  writeFileSync(
    config,
    `topology: dedicated\nnaming:\n  prefix: test\nbatch:\n  size: 3\n  concurrency: 4\nendpoint:\n  mode: port-forward\n  host: 127.0.0.1\n  basePort: ${basePort}\n`,
  );
  base = ['bin/scale-tui.js', '-c', config];
  session = ['--kubeconfig', cli.kubeconfig, '--state-dir', stateDir];
  for (const n of FOREIGN) {
    await mgmt.createOrSkip({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: n, labels: { team: 'someone-else' } },
    });
    await mgmt.createOrSkip({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'theirs', namespace: n },
      data: { v: Buffer.from('keep').toString('base64') },
    } as never);
  }
}, 90_000);
afterAll(async () => {
  await cli?.stop();
}, 120_000);

async function run(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [...base, ...args, ...session], { reject: false, env });
  output += r.stdout + r.stderr;
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

async function foreignIntact(): Promise<void> {
  for (const n of FOREIGN) {
    const ns = await mgmt.get('v1', 'Namespace', n);
    expect(ns?.metadata.name, `foreign namespace ${n}`).toBe(n);
    expect((await mgmt.get('v1', 'Secret', 'theirs', n))?.metadata.name, `secret in ${n}`).toBe('theirs');
  }
}

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function ours(): Promise<string[]> {
  return (await mgmt.list('v1', 'Namespace', { labelSelector: MANAGED_SELECTOR })).map((n) => n.metadata.name).sort();
}

describe.skipIf(skip)('safety (real binary)', () => {
  it('creates around foreign test-N namespaces, and no delete command touches them', async () => {
    const created = await run(['create', '--count', '9', '--quiet']);
    expect(created.exitCode, created.stderr + created.stdout).toBe(0);
    const mine = await ours();
    expect(mine).toHaveLength(9);
    expect((await admin.status()).tenants).toEqual(mine);
    // Tenant credentials: a generated client key per cluster (CN = tenant), kept in a Secret.
    const keys: string[] = [];
    for (const c of mine) {
      const sec = (await mgmt.get('v1', 'Secret', `${c}-apiserver-etcd-client`, c)) as unknown as {
        data: Record<string, string>;
      };
      const cert = new X509Certificate(Buffer.from(sec.data['tls.crt']!, 'base64'));
      expect(cert.subject).toContain(`CN=${c}`);
      keys.push(Buffer.from(sec.data['tls.key']!, 'base64').toString());
    }
    expect(keys.every((k) => /PRIVATE KEY/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(mine.length);
    for (const n of FOREIGN) expect(mine).not.toContain(n);
    await foreignIntact();

    // Key files and kubeconfigs: 0600, in the per-run state dir.
    const all = files(stateDir);
    const secretFiles = all.filter(
      (f) =>
        /\.(key|kubeconfig)$|kubeconfig/.test(f) || /PRIVATE KEY|client-key-data|token:/.test(readFileSync(f, 'utf8')),
    );
    expect(secretFiles.length).toBeGreaterThan(0);
    for (const f of secretFiles) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');

    const status = JSON.parse((await run(['status', '--json'])).stdout) as {
      clusters: Array<{ name: string; batchId: string; number: number }>;
    };
    const byNumber = status.clusters.sort((a, b) => a.number - b.number);
    const [a, b, c] = byNumber.map((x) => x.name);
    // A range spanning foreign and our numbers; a name list mixing both; a batch; then --all.
    const steps: string[][] = [
      ['delete', '--clusters', `test-1..${a}`, '--yes'],
      ['delete', '--clusters', `test-2,${b},test-20`, '--yes'],
      ['delete', '--batch', byNumber.find((x) => x.name === c)!.batchId, '--yes'],
      ['delete', '--all', '--yes'],
    ];
    for (const s of steps) {
      const r = await run(s);
      expect(r.exitCode, `${s.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
      await foreignIntact();
    }
    expect(await ours()).toEqual([]);
    expect((await admin.status()).tenants).toEqual([]);
    // Foreign ones were never adopted as ours either.
    expect(JSON.parse((await run(['status', '--json'])).stdout).clusters).toEqual([]);
  }, 240_000);

  it('never printed or journalled a certificate, key or token', () => {
    const token = /token: (\S+)/.exec(world.management.kubeconfigYaml)?.[1];
    const journals = files(stateDir).filter((f) => f.endsWith('.jsonl'));
    expect(journals.length).toBeGreaterThan(0);
    const text = output + journals.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/-----BEGIN/);
    expect(text).not.toMatch(/client-key-data|client-certificate-data/);
    if (token) expect(text).not.toContain(token);
  });
});
