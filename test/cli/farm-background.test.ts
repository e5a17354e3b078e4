// The real binary with `topology: farm`: the clusters `create` made stay reachable after it
// exits, because their API is served by a background `scale-tui farm serve` the engine
// started (not by the `create` process). Each cluster answers `GET /` on its own port with a
// certificate its `<cluster>-ca` trusts, to the client certificate in CAPI's
// `<cluster>-kubeconfig`; `status` shows the farm; `farm stop` stops it (the clusters go
// dark); `delete --all` starts it again from its state, deletes through it and stops it,
// leaving no farm process and no listener. The
// background farm's files are private and its command line holds no secret.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { stopBackgroundFarm } from '../../src/engine/topology/farm-process.js';
import { startWorld, type World } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

const root = resolve(import.meta.dirname, '..', '..');
let world: World;
let dir: string;
let farmDir: string;
let base: string[];
let mgmt: KubeClient;

beforeAll(async () => {
  world = await startWorld();
  mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
  dir = mkdtempSync(join(tmpdir(), 'cli-farm-bg-'));
  farmDir = join(dir, 'state', 'farm');
  const kubeconfig = join(dir, 'mgmt.kubeconfig');
  writeFileSync(kubeconfig, world.management.kubeconfigYaml, { mode: 0o600 });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'topology: farm',
      'naming:\n  prefix: clifarm',
      'batch:\n  size: 10\n  concurrency: 4',
      `endpoint:\n  mode: port-forward\n  host: 127.0.0.1\n  basePort: ${await freePortBlock(8)}`,
      `farm:\n  basePort: ${await freePortBlock(8)}\n  capacity: 4`,
      '',
    ].join('\n'),
  );
  base = ['bin/scale-tui.js', '-c', config, '--kubeconfig', kubeconfig, '--state-dir', join(dir, 'state')];
}, 90_000);

afterAll(async () => {
  // A failed run must not leave a farm behind (it is detached from this test process).
  if (farmDir) await stopBackgroundFarm(farmDir).catch(() => undefined);
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** The CLI with the session flags (config, kubeconfig, state dir) unless `raw`. */
function cli(args: string[], raw = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const [entry, ...rest] = base;
    const child = spawn(process.execPath, [entry!, ...args, ...(raw ? [] : rest)], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Whether the process runs: an exited farm whose parent (here, init) never reaps it is a zombie, not alive. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Pids of any `farm serve` process for this test's state dir (from /proc). */
function farmProcesses(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv.includes(farmDir)) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** true when nothing accepts a TCP connection on the port. */
function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port, timeout: 3000 }, () => {
      s.destroy();
      done(false);
    });
    s.once('error', () => done(true));
    s.once('timeout', () => {
      s.destroy();
      done(true);
    });
  });
}

interface Reached {
  status: number;
  body: string;
}

