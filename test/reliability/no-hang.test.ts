// Issue 14, "Silent hangs": the real binary against a management cluster it cannot use must
// say why and exit, not print nothing forever. Each of create, delete and status, against a
// closed port, an API server without the CAPI CRDs, one whose RBAC forbids the lists the
// engine starts with (403), and one that rejects the credentials (401): one `error:` line,
// one `fix:` line naming what to do, non-zero exit, no stack trace, well within 15 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';

// A functional bound, not a benchmark: the commands take ~1-5 s here (most of it tsx start-up).
const BOUND_MS = 15_000;

const COMMANDS: Array<{ name: string; args: string[] }> = [
  { name: 'create', args: ['create', '--count', '1'] },
  { name: 'delete', args: ['delete', '--all', '--yes'] },
  { name: 'status', args: ['status'] },
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let dir: string;
const servers: ApiServerHandle[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'no-hang-'));
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function run(args: string[], kubeconfig: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const argv = ['bin/scale-tui.js', ...args, '--kubeconfig', kubeconfig, '--state-dir', join(dir, 'state')];
    const child = spawn(process.execPath, argv, { env: { ...process.env, SCALE_TUI_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // The bug under test is a hang: kill well past the bound so the assertion, not the
    // test timeout, reports it (with what was printed).
    const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS + 10_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function expectOneErrorAndFix(r: Run, error: RegExp, fix: RegExp): void {
  const where = `exit ${r.code} after ${r.ms} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.ms, where).toBeLessThan(BOUND_MS);
  expect(r.code, where).not.toBe(0);
  expect(r.code, where).not.toBeNull();
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(
    lines.filter((l) => l.startsWith('error: ')),
    where,
  ).toHaveLength(1);
  expect(
    lines.filter((l) => l.startsWith('fix: ')),
    where,
  ).toHaveLength(1);
  expect(lines, where).toHaveLength(2);
  expect(r.stderr, where).not.toMatch(/^\s+at /m);
  expect(r.stderr, where).not.toMatch(/unexpected|SCALE_TUI_DEBUG/);
  expect(
    lines.find((l) => l.startsWith('error: ')),
    where,
  ).toMatch(error);
  expect(
    lines.find((l) => l.startsWith('fix: ')),
    where,
  ).toMatch(fix);
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function kubeconfigFile(name: string, yaml: string): string {
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

async function apiServer(opts: Parameters<typeof startApiServer>[0] = {}): Promise<ApiServerHandle> {
  const s = await startApiServer(opts);
  servers.push(s);
  return s;
}

describe('no silent hang when the management cluster is unusable (real binary)', () => {
  it.each(COMMANDS)(
    '$name: a closed port on 127.0.0.1',
    async ({ args }) => {
      const port = await closedPort();
      const kc = kubeconfigFile(
        'closed',
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]`,
          'users: [{name: admin, user: {token: t}}]',
          'contexts: [{name: closed, context: {cluster: c, user: admin}}]',
          'current-context: closed',
        ].join('\n'),
      );
      const r = await run(args, kc);
      expectOneErrorAndFix(
        r,
        new RegExp(`cannot reach the management cluster at https://127\\.0\\.0\\.1:${port}: connection refused \\(GET`),
        /Is the management cluster running\? Check --kubeconfig\/--context \(now .*closed\.kubeconfig, context closed\)/,
      );
    },
    40_000,
  );

  it.each(COMMANDS)(
    '$name: an API server without the CAPI CRDs',
    async ({ args }) => {
      const api = await apiServer({ builtinCrds: false });
      const r = await run(args, kubeconfigFile('nocrds', api.kubeconfigYaml));
      const error = /does not serve clusters\.cluster\.x-k8s\.io .*: the CAPI CRDs are missing$/;
      expectOneErrorAndFix(r, error, /^fix: Run `scale-tui setup`/);
    },
    40_000,
  );

  it.each(COMMANDS)(
    '$name: RBAC forbids listing Clusters and Namespaces (403)',
    async ({ args }) => {
      const api = await apiServer();
      // What the engine lists first: Clusters (create, delete) and labelled Namespaces (status).
      const paths = /^\/apis\/cluster\.x-k8s\.io\/v1beta2\/clusters$|^\/api\/v1\/namespaces$/;
      api.faults.set({ errorRate: 1, statuses: [403], paths });
      const r = await run(args, kubeconfigFile('forbidden', api.kubeconfigYaml));
      expectOneErrorAndFix(
        r,
        /user "[^"]+" may not list (clusters\.cluster\.x-k8s\.io|namespaces) on the management cluster .* \(403/,
        /Use an identity allowed to list .*forbidden\.kubeconfig.*kubectl auth can-i list/,
      );
    },
    40_000,
  );

  it.each(COMMANDS)(
    '$name: credentials rejected (401)',
    async ({ args }) => {
      const api = await apiServer();
      const yaml = api.kubeconfigYaml.replace(api.adminToken, 'not-the-admin-token');
      const r = await run(args, kubeconfigFile('badtoken', yaml));
      expectOneErrorAndFix(
        r,
        /management cluster at https:\/\/127\.0\.0\.1:\d+ rejected the credentials of kubeconfig user "[^"]+" \(401/,
        /Refresh the credentials in .*badtoken\.kubeconfig/,
      );
    },
    40_000,
  );
});
