// Every topology, run the way a user runs it on a test VM, in the lab's network (lab.ts):
// the real scale-tui on the host with kind's kubeconfig and default endpoint settings,
// the controllers in the management node where 127.0.0.1 is their own, backing clusters
// on other machines. 20 clusters to ready, then delete with nothing left behind.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, labSkipReason, startLab, type Lab, type RunResult } from './lab.js';
import { spawnSync } from 'node:child_process';
import { ETCD, ETCD_POD_PATHS } from '../../src/manifests/etcd.js';

const skip = labSkipReason();
const COUNT = 20;

function listening(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-ltnH'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => Number(/:(\d+)\s/.exec(`${l.split(/\s+/)[3]} `)?.[1]))
    .filter((n) => n > 0);
}

function pidsIn(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '')
    .split('\n')
    .map(Number)
    .filter((n) => n > 0);
}

/**
 * The farm topology: `create`'s in-process farm ended with it, so `farm serve` on the same
 * state brings the clusters back on the host (same ports, same certificates), and the real
 * kubectl in the management node's namespace reads a cluster's Node through CAPI's own
 * `<cluster>-kubeconfig`, i.e. at the farm's address on the kind network. The farm is
 * stopped again before delete, which starts its own on that state.
 */
async function farmReachedFromNode(lab: Lab, common: string[], basePort: number): Promise<void> {
  const farm = lab.spawnScaleTui([...common, 'farm', 'serve', '--host', lab.net.kindGateway]);
  try {
    const deadline = Date.now() + 60_000;
    while (!/clusters restored/.test(farm.output())) {
      if (farm.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`farm serve did not start:\n${farm.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(farm.output()).toMatch(new RegExp(`farm: ${COUNT} clusters restored`));
    const names = lab.kubectl([
      'get',
      'clusters.cluster.x-k8s.io',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.controlPlaneEndpoint.port}{"\\n"}{end}',
    ]);
    ok0(lab, names, 'kubectl get clusters');
    const rows = names.stdout.split('\n').filter(Boolean);
    expect(rows).toHaveLength(COUNT);
    for (const row of rows.slice(0, 3)) {
      const [nsName, port] = row.split(' ');
      const [ns, name] = nsName!.split('/');
      expect(Number(port)).toBeGreaterThanOrEqual(basePort);
      const secret = lab.kubectl(['get', 'secret', '-n', ns!, `${name}-kubeconfig`, '-o', 'jsonpath={.data.value}']);
      ok0(lab, secret, `kubectl get secret ${name}-kubeconfig`);
      const file = join(lab.dir, `${name}.kubeconfig`);
      writeFileSync(file, Buffer.from(secret.stdout, 'base64'), { mode: 0o600 });
      const r = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          lab.net.nodes[0]!.ns,
          'kubectl',
          `--kubeconfig=${file}`,
          '--request-timeout=20s',
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[*].metadata.labels.metal3\\.io/uuid}',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect({ row, code: r.status, stderr: r.stderr }).toMatchObject({ code: 0 });
      expect(r.stdout.trim()).toMatch(/^\S+$/);
    }
  } finally {
    const gone = new Promise((r) => (farm.child.exitCode !== null ? r(undefined) : farm.child.once('exit', r)));
    farm.child.kill('SIGTERM');
    await gone;
    lab.processes.splice(lab.processes.indexOf(farm), 1);
  }
}

const ok0 = (lab: Lab, r: RunResult, what: string) => expectOk(lab, r, what);

const CASES = ['shared', 'dedicated', 'sharded', 'backing', 'farm'] as const;

describe.skipIf(skip).each(CASES)('lab: topology %s', (topology) => {
  let lab: Lab;
  let common: string[];
  const basePort = 20000;

  beforeAll(async () => {
    lab = await startLab({ backingVms: topology === 'backing' ? 2 : 0 });
    const config = join(lab.dir, 'experiment.yaml');
    // No endpoint settings: the defaults must work on a kind host as they are.
    writeFileSync(
      config,
      `${[
        `topology: ${topology}`,
        `naming:\n  prefix: lab${topology.slice(0, 3)}`,
        `batch:\n  size: ${COUNT}\n  concurrency: 10`,
        'sharded:\n  shards: 2',
        `endpoint:\n  basePort: ${basePort}`,
        `stateDir: ${join(lab.dir, 'state')}`,
      ].join('\n')}\n`,
    );
    common = ['-c', config];
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  const ok = (r: RunResult, what: string) => expectOk(lab, r, what);

  it('doctor on the host finds the endpoint the controllers reach, and refuses loopback', async () => {
    const line = (out: string) => out.split('\n').find((l) => l.includes('workload endpoint')) ?? out;
    const auto = await lab.scaleTui([...common, 'doctor', '--kubeconfig', lab.mgmtKubeconfig]);
    // docker, kind and clusterctl are absent here, so doctor as a whole fails; this line must not.
    expect(line(auto.stdout)).toMatch(
      new RegExp(
        `\\[ok\\s*\\] workload endpoint .*node ${lab.net.nodes[0]!.ip.replace(/\./g, '\\.')} dial ${lab.net.kindGateway.replace(/\./g, '\\.')}:`,
      ),
    );
    const loop = join(lab.dir, 'loopback.yaml');
    writeFileSync(loop, `topology: ${topology}\nendpoint:\n  host: 127.0.0.1\n`);
    const old = await lab.scaleTui(['-c', loop, 'doctor', '--kubeconfig', lab.mgmtKubeconfig]);
    expect(line(old.stdout)).toMatch(/\[fail\] workload endpoint .*inside their pods 127\.0\.0\.1 is the pod itself/i);
    expect(old.code).not.toBe(0);
  }, 60_000);

  it(`setup --attach, ${COUNT} clusters to ready, status, report, delete with nothing left`, async () => {
    const mgmt = ['--kubeconfig', lab.mgmtKubeconfig];
    ok(await lab.scaleTui([...common, 'setup', '--attach', ...mgmt], { timeoutMs: 180_000 }), 'setup --attach');
    for (const b of lab.backing) {
      ok(
        await lab.scaleTui(
          [...common, 'backing', 'add', b.name, '--kubeconfig', b.kubeconfig, '--etcd-via', 'exec', '--timeout', '120'],
          { timeoutMs: 180_000 },
        ),
        `backing add ${b.name}`,
      );
    }

    const created = await lab.scaleTui([...common, 'create', '--count', String(COUNT), '--quiet', ...mgmt], {
      timeoutMs: 420_000,
    });
    ok(created, 'create');
    expect(created.stdout).toMatch(new RegExp(`${COUNT} of ${COUNT} ready, 0 failed`));

    // CAPI dials the host's address on the kind network, never its own loopback.
    const endpoints = lab.kubectl([
      'get',
      'clusters.cluster.x-k8s.io',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.spec.controlPlaneEndpoint.host}{"\\n"}{end}',
    ]);
    ok(endpoints, 'kubectl get clusters');
    const hosts = new Set(endpoints.stdout.split('\n').filter(Boolean));
    expect([...hosts]).toEqual([lab.net.kindGateway]);
    if (topology === 'farm') await farmReachedFromNode(lab, common, basePort);

    const status = await lab.scaleTui([...common, 'status', '--json', ...mgmt]);
    ok(status, 'status');
    const st = JSON.parse(status.stdout) as { clusters: Array<{ phase: string }> };
    expect(st.clusters.filter((c) => c.phase === 'ready')).toHaveLength(COUNT);
    ok(await lab.scaleTui([...common, 'report']), 'report');

    if (topology === 'backing') {
      // Both ways to reach a backing etcd: exec (the kubelet's pods/exec) and port-forward (the
      // default: kubectl port-forward through the backing API server to the etcd pod's IP).
      for (const via of ['exec', 'port-forward']) {
        const list = await lab.scaleTui([...common, 'backing', 'list', '--etcd-via', via]);
        ok(list, `backing list --etcd-via ${via}`);
        const tenants = [...list.stdout.matchAll(/tenants (\d+)\//g)].map((m) => Number(m[1]));
        expect({ via, tenants: tenants.reduce((a, b) => a + b, 0), out: list.stdout }).toMatchObject({
          tenants: COUNT,
        });
      }
    }

    ok(await lab.scaleTui([...common, 'delete', '--all', '--yes', ...mgmt], { timeoutMs: 300_000 }), 'delete');

    // Nothing left: objects, namespaces, etcd tenants, forwarders, processes.
    const left = lab.kubectl([
      'get',
      'namespaces,clusters.cluster.x-k8s.io,baremetalhosts.metal3.io',
      '-A',
      '-l',
      'app.kubernetes.io/managed-by=scale-tui',
      '-o',
      'name',
    ]);
    ok(left, 'kubectl get leftovers');
    // etcd-system is setup's (the management etcd for dedicated, shared, sharded), not a run's.
    expect(left.stdout.split('\n').filter((l) => l && l !== 'namespace/etcd-system')).toEqual([]);
    if (topology === 'farm') {
      // The farm keeps no cluster: its state dir (what a restart restores) is empty. The
      // farm topology writes no etcd tenant, and setup installs no management etcd for it.
      expect(readdirSync(join(lab.dir, 'state', 'farm', 'clusters'))).toEqual([]);
    } else if (topology !== 'backing') {
      // The management etcd keeps no tenant (user, role) and no key under a tenant prefix.
      const etcdctl = (args: string[]) =>
        lab.kubectl([
          'exec',
          '-n',
          ETCD.namespace,
          ETCD.pod,
          '-c',
          ETCD.container,
          '--',
          'etcdctl',
          '--endpoints=https://127.0.0.1:2379',
          `--cacert=${ETCD_POD_PATHS.ca}`,
          `--cert=${ETCD_POD_PATHS.rootClientCert}`,
          `--key=${ETCD_POD_PATHS.rootClientKey}`,
          ...args,
        ]);
      const roles = etcdctl(['role', 'list']);
      ok(roles, 'etcdctl role list');
      expect(roles.stdout.split('\n').filter(Boolean)).toEqual(['root']);
      const users = etcdctl(['user', 'list']);
      expect(users.stdout.split('\n').filter(Boolean)).toEqual(['root']);
      const keys = etcdctl(['get', '/', '--prefix', '--keys-only']);
      ok(keys, 'etcdctl get');
      expect(keys.stdout.split('\n').filter(Boolean)).toEqual([]);
    }
    for (const b of lab.backing) {
      const bl = lab.kubectl(
        ['get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=scale-tui', '-o', 'name'],
        b.kubeconfig,
      );
      ok(bl, `kubectl get namespaces on ${b.name}`);
      // etcd-system is the backing cluster's own, labelled by `backing add`; workload namespaces are gone.
      expect(bl.stdout.split('\n').filter((l) => l && l !== 'namespace/etcd-system')).toEqual([]);
    }
    const after = await lab.scaleTui([...common, 'status', ...mgmt]);
    ok(after, 'status after delete');
    expect(after.stdout).toMatch(/left on API servers: nothing/);
    if (topology === 'backing') {
      const list = await lab.scaleTui([...common, 'backing', 'list', '--etcd-via', 'exec']);
      expect([...list.stdout.matchAll(/tenants (\d+)\//g)].map((m) => Number(m[1]))).toEqual([0, 0]);
    }
    // The host runs nothing of ours but kind's proxy: create's forwarders ended with it.
    expect(listening(lab.net.host).filter((p) => p >= basePort && p <= basePort + COUNT + 1)).toEqual([]);
    const proxy = lab.processes.find((p) => p.name === 'docker-proxy')!;
    expect(pidsIn(lab.net.host)).toEqual([proxy.child.pid]);
    // Every lab process is still up: nothing crashed along the way.
    for (const p of lab.processes)
      expect({ name: p.name, exit: p.child.exitCode }).toEqual({ name: p.name, exit: null });
  }, 900_000);
});
