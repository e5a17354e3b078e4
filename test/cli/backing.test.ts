// `scale-tui backing add/list/remove` as a user runs them: the real binary against the
// embedded API server (with the simulated kubelet bringing the etcd StatefulSet up) and a
// real etcd serving the experiment's own etcd PKI, reached with --etcd-endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCluster } from '../support/test-cluster.js';
import { type KubeletCluster, testClusterWithKubelet } from '../support/kubelet-cluster.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../support/etcd-server.js';
import { loadOrCreateEtcdPki } from '../../src/engine/backing/etcd-pki.js';
import { KubeClient } from '../../src/core/kube/client.js';
import { runTool } from '../../src/engine/tools/run.js';
import { installFakeBin } from '../support/fake-bin/index.js';

const skip = requireEtcd();

describe.skipIf(skip !== undefined)('scale-tui backing (real binary, embedded API server, real etcd)', () => {
  let dir: string;
  let cluster: TestCluster;
  let etcd: TestEtcd;
  let world: KubeletCluster | undefined;
  let configPath: string;

  const cli = (args: string[]) => execa('node', ['bin/scale-tui.js', '-c', configPath, ...args], { reject: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-cli-backing-'));
    const stateDir = join(dir, 'state');
    configPath = join(dir, 'experiment.yaml');
    writeFileSync(configPath, `stateDir: ${stateDir}\n`);
    const pki = loadOrCreateEtcdPki(stateDir);
    etcd = await startEtcd({
      ca: { certPem: pki.ca.cert, keyPem: pki.ca.key },
      server: { certPem: pki.server.cert, keyPem: pki.server.key },
    });
    // Its Node goes in afterAll: an external cluster is shared by all suites.
    world = await testClusterWithKubelet('b1-control-plane');
    cluster = world.cluster;
  });

  afterAll(async () => {
    await world?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('add creates the etcd-system objects, enables etcd auth with a generated root password, and registers the cluster', async () => {
    const r = await cli([
      'backing',
      'add',
      'b1',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--capacity',
      '50',
      '--etcd-endpoint',
      etcd.endpoint,
      '--timeout',
      '60',
    ]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /registered backing cluster b1 \(https:\/\/127\.0\.0\.1:\d+, capacity 50\); etcd objects created: \d+, already present: 0/,
    );
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    for (const [v, k, n] of [
      ['v1', 'Namespace', undefined],
      ['v1', 'Secret', 'etcd-ca'],
      ['v1', 'Secret', 'etcd-server'],
      ['v1', 'Secret', 'etcd-peer'],
      ['v1', 'Secret', 'etcd-root'],
      ['v1', 'Secret', 'etcd-root-client'],
      ['v1', 'Service', 'etcd'],
      ['v1', 'Service', 'etcd-server'],
      ['apps/v1', 'StatefulSet', 'etcd'],
    ] as const) {
      const obj = n ? await kube.get(v, k, n, 'etcd-system') : await kube.get(v, k, 'etcd-system');
      expect(obj, `${k}/${n ?? 'etcd-system'}`).toBeDefined();
      expect(obj!.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('scale-tui');
    }
    const sts = (await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')) as unknown as {
      spec: { volumeClaimTemplates?: unknown[] };
    };
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    const root = (await kube.get('v1', 'Secret', 'etcd-root', 'etcd-system')) as unknown as {
      data: { password: string };
    };
    const password = Buffer.from(root.data.password, 'base64').toString();
    expect(password.length).toBeGreaterThanOrEqual(24);
    // Auth is on in the real etcd: an unknown identity is refused, root (password from the Secret) is accepted.
    const nobody = etcd.clientFiles('nobody');
    const denied = await runTool(
      'etcdctl',
      [
        `--endpoints=${etcd.endpoint}`,
        `--cacert=${etcd.caFile}`,
        `--cert=${nobody.certFile}`,
        `--key=${nobody.keyFile}`,
        'get',
        '/x',
      ],
      { allowFailure: true },
    );
    expect(denied.exitCode).not.toBe(0);
    const tls = [`--endpoints=${etcd.endpoint}`, `--cacert=${etcd.caFile}`];
    const nobodyArgs = [...tls, `--cert=${nobody.certFile}`, `--key=${nobody.keyFile}`];
    const asRoot = await runTool('etcdctl', [...nobodyArgs, 'role', 'list'], {
      allowFailure: true,
      // The environment, not argv: a password is never on a command line, tests included.
      env: { ETCDCTL_API: '3', ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: password },
    });
    expect(asRoot.stdout.trim()).toBe('root');
    const registry = JSON.parse(readFileSync(join(dir, 'state', 'backing-clusters.json'), 'utf8')) as {
      clusters: Array<{ name: string; capacity: number }>;
    };
    expect(registry.clusters.map((c) => [c.name, c.capacity])).toEqual([['b1', 50]]);
    // The etcd PKI the admin path wrote (root client key and certificates) is private.
    const pkiDir = join(dir, 'state', 'pki', 'etcd');
    for (const f of readdirSync(pkiDir)) expect(statSync(join(pkiDir, f)).mode & 0o777, f).toBe(0o600);
    expect(statSync(pkiDir).mode & 0o777).toBe(0o700);
  }, 180_000);

  it('add again is idempotent; list shows health; remove --purge deletes etcd-system and unregisters', async () => {
    const again = await cli([
      'backing',
      'add',
      'b1',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--capacity',
      '50',
      '--etcd-endpoint',
      etcd.endpoint,
      '--timeout',
      '60',
    ]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/etcd objects created: 0, already present: \d+/);
    const list = await cli(['backing', 'list', '--etcd-endpoint', etcd.endpoint]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^b1\s+healthy\s+tenants 0\/50\s+apiservers 0\/0\s+etcd db [\d.]+ MiB/m);
    // A tenant still placed there blocks the removal.
    const pki = loadOrCreateEtcdPki(join(dir, 'state'));
    const root = await runTool(
      'etcdctl',
      [
        `--endpoints=${etcd.endpoint}`,
        `--cacert=${etcd.caFile}`,
        '--cert',
        join(dir, 'state/pki/etcd/root-client.crt'),
        '--key',
        join(dir, 'state/pki/etcd/root-client.key'),
        'role',
        'add',
        'test-1',
      ],
      { allowFailure: true },
    );
    expect(root.exitCode, root.stderr).toBe(0);
    expect(pki.rootClient.cert).toContain('BEGIN CERTIFICATE');
    const blocked = await cli(['backing', 'remove', 'b1', '--etcd-endpoint', etcd.endpoint]);
    expect(blocked.exitCode).toBe(2);
    expect(blocked.stderr).toMatch(/b1 still holds 1 workload cluster\(s\): test-1/);
    const rm = await cli(['backing', 'remove', 'b1', '--purge', '--force']);
    expect(rm.exitCode).toBe(0);
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const ns = await kube.get('v1', 'Namespace', 'etcd-system');
    expect(ns === undefined || (ns as { status?: { phase?: string } }).status?.phase === 'Terminating').toBe(true);
    expect((await cli(['backing', 'list'])).stdout).toMatch(/no backing clusters registered/);
    const bad = await cli(['backing', 'remove', 'b1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: no backing cluster named "b1"\nfix: /);
  }, 180_000);
  it('create over ssh: runs the kind sequence on the host, then sets up etcd and registers the cluster', async () => {
    // The previous test purged etcd-system; let its deletion finish first.
    const k = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    for (let i = 0; i < 300 && (await k.get('v1', 'Namespace', 'etcd-system')); i++)
      await new Promise((r) => setTimeout(r, 100));
    // The "remote host" is this machine: the fake ssh hands back the embedded server's kubeconfig as kind's.
    const fake = installFakeBin(['ssh'], {
      ssh: [
        { match: 'docker version', stdout: '27.3.1\n' },
        { match: 'kind version', stdout: 'kind v0.30.0\n' },
        { match: 'max_user_watches /proc', stdout: '1048576\n8192\n' },
        { match: 'kind get clusters', stdout: '' },
        { match: 'kind create cluster', stdout: '' },
        { match: 'kind get kubeconfig', stdout: cluster.kubeconfigYaml },
      ],
    });
    try {
      const r = await execa(
        'node',
        [
          'bin/scale-tui.js',
          '-c',
          configPath,
          'backing',
          'create',
          'b2',
          '--ssh',
          'ubuntu@127.0.0.1',
          '--capacity',
          '5',
          '--etcd-endpoint',
          etcd.endpoint,
          '--timeout',
          '60',
        ],
        {
          reject: false,
          env: { PATH: process.env.PATH ?? '' },
        },
      );
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(
        /ubuntu@127\.0\.0\.1: creating kind cluster b2 \(API 127\.0\.0\.1:6443, 5 NodePort slots\)/,
      );
      expect(r.stdout).toMatch(
        /registered backing cluster b2 \(https:\/\/127\.0\.0\.1:\d+\); kubeconfig .*backing\/b2\.kubeconfig/,
      );
      expect(fake.calls('ssh').map((c) => c.argv.at(-1))).toEqual([
        "docker version --format '{{.Server.Version}}'",
        'kind version',
        'cat /proc/sys/fs/inotify/max_user_watches /proc/sys/fs/inotify/max_user_instances',
        'kind get clusters',
        "kind create cluster --name 'b2' --config - --wait 300s",
        "kind get kubeconfig --name 'b2'",
      ]);
      const registry = JSON.parse(readFileSync(join(dir, 'state', 'backing-clusters.json'), 'utf8')) as {
        clusters: Array<{ name: string; source: string; kindCluster?: unknown }>;
      };
      expect(registry.clusters.find((c) => c.name === 'b2')?.source).toBe('ssh:ubuntu@127.0.0.1');
      // scale-tui made this kind cluster (kind get clusters did not list it): recorded for --purge
      expect(registry.clusters.find((c) => c.name === 'b2')?.kindCluster).toEqual({
        name: 'b2',
        ssh: { user: 'ubuntu', host: '127.0.0.1' },
      });
      const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
      expect(await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')).toBeDefined();
    } finally {
      fake.restore();
    }
  }, 180_000);
});
