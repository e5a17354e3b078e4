// `backing remove NAME --purge` deletes the kind cluster that scale-tui's `backing create` made,
// exactly that one and where it was made (over ssh to the recorded host, or locally), and
// refuses when the registry says scale-tui did not make it. Against the strict fake kind and
// ssh (test/support/fake-bin): a wrong flag or argv fails as the real tool would, so the calls
// checked here are calls the real tools accept. The refusal runs through the real binary (its
// error:/fix: lines); the rest calls removeBacking in-process (each binary start costs seconds).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeBacking } from '../../../src/engine/backing/index.js';
import { addEntry, type BackingEntry, readRegistry } from '../../../src/engine/backing/registry.js';
import { type FakeBin, installFakeBin } from '../../support/fake-bin/index.js';

let dir: string;
let stateDir: string;
let configPath: string;
let fake: FakeBin | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scale-tui-purge-'));
  stateDir = join(dir, 'state');
  configPath = join(dir, 'experiment.yaml');
  writeFileSync(configPath, `stateDir: ${stateDir}\n`);
  writeFileSync(join(dir, 'b.kubeconfig'), 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
});
afterEach(() => {
  fake?.restore();
  fake = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function register(name: string, extra: Partial<BackingEntry> = {}): void {
  addEntry(stateDir, { name, kubeconfig: join(dir, 'b.kubeconfig'), capacity: 5, ...extra });
}

/** In-process, as the CLI calls it; force skips the etcd tenant check (no etcd here). */
async function purge(name: string): Promise<{ lines: string[] }> {
  const lines: string[] = [];
  await removeBacking({ stateDir, name, purge: true, force: true, log: (l) => lines.push(l) });
  return { lines };
}

/** The real binary; --force skips the etcd tenant check (no etcd here), not the purge rules. */
const remove = (name: string) =>
  execa('node', ['bin/scale-tui.js', '-c', configPath, 'backing', 'remove', name, '--purge', '--force'], {
    reject: false,
    env: { PATH: process.env.PATH ?? '' },
  });

describe('backing remove --purge and the kind cluster backing create made', () => {
  it('deletes exactly the recorded kind cluster over ssh on the host (and port) it was made on', async () => {
    register('b2', {
      source: 'ssh:ubuntu@10.0.0.5:2222',
      kindCluster: { name: 'b2', ssh: { user: 'ubuntu', host: '10.0.0.5', port: 2222 } },
    });
    register('other');
    fake = installFakeBin(['ssh', 'kind'], {
      ssh: [{ match: 'kind get clusters', stdout: 'b2\nmine\n' }, { stdout: '' }],
    });
    const r = await purge('b2');
    expect(r.lines).toEqual(['ubuntu@10.0.0.5:2222: deleting kind cluster b2 (made by scale-tui backing create)']);
    const calls = fake.calls('ssh');
    expect(calls.every((c) => c.valid)).toBe(true);
    expect(calls.map((c) => c.argv.slice(-4))).toEqual([
      ['2222', 'ubuntu@10.0.0.5', '--', 'kind get clusters'],
      ['2222', 'ubuntu@10.0.0.5', '--', "kind delete cluster --name 'b2'"],
    ]);
    expect(fake.calls('kind')).toEqual([]);
    expect(readRegistry(stateDir).map((e) => e.name)).toEqual(['other']);
  }, 30_000);

  it('deletes a locally made kind cluster with the local kind', async () => {
    register('b3', { source: 'local', kindCluster: { name: 'b3' } });
    fake = installFakeBin(['ssh', 'kind'], {
      kind: [{ match: '^get clusters', stdout: 'b3\nkind\n' }, { stdout: '' }],
    });
    await purge('b3');
    expect(fake.calls('kind').map((c) => [c.valid, c.argv.join(' ')])).toEqual([
      [true, 'get clusters'],
      [true, 'delete cluster --name b3'],
    ]);
    expect(fake.calls('ssh')).toEqual([]);
  }, 30_000);

  it('refuses, with error: and fix:, when backing create found the kind cluster already there', async () => {
    // no kindCluster record: scale-tui did not make it
    register('b4', { source: 'ssh:ubuntu@10.0.0.5' });
    fake = installFakeBin(['ssh', 'kind'], { ssh: [{ stdout: 'b4\n' }] });
    const r = await remove('b4');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^error: the kind cluster b4 on ubuntu@10\.0\.0\.5 was not created by scale-tui .*\nfix: Run scale-tui backing remove b4 without --purge/,
    );
    expect(fake.calls()).toEqual([]);
    expect(readRegistry(stateDir).map((e) => e.name)).toEqual(['b4']); // nothing lost
    // without --purge it unregisters and leaves the kind cluster alone
    await removeBacking({ stateDir, name: 'b4', force: true });
    expect(readRegistry(stateDir)).toEqual([]);
    expect(fake.calls()).toEqual([]);
  }, 30_000);

  it('a kind cluster already deleted by hand is not deleted again', async () => {
    register('b5', {
      source: 'ssh:ubuntu@10.0.0.5',
      kindCluster: { name: 'b5', ssh: { user: 'ubuntu', host: '10.0.0.5' } },
    });
    fake = installFakeBin(['ssh', 'kind'], { ssh: [{ match: 'kind get clusters', stdout: 'b55\n' }, { stdout: '' }] });
    const r = await purge('b5');
    expect(r.lines).toEqual(['ubuntu@10.0.0.5: kind cluster b5 is already gone']);
    expect(fake.calls('ssh').map((c) => c.argv.at(-1))).toEqual(['kind get clusters']);
  }, 30_000);

  it('registering again (a create that reused the cluster) keeps the record of who made it', () => {
    register('b6', {
      source: 'ssh:ubuntu@10.0.0.5',
      kindCluster: { name: 'b6', ssh: { user: 'ubuntu', host: '10.0.0.5' } },
    });
    register('b6', { source: 'ssh:ubuntu@10.0.0.5' });
    expect(readRegistry(stateDir)[0]?.kindCluster).toEqual({ name: 'b6', ssh: { user: 'ubuntu', host: '10.0.0.5' } });
    const raw = JSON.parse(readFileSync(join(stateDir, 'backing-clusters.json'), 'utf8')) as { clusters: unknown[] };
    expect(raw.clusters).toHaveLength(1);
  });
});
