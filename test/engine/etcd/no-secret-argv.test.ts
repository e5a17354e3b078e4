// The etcd root password must never be on a command line: any local user reads every
// process's argv (`ps`, /proc/PID/cmdline). The real admin paths run against a real etcd
// with PATH shims in front of etcdctl (and kubectl, standing in for `kubectl exec` into the
// etcd pod). Each shim records its own argv and /proc/self/cmdline and, while the real
// etcdctl runs, snapshots every process's command line; the password must be in none.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdctlAdmin, localEtcdctl, podEtcdctl, type EtcdctlRunner } from '../../../src/engine/etcd/etcdctl.js';
import { runTool } from '../../../src/engine/tools/run.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../../support/etcd-server.js';

const skip = requireEtcd();

// The background loop reads every /proc/*/cmdline until the real etcdctl exits; it runs
// as an asynchronous list, so it gets /dev/null as stdin and the password on stdin still
// reaches etcdctl, which runs in the foreground.
const ETCDCTL_SHIM = `#!/bin/sh
log="$SHIM_LOG_DIR/etcdctl.$$"
printf '%s\\0' "$@" > "$log.argv"
cat /proc/$$/cmdline > "$log.cmdline"
( while :; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; echo; done ) > "$log.ps" &
scan=$!
"$SHIM_REAL_ETCDCTL" "$@"
rc=$?
kill $scan 2>/dev/null
wait $scan 2>/dev/null
exit $rc
`;

// Stands in for \`kubectl exec ... -- etcdctl ...\`: runs the part after "--" here, against
// the test etcd instead of the pod's 127.0.0.1:2379.
const KUBECTL_SHIM = `#!/bin/sh
log="$SHIM_LOG_DIR/kubectl.$$"
printf '%s\\0' "$@" > "$log.argv"
cat /proc/$$/cmdline > "$log.cmdline"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift 2
for a do
  shift
  case "$a" in
    --endpoints=*) set -- "$@" "--endpoints=$SHIM_ETCD_ENDPOINT" ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec etcdctl "$@"
`;

const readText = (file: string) => readFileSync(file, 'latin1').replace(/\0/g, ' ');

interface Shims {
  dir: string;
  logs: string;
  /** Everything the shims recorded, by file name. */
  records(): Map<string, string>;
  restore(): void;
}

