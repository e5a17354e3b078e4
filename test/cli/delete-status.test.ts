// `scale-tui delete` selections and `scale-tui status` output, through the real binary
// against the embedded management cluster (create/resume/delete --all end to end is in
// create.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusters } from '../../src/cli/commands/delete.js';
import { UserError } from '../../src/core/errors.js';
import { Journal, runJournalPath } from '../../src/core/journal/journal.js';
import { KubeClient } from '../../src/core/kube/client.js';
import { ownershipLabels } from '../../src/manifests/labels.js';
import { startWorld, type World } from '../support/fake-controllers.js';

describe('parseClusters', () => {
  it('reads ranges with and without the prefix, and name lists', () => {
    expect(parseClusters('test-3..test-40', 'test')).toEqual({ kind: 'range', from: 3, to: 40 });
    expect(parseClusters(' 3..40 ', 'test')).toEqual({ kind: 'range', from: 3, to: 40 });
    expect(parseClusters('test-3..40', 'test')).toEqual({ kind: 'range', from: 3, to: 40 });
    expect(parseClusters('test-1, test-7', 'test')).toEqual({ kind: 'names', names: ['test-1', 'test-7'] });
  });

  it('refuses a reversed range, a range with another prefix, and junk, naming the fix', () => {
    const fail = (spec: string): UserError => {
      try {
        parseClusters(spec, 'test');
      } catch (err) {
        if (err instanceof UserError) return err;
        throw err;
      }
      throw new Error(`${spec} was accepted`);
    };
    expect(fail('test-40..test-3').hint).toMatch(/test-3\.\.test-40/);
    expect(fail('other-3..other-5').message).toMatch(/not a range or a list/);
    expect(fail('Test_1').hint).toMatch(/--clusters test-3\.\.test-40/);
    expect(fail(',').message).toMatch(/not a range/);
  });
});

let world: World;
let dir: string;
let base: string[];

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'cli-delete-'));
  const kubeconfig = join(dir, 'mgmt.kubeconfig');
  writeFileSync(kubeconfig, world.management.kubeconfigYaml, { mode: 0o600 });
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'topology: dedicated\nnaming:\n  prefix: del\n');
  base = ['bin/scale-tui.js', '-c', config];
  sessionFlags = ['--kubeconfig', kubeconfig, '--state-dir', join(dir, 'state')];
}, 60_000);
afterAll(async () => {
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

let sessionFlags: string[] = [];
const run = (args: string[], session = true) =>
  execa(process.execPath, [...base, ...args, ...(session ? sessionFlags : [])], { reject: false });

describe('scale-tui delete / status (real binary)', () => {
  it('needs exactly one selection', async () => {
    for (const args of [
      ['delete', '--yes'],
      ['delete', '--all', '--batch', 'b1', '--yes'],
    ]) {
      const r = await run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: delete needs exactly one of --all, --clusters, --batch\nfix: /);
    }
  });

  it('reports a bad range before connecting to any cluster', async () => {
    // The kubeconfig does not exist: the range error must come first.
    const r = await run(['delete', '--clusters', 'del-9..del-2', '--yes', '--kubeconfig', join(dir, 'missing')], false);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      'error: --clusters del-9..del-2: the range del-9..del-2 ends before it starts: write the smaller number first\n' +
        'fix: Write the lower number first, e.g. del-2..del-9. ' +
        'Examples: --clusters del-3..del-40, --clusters del-1,del-7, --clusters last',
    );
  });

  it('says so when a selection matches no cluster, and exits 0', async () => {
    const r = await run(['delete', '--clusters', 'del-3..del-40', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no cluster matches del-3\.\.del-40; nothing to delete/);
    const b = await run(['delete', '--batch', 'nope', '--yes']);
    expect(b.stdout).toMatch(/no cluster matches batch nope/);
  });

  it('status lists clusters by phase, failures with their step, and each batch, from the journal', async () => {
    const state = mkdtempSync(join(tmpdir(), 'cli-status-'));
    try {
      const j = new Journal(runJournalPath(state, '20260101T000000-abcd'));
      j.append({ t: 1, type: 'batch-start', batchId: 'b7', requested: 2, backing: 'auto' });
      for (const [n, c] of [
        [5, 'del-5'],
        [6, 'del-6'],
      ] as const)
        j.append({ t: 2, type: 'allocated', cluster: c, number: n, namespace: c, batchId: 'b7' });
      j.append({ t: 3, type: 'phase', cluster: 'del-5', phase: 'ready' });
      j.append({
        t: 4,
        type: 'phase',
        cluster: 'del-6',
        phase: 'failed',
        step: 'wait-host',
        reason: 'BareMetalHost never became available',
      });
      j.close();
      const r = await execa(
        process.execPath,
        [...base, 'status', '--kubeconfig', sessionFlags[1]!, '--state-dir', state],
        { reject: false },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.split('\n')).toEqual([
        'clusters: 2',
        '  ready: 1 (del-5)',
        '  failed: 1 (del-6)',
        '  del-6 failed at wait-host: BareMetalHost never became available',
        'batch b7: 2 cluster(s) (ready 1, failed 1)',
        'left on API servers: nothing',
      ]);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('status lists what is left on each API server, and nothing when nothing is', async () => {
    const empty = await run(['status']);
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('clusters: 0\nleft on API servers: nothing');
    const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
    await mgmt.createOrSkip({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'del-77', labels: ownershipLabels({ runId: 'r1', cluster: 'del-77', batchId: 'b1' }) },
    });
    await mgmt.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'del-78' } });
    // Labelled as setup labels etcd-system: scale-tui's, but no run's leftover.
    await mgmt.createOrSkip({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'del-setup', labels: ownershipLabels({ runId: 'setup' }) },
    });
    try {
      const left = await run(['status']);
      expect(left.stdout).toMatch(/^left on management: 1 namespace\(s\): del-77$/m);
      const json = JSON.parse((await run(['status', '--json'])).stdout) as { namespaces: Record<string, string[]> };
      expect(json.namespaces.management).toEqual(['del-77']);
    } finally {
      await mgmt.delete('v1', 'Namespace', 'del-77');
      await mgmt.delete('v1', 'Namespace', 'del-78');
      await mgmt.delete('v1', 'Namespace', 'del-setup');
    }
  });
});
