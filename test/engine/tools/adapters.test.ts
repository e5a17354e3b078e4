import { afterEach, describe, expect, it } from 'vitest';
import { installFakeBin, type FakeBin } from '../../support/fake-bin/index.js';
import { runTool, probeTool } from '../../../src/engine/tools/run.js';
import { kindClusters, kindCreateCluster, kindVersion } from '../../../src/engine/tools/kind.js';
import { clusterctlInit } from '../../../src/engine/tools/clusterctl.js';
import { kubectl, kubectlClientVersion } from '../../../src/engine/tools/kubectl.js';
import { dockerInfo } from '../../../src/engine/tools/docker.js';
import { parseSshTarget, ssh } from '../../../src/engine/tools/ssh.js';
import { UserError } from '../../../src/core/errors.js';

let fake: FakeBin | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

describe('tool adapters against fake executables', () => {
  it('kind: parses version and cluster list, feeds the config on stdin', async () => {
    fake = installFakeBin(['kind'], {
      kind: [
        { match: '^version', stdout: 'kind v0.30.0 go1.24.6 linux/amd64\n' },
        { match: '^get clusters', stdout: 'kind\nbacking-1\n' },
        { match: '^create cluster', stdout: '' },
      ],
    });
    expect(await kindVersion()).toBe('v0.30.0');
    expect(await kindClusters()).toEqual(['kind', 'backing-1']);
    await kindCreateCluster('kind', 'kind: Cluster\n', 120);
    const create = fake.calls('kind').find((c) => c.argv[0] === 'create')!;
    expect(create.argv).toEqual(['create', 'cluster', '--name', 'kind', '--config', '-', '--wait', '120s']);
    expect(create.stdin).toBe('kind: Cluster\n');
  });

  it('clusterctl init pins every provider version', async () => {
    fake = installFakeBin(['clusterctl']);
    await clusterctlInit(
      { capi: 'v1.14.0', capm3: 'v1.13.2', ipam: 'v1.13.2' },
      { kubeconfig: '/tmp/kc', context: 'kind-kind' },
    );
    const [call] = fake.calls('clusterctl');
    expect(call!.argv).toContain('--infrastructure=metal3:v1.13.2');
    expect(call!.argv).toContain('--core=cluster-api:v1.14.0');
    expect(call!.argv).toContain('--ipam=metal3:v1.13.2');
    expect(call!.argv).toContain('--kubeconfig=/tmp/kc');
    expect(call!.argv).toContain('--kubeconfig-context=kind-kind');
  });

  it('surfaces stderr of a failing command in a UserError', async () => {
    fake = installFakeBin(['kubectl'], {
      kubectl: [
        {
          match: 'apply',
          stderr: 'Error from server (InternalError): failed calling webhook "x": connection refused\n',
          exit: 1,
        },
      ],
    });
    const err = await kubectl({ kubeconfig: '/k' }, ['apply', '-f', '-'], { input: 'a: b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/kubectl --kubeconfig=\/k apply -f - failed \(exit 1\)/);
    expect((err as UserError).message).toMatch(/failed calling webhook/);
    expect(fake.calls('kubectl')[0]!.stdin).toBe('a: b');
  });

  it('kubectl client version is parsed from JSON', async () => {
    fake = installFakeBin(['kubectl'], {
      kubectl: [{ stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.34.1' } }) }],
    });
    expect(await kubectlClientVersion()).toBe('v1.34.1');
  });

  it('docker: unreachable daemon is reported, not thrown', async () => {
    fake = installFakeBin(['docker'], {
      docker: [{ stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n', exit: 1 }],
    });
    const info = await dockerInfo();
    expect(info.reachable).toBe(false);
    expect(info.error).toMatch(/Cannot connect/);
  });

  it('a missing binary is a UserError with an install hint; probeTool reports found=false', async () => {
    fake = installFakeBin([], {}, { isolate: true });
    const err = await runTool('clusterctl', ['version']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/clusterctl is not installed/);
    expect((err as UserError).hint).toMatch(/clusterctl/);
    expect((await probeTool('kind', ['version'])).found).toBe(false);
  });

  it('ssh runs in batch mode against USER@HOST[:PORT]', async () => {
    fake = installFakeBin(['ssh'], { ssh: [{ stdout: 'ok\n' }] });
    const t = parseSshTarget('ubuntu@10.0.0.5:2222');
    expect(t).toEqual({ user: 'ubuntu', host: '10.0.0.5', port: 2222 });
    const r = await ssh(t, 'kind version');
    expect(r.stdout).toBe('ok\n');
    expect(fake.calls('ssh')[0]!.argv).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=15',
      '-p',
      '2222',
      'ubuntu@10.0.0.5',
      '--',
      'kind version',
    ]);
    expect(() => parseSshTarget('no-at-sign')).toThrow(UserError);
  });
});