function installShims(endpoint: string): Shims {
  const real = spawnSync('sh', ['-c', 'command -v etcdctl'], { encoding: 'utf8' }).stdout.trim();
  if (!real) throw new Error('etcdctl not on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-argv-shim-'));
  const logs = join(dir, 'logs');
  spawnSync('mkdir', [logs]);
  for (const [name, text] of [
    ['etcdctl', ETCDCTL_SHIM],
    ['kubectl', KUBECTL_SHIM],
  ] as const) {
    writeFileSync(join(dir, name), text, { mode: 0o700 });
    chmodSync(join(dir, name), 0o700);
  }
  const set = {
    PATH: `${dir}:${process.env.PATH ?? ''}`,
    SHIM_LOG_DIR: logs,
    SHIM_REAL_ETCDCTL: real,
    SHIM_ETCD_ENDPOINT: endpoint,
  };
  const saved = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]));
  Object.assign(process.env, set);
  return {
    dir,
    logs,
    // argv and cmdline are NUL-separated: compare them as space-joined text.
    records: () => new Map(readdirSync(logs).map((f) => [f, readText(join(logs, f))])),
    restore() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the whole admin lifecycle and checks what every process showed while it ran. */
async function exercise(run: EtcdctlRunner, etcd: TestEtcd, password: string, shims: Shims, tool: string) {
  const admin = new EtcdctlAdmin(run, password);
  await admin.ensureRoot();
  await admin.ensureTenant('test-1');
  expect((await admin.status()).tenants).toEqual(['test-1']);
  await admin.deleteTenant('test-1');
  await admin.ensureRoot(); // a re-run sends the password again ("already exists")

  const records = shims.records();
  const calls = [...records.keys()].filter((f) => f.startsWith(`${tool}.`) && f.endsWith('.argv'));
  // ensureRoot (4), ensureTenant (4), status (2), deleteTenant (3), ensureRoot again (4).
  expect(calls.length).toBe(17);
  const userAdd = calls.map((f) => records.get(f)!).filter((a) => / user add root[ :]/.test(` ${a}`));
  expect(userAdd).toHaveLength(2);
  for (const [file, text] of records) expect(text.includes(password), `${file} shows the root password`).toBe(false);
  // The snapshots are a real observation: some of them caught etcdctl running with its TLS flags.
  const snaps = [...records].filter(([f]) => f.endsWith('.ps')).map(([, t]) => t);
  expect(snaps.some((t) => t.includes(`--endpoints=${etcd.endpoint}`) && t.includes('--cert='))).toBe(true);
}

/** Root's password works: a client whose certificate names no etcd user gets in with it, and only with it. */
async function passwordAuthenticates(etcd: TestEtcd, password: string) {
  const notAUser = etcd.clientFiles('etcd-server');
  const conn = { endpoints: [etcd.endpoint], caFile: etcd.caFile, ...notAUser };
  const ok = await localEtcdctl(conn, { user: 'root', password })(['role', 'list']);
  expect(ok.exitCode, ok.stderr).toBe(0);
  expect(ok.stdout.split('\n')).toContain('root');
  const bad = await localEtcdctl(conn, { user: 'root', password: `${password}x` })(['role', 'list']);
  expect(bad.exitCode).not.toBe(0);
  expect(bad.stderr).toMatch(/authentication failed/);
}

describe.skipIf(skip !== undefined)('the etcd root password is on no command line', () => {
  let etcd: TestEtcd | undefined;
  let shims: Shims | undefined;
  const password = randomBytes(24).toString('base64url');

  afterEach(async () => {
    shims?.restore();
    shims = undefined;
    await etcd?.stop();
    etcd = undefined;
  });

  it('local etcdctl as root by client certificate: ensureRoot and tenants', async () => {
    etcd = await startEtcd();
    shims = installShims(etcd.endpoint);
    const run = localEtcdctl({ endpoints: [etcd.endpoint], caFile: etcd.caFile, ...etcd.clientFiles('root') });
    await exercise(run, etcd, password, shims, 'etcdctl');
    shims.restore();
    shims = undefined;
    await passwordAuthenticates(etcd, password);
  });

  it('etcdctl in the etcd pod through kubectl exec -i, as root by the mounted root certificate', async () => {
    etcd = await startEtcd();
    shims = installShims(etcd.endpoint);
    const root = etcd.clientFiles('root');
    const pod = { namespace: 'etcd-system', pod: 'etcd-0', container: 'etcd' };
    const run = podEtcdctl({ target: {}, ...pod, caFile: etcd.caFile, ...root });
    await exercise(run, etcd, password, shims, 'kubectl');
    // Every kubectl call went through to a real etcdctl.
    const records = shims.records();
    expect([...records.keys()].filter((f) => f.startsWith('etcdctl.') && f.endsWith('.argv'))).toHaveLength(17);
    shims.restore();
    shims = undefined;
    await passwordAuthenticates(etcd, password);
  });

  it('a client with only the password passes it in the environment, not in argv', async () => {
    etcd = await startEtcd();
    const rootRun = localEtcdctl({ endpoints: [etcd.endpoint], caFile: etcd.caFile, ...etcd.clientFiles('root') });
    await new EtcdctlAdmin(rootRun, password).ensureRoot();
    shims = installShims(etcd.endpoint);
    const notAUser = etcd.clientFiles('etcd-server');
    const conn = { endpoints: [etcd.endpoint], caFile: etcd.caFile, ...notAUser };
    const r = await localEtcdctl(conn, { user: 'root', password })(['user', 'list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('root');
    const records = shims.records();
    expect([...records.keys()].some((f) => f.endsWith('.argv'))).toBe(true);
    for (const [file, text] of records) expect(text.includes(password), `${file} shows the root password`).toBe(false);
  });
});

describe.skipIf(skip !== undefined)('etcdctl reads a new user password from stdin', () => {
  let etcd: TestEtcd;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('user add NAME --interactive=false takes the password from stdin (what ensureRoot relies on)', async () => {
    const root = etcd.clientFiles('root');
    const tls = [`--endpoints=${etcd.endpoint}`, `--cacert=${etcd.caFile}`, `--cert=${root.certFile}`];
    const run = (args: string[], input?: string) =>
      runTool('etcdctl', [...tls, `--key=${root.keyFile}`, ...args], { input, allowFailure: true });
    const pw = randomBytes(18).toString('base64url');
    const steps: Array<[string[], string?]> = [
      [['role', 'add', 'root']],
      [['user', 'add', 'root', '--interactive=false'], `${pw}\n`],
      [['user', 'grant-role', 'root', 'root']],
      [['auth', 'enable']],
    ];
    for (const [args, input] of steps) {
      const r = await run(args, input);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    // etcd only checks passwords once auth is on: now pw, and nothing else, is root's.
    await passwordAuthenticates(etcd, pw);
  });
});