/** `GET /` with the client certificate of CAPI's `<cluster>-kubeconfig`, trusting only `<cluster>-ca`. */
async function probe(cluster: string): Promise<{ port: number; reached: Reached }> {
  const secret = async (name: string, key: string): Promise<string> => {
    const s = await mgmt.get('v1', 'Secret', name, cluster);
    const v = (s?.data as Record<string, string> | undefined)?.[key];
    expect(v, `${cluster}: Secret ${name} ${key}`).toBeTypeOf('string');
    return Buffer.from(v ?? '', 'base64').toString('utf8');
  };
  const ca = await secret(`${cluster}-ca`, 'tls.crt');
  const kc = parse(await secret(`${cluster}-kubeconfig`, 'value')) as {
    clusters: Array<{ cluster: { server: string } }>;
    users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
  };
  const server = new URL(kc.clusters[0]!.cluster.server);
  const user = kc.users[0]!.user;
  const reached = await new Promise<Reached>((done, fail) => {
    const req = request(
      {
        host: server.hostname,
        port: Number(server.port),
        path: '/',
        ca,
        cert: Buffer.from(user['client-certificate-data'], 'base64'),
        key: Buffer.from(user['client-key-data'], 'base64'),
        rejectUnauthorized: true,
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${cluster}: no answer from ${server.host}`)));
    req.once('error', fail);
    req.end();
  });
  return { port: Number(server.port), reached };
}

describe('scale-tui create with topology farm', () => {
  it('the clusters stay reachable after create exits; status shows the farm; farm stop, then delete --all leaves nothing', async () => {
    const created = await cli(['create', '--count', '2', '--quiet']);
    const farmLog = (): string =>
      existsSync(join(farmDir, 'serve.log')) ? readFileSync(join(farmDir, 'serve.log'), 'utf8') : '';
    expect(created, `${created.stdout}\n${created.stderr}\nfarm log:\n${farmLog()}`).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/2 of 2 ready, 0 failed/);
    expect(created.stderr).toMatch(/background farm \(pid \d+\) keeps serving/);

    // The create process has exited; the farm that serves the clusters is another process.
    const lock = JSON.parse(readFileSync(join(farmDir, 'serve.lock'), 'utf8')) as { pid: number; background: boolean };
    expect(lock.background).toBe(true);
    expect(alive(lock.pid)).toBe(true);
    for (const f of ['serve.lock', 'serve.log', 'control.json', 'control-token'])
      expect({ f, mode: statSync(join(farmDir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    const argv = readFileSync(`/proc/${lock.pid}/cmdline`, 'utf8');
    const token = readFileSync(join(farmDir, 'control-token'), 'utf8').trim();
    expect(argv).toContain('serve');
    expect(argv).not.toContain(token);
    expect(argv).not.toMatch(/PRIVATE KEY|BEGIN/);

    const names = (await mgmt.list('cluster.x-k8s.io/v1beta2', 'Cluster'))
      .map((c) => c.metadata.name)
      .filter((n) => n.startsWith('clifarm-'))
      .sort();
    expect(names).toHaveLength(2);
    const ports: number[] = [];
    for (const name of names) {
      const { port, reached } = await probe(name);
      expect({ name, status: reached.status }).toEqual({ name, status: 200 });
      expect(JSON.parse(reached.body)).toHaveProperty('paths');
      ports.push(port);
    }
    expect(new Set(ports).size).toBe(2);

    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).farm).toMatchObject({ pid: lock.pid, background: true, clusters: 2 });

    const control = JSON.parse(readFileSync(join(farmDir, 'control.json'), 'utf8')) as { url: string };
    const controlPort = Number(new URL(control.url).port);

    // `farm stop` stops it, and the clusters go dark: it was that process serving them.
    const stop = await cli(['farm', 'stop', '--state-dir', farmDir], true);
    expect(stop, stop.stderr).toMatchObject({ code: 0 });
    expect(stop.stdout).toContain(`background farm (pid ${lock.pid}) stopped`);
    expect(alive(lock.pid)).toBe(false);
    expect({ refused: await refused(ports[0]!) }).toEqual({ refused: true });
    const noFarm = await cli(['status', '--json']);
    expect(JSON.parse(noFarm.stdout).farm).toBeUndefined();

    // delete --all: its engine starts the farm again from the saved state, deletes both
    // clusters through it, then stops it. Nothing is left: no farm process, no listener.
    const del = await cli(['delete', '--all', '--yes']);
    expect(del, del.stderr).toMatchObject({ code: 0 });
    expect(readFileSync(join(farmDir, 'serve.log'), 'utf8')).toMatch(/farm: 2 clusters restored/);
    expect(existsSync(join(farmDir, 'serve.lock'))).toBe(false);
    expect(farmProcesses()).toEqual([]);
    for (const port of [...ports, controlPort])
      expect({ port, refused: await refused(port) }).toEqual({ port, refused: true });
  }, 240_000);
});
