import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInotify, checkMemory, formatChecklist, runDoctor } from '../../../src/engine/setup/doctor.js';
import { installFakeBin, type FakeBin } from '../../support/fake-bin/index.js';

let proc: string;
function fakeProc(watches: number, instances: number, availKb: number): void {
  mkdirSync(join(proc, 'sys/fs/inotify'), { recursive: true });
  writeFileSync(join(proc, 'sys/fs/inotify/max_user_watches'), `${watches}\n`);
  writeFileSync(join(proc, 'sys/fs/inotify/max_user_instances'), `${instances}\n`);
  writeFileSync(
    join(proc, 'meminfo'),
    `MemTotal:       65000000 kB\nMemFree:         1000000 kB\nMemAvailable:   ${availKb} kB\n`,
  );
}
beforeAll(() => {
  proc = mkdtempSync(join(tmpdir(), 'scale-tui-proc-'));
});
afterAll(() => rmSync(proc, { recursive: true, force: true }));

let fake: FakeBin | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

describe('doctor checks', () => {
  it('inotify limits below what kind needs fail with the sysctl fix', async () => {
    fakeProc(8192, 128, 40_000_000);
    const r = await checkInotify(proc);
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/max_user_watches=8192/);
    expect(r.fix).toMatch(/sysctl fs.inotify.max_user_watches=1048576/);
    fakeProc(1_048_576, 8192, 40_000_000);
    expect((await checkInotify(proc)).status).toBe('ok');
  });

  it('memory: fail below the per-node need, warn below 16 GiB', async () => {
    fakeProc(1_048_576, 8192, 3 * 1024 * 1024);
    expect((await checkMemory(proc, 3)).status).toBe('fail');
    fakeProc(1_048_576, 8192, 12 * 1024 * 1024);
    expect((await checkMemory(proc, 3)).status).toBe('warn');
    fakeProc(1_048_576, 8192, 40 * 1024 * 1024);
    expect((await checkMemory(proc, 3)).status).toBe('ok');
  });

  it('all tools present and healthy: no failures; clusterctl minor mismatch is a warning', async () => {
    fakeProc(1_048_576, 8192, 40 * 1024 * 1024);
    fake = installFakeBin(
      ['docker', 'kind', 'kubectl', 'clusterctl'],
      {
        docker: [{ match: '--version', stdout: 'Docker version 27.3.1\n' }, { stdout: '27.3.1\n' }],
        kind: [{ stdout: 'kind v0.30.0 go1.24.6 linux/amd64\n' }],
        kubectl: [
          { match: '-o json', stdout: '{"clientVersion":{"gitVersion":"v1.34.1"}}' },
          { stdout: 'Client Version: v1.34.1\n' },
        ],
        clusterctl: [{ stdout: 'v1.13.4\n' }],
      },
      { isolate: true },
    );
    const results = await runDoctor({ capiVersion: 'v1.14.0', procRoot: proc });
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(by.docker!.status).toBe('ok');
    expect(by.kind!.detail).toBe('v0.30.0');
    expect(by.kubectl!.detail).toBe('v1.34.1');
    expect(by.clusterctl!.status).toBe('warn');
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    // clusterctl's minor mismatch and the missing etcdctl (not faked here) are the two warnings.
    expect(formatChecklist(results)).toMatch(/ready, with 2 warning/);
  });

  it('an unreachable kubeconfig fails when required', async () => {
    fakeProc(1_048_576, 8192, 40 * 1024 * 1024);
    const kc = join(proc, 'kubeconfig');
    writeFileSync(
      kc,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nusers:\n- name: u\n  user: {token: t}\n',
    );
    fake = installFakeBin(['docker', 'kind', 'kubectl', 'clusterctl'], {}, { isolate: true });
    const results = await runDoctor({
      capiVersion: 'v1.14.0',
      procRoot: proc,
      kube: { kubeconfigPath: kc, required: true },
    });
    const k = results.find((r) => r.name === 'kubeconfig')!;
    expect(k.status).toBe('fail');
    expect(k.detail).toMatch(/127\.0\.0\.1:1.*not reachable/);
  });
});
