import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { installFakeBin, type FakeBin } from '../../support/fake-bin/index.js';
import { createRemoteBacking } from '../../../src/engine/backing/create-remote.js';
import { backingKindConfig, mgmtKindConfig } from '../../../src/engine/setup/kind-config.js';
import { UserError } from '../../../src/core/errors.js';

const KIND_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Zm9v
    server: https://127.0.0.1:6443
  name: kind-b1
contexts:
- context: {cluster: kind-b1, user: kind-b1}
  name: kind-b1
current-context: kind-b1
users:
- name: kind-b1
  user: {client-certificate-data: Zm9v, client-key-data: Zm9v}
`;

let fake: FakeBin | undefined;
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'scale-tui-remote-'));
});
afterEach(() => {
  fake?.restore();
  fake = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

function sshRules(extra: Array<{ match: string; stdout?: string; stderr?: string; exit?: number }> = []) {
  return {
    ssh: [
      ...extra,
      { match: 'docker version', stdout: '27.3.1\n' },
      { match: 'kind version', stdout: 'kind v0.30.0\n' },
      { match: 'max_user_watches /proc', stdout: '1048576\n8192\n' },
      { match: 'kind get clusters', stdout: '' },
      { match: 'kind create cluster', stdout: '' },
      { match: 'kind get kubeconfig', stdout: KIND_KUBECONFIG },
    ],
  };
}

describe('backing create over ssh (fake ssh on PATH)', () => {
  it('runs the command sequence, sends the generated kind config and stores the rewritten kubeconfig', async () => {
    fake = installFakeBin(['ssh'], sshRules());
    // A kubeconfig from an earlier run, world-readable: the new one must end 0600 all the same.
    mkdirSync(join(stateDir, 'backing'), { recursive: true });
    writeFileSync(join(stateDir, 'backing', 'b1.kubeconfig'), 'stale\n');
    chmodSync(join(stateDir, 'backing', 'b1.kubeconfig'), 0o644);
    const res = await createRemoteBacking({
      name: 'b1',
      target: { user: 'ubuntu', host: '10.0.0.5' },
      capacity: 3,
      stateDir,
    });
    const cmds = fake.calls('ssh').map((c) => c.argv[c.argv.length - 1]);
    expect(cmds).toEqual([
      "docker version --format '{{.Server.Version}}'",
      'kind version',
      'cat /proc/sys/fs/inotify/max_user_watches /proc/sys/fs/inotify/max_user_instances',
      'kind get clusters',
      "kind create cluster --name 'b1' --config - --wait 300s",
      "kind get kubeconfig --name 'b1'",
    ]);
    for (const c of fake.calls('ssh'))
      expect(c.argv.slice(0, 5)).toEqual(['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', 'ubuntu@10.0.0.5']);
    const sentConfig = parse(fake.calls('ssh')[4]!.stdin) as {
      networking: { apiServerAddress: string };
      nodes: Array<{ extraPortMappings: Array<{ hostPort: number }> }>;
    };
    expect(sentConfig.networking.apiServerAddress).toBe('10.0.0.5');
    expect(sentConfig.nodes[0]!.extraPortMappings.map((m) => m.hostPort)).toEqual([30000, 30001, 30002]);
    expect(res.created).toBe(true);
    const kc = parse(readFileSync(res.kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    expect(kc.clusters[0]!.cluster.server).toBe('https://10.0.0.5:6443');
    expect(statSync(res.kubeconfigPath).mode & 0o777).toBe(0o600);
  });

  it('re-running reuses an existing kind cluster; low inotify limits are raised or warned about', async () => {
    fake = installFakeBin(
      ['ssh'],
      sshRules([
        { match: 'kind get clusters', stdout: 'b1\n' },
        { match: 'max_user_watches /proc', stdout: '8192\n128\n' },
        { match: 'sudo -n sysctl', stderr: 'sudo: a password is required\n', exit: 1 },
      ]),
    );
    const res = await createRemoteBacking({
      name: 'b1',
      target: { user: 'ubuntu', host: '10.0.0.5' },
      capacity: 3,
      stateDir,
    });
    expect(res.created).toBe(false);
    expect(fake.calls('ssh').some((c) => c.argv.join(' ').includes('kind create'))).toBe(false);
    expect(res.warnings[0]).toMatch(/inotify limits on 10\.0\.0\.5 are low \(8192\/128\)/);
  });

  it('an unreachable host and a host without docker are UserErrors that say what to do', async () => {
    fake = installFakeBin(['ssh'], {
      ssh: [{ stderr: 'ssh: connect to host 10.0.0.9 port 22: Connection refused\n', exit: 255 }],
    });
    const e1 = await createRemoteBacking({
      name: 'b1',
      target: { user: 'u', host: '10.0.0.9' },
      capacity: 1,
      stateDir,
    }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(UserError);
    expect((e1 as UserError).message).toMatch(/cannot ssh to u@10\.0\.0\.9: .*Connection refused/);
    fake.setRules({ ssh: [{ match: 'docker', stderr: 'bash: docker: command not found\n', exit: 127 }] });
    const e2 = await createRemoteBacking({
      name: 'b1',
      target: { user: 'u', host: '10.0.0.9' },
      capacity: 1,
      stateDir,
    }).catch((e: unknown) => e);
    expect((e2 as UserError).message).toMatch(/docker is not usable on u@10\.0\.0\.9/);
    expect((e2 as UserError).hint).toMatch(/install docker-ce/);
  });
});

describe('kind configs', () => {
  it('management: N control-plane nodes', () => {
    const c = parse(mgmtKindConfig({ name: 'kind', nodes: 3 })) as { name: string; nodes: Array<{ role: string }> };
    expect(c.name).toBe('kind');
    expect(c.nodes.map((n) => n.role)).toEqual(['control-plane', 'control-plane', 'control-plane']);
  });
  it('backing: refuses NodePort slots outside the NodePort range', () => {
    expect(() => backingKindConfig({ name: 'b', apiServerAddress: '10.0.0.5', capacity: 3000 })).toThrow(
      /outside 30000..32767/,
    );
  });
});
