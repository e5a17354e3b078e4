import { afterEach, describe, expect, it } from 'vitest';
import { installFakeBin, type FakeBin } from '../../support/fake-bin/index.js';
import { parseForwardingLine, startPortForward } from '../../../src/engine/kube/port-forward.js';
import { execArgs, kubectlExec } from '../../../src/engine/kube/exec.js';
import { UserError } from '../../../src/core/errors.js';

let fake: FakeBin | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

describe('kubectl port-forward / exec adapters', () => {
  it('parses the local port kubectl reports and stops the process', async () => {
    expect(parseForwardingLine('Forwarding from 127.0.0.1:43121 -> 2379\nForwarding from [::1]:43121 -> 2379\n')).toBe(
      43121,
    );
    fake = installFakeBin(['kubectl'], {
      kubectl: [{ match: 'port-forward', stdout: 'Forwarding from 127.0.0.1:40001 -> 2379\n', sleepMs: 30_000 }],
    });
    const pf = await startPortForward({
      kubeconfig: '/k',
      namespace: 'etcd-system',
      resource: 'pod/etcd-0',
      remotePort: 2379,
    });
    expect(pf.localPort).toBe(40001);
    await pf.stop();
    expect(fake.calls('kubectl')[0]!.argv).toEqual([
      '--kubeconfig=/k',
      'port-forward',
      '-n',
      'etcd-system',
      '--address',
      '127.0.0.1',
      'pod/etcd-0',
      ':2379',
    ]);
  });

  it("a port-forward that exits reports kubectl's error", async () => {
    fake = installFakeBin(['kubectl'], {
      kubectl: [
        {
          match: 'port-forward',
          stderr: 'error: unable to forward port because pod is not running. Current status=Pending\n',
          exit: 1,
        },
      ],
    });
    const err = await startPortForward({ namespace: 'etcd-system', resource: 'pod/etcd-0', remotePort: 2379 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/pod is not running/);
  });

  it('exec builds the kubectl argv and returns non-zero results', async () => {
    expect(
      execArgs({ context: 'c', namespace: 'n', pod: 'p', container: 'etcd' }, ['etcdctl', 'role', 'list']),
    ).toEqual(['--context=c', 'exec', '-n', 'n', 'p', '-c', 'etcd', '--', 'etcdctl', 'role', 'list']);
    fake = installFakeBin(['kubectl'], {
      kubectl: [{ stderr: 'Error from server (NotFound): pods "p" not found\n', exit: 1 }],
    });
    const r = await kubectlExec({ namespace: 'n', pod: 'p' }, ['true']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/not found/);
  });
});
