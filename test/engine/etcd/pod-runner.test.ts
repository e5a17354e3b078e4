import { afterEach, describe, expect, it } from 'vitest';
import { installFakeBin, type FakeBin } from '../../support/fake-bin/index.js';
import { EtcdctlAdmin, podEtcdctl, parseDbSize } from '../../../src/engine/etcd/etcdctl.js';
import { ETCD } from '../../../src/engine/backing/etcd-objects.js';

let fake: FakeBin | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

describe('etcdctl inside the etcd pod via kubectl exec', () => {
  it('runs etcdctl in etcd-0 as root by the mounted root client certificate, tenant commands in order', async () => {
    fake = installFakeBin(['kubectl'], {
      kubectl: [{ match: 'user add', stderr: 'Error: etcdserver: user name already exists\n', exit: 1 }],
    });
    const pw = 'p'.repeat(32);
    const target = { kubeconfig: '/k', context: 'kind-b1' };
    const run = podEtcdctl({ target, namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container });
    const admin = new EtcdctlAdmin(run, pw);
    await admin.ensureTenant('test-7'); // "already exists" is success: re-runs are idempotent
    const calls = fake.calls('kubectl');
    expect(calls[0]!.argv.slice(0, 12)).toEqual([
      '--kubeconfig=/k',
      '--context=kind-b1',
      'exec',
      '-n',
      'etcd-system',
      'etcd-0',
      '-c',
      'etcd',
      '--',
      'etcdctl',
      '--endpoints=https://127.0.0.1:2379',
      `--cacert=${ETCD.mount.ca}`,
    ]);
    expect(calls.map((c) => c.argv.slice(14).join(' '))).toEqual([
      'user add test-7 --no-password',
      'role add test-7',
      'role grant-permission test-7 --prefix=true readwrite /test-7/',
      'user grant-role test-7 test-7',
    ]);
    expect(calls[0]!.argv.slice(12, 14)).toEqual([`--cert=${ETCD.mount.rootCert}`, `--key=${ETCD.mount.rootKey}`]);
    // Root is the certificate's CN: no --user, and the password is nowhere in argv or stdin.
    for (const c of calls) {
      expect(c.argv.join(' ')).not.toContain(pw);
      expect(c.argv.some((a) => a.startsWith('--user') || a.startsWith('--password'))).toBe(false);
      expect(c.argv).not.toContain('-i');
      expect(c.stdin).toBe('');
    }
  });

  it('ensureRoot sends the root password on stdin through kubectl exec -i, never as an argument', async () => {
    fake = installFakeBin(['kubectl'], { kubectl: [{ stdout: 'ok\n' }] });
    const pw = 'Q'.repeat(16) + 'w'.repeat(16);
    const pod = { namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container };
    const run = podEtcdctl({ target: { kubeconfig: '/k' }, ...pod });
    const admin = new EtcdctlAdmin(run, pw);
    await admin.ensureRoot();
    const calls = fake.calls('kubectl');
    expect(calls.map((c) => c.argv.slice(c.argv.indexOf(`--key=${ETCD.mount.rootKey}`) + 1).join(' '))).toEqual([
      'role add root',
      'user add root --interactive=false',
      'user grant-role root root',
      'auth enable',
    ]);
    const add = calls[1]!;
    expect(add.argv.slice(0, 3)).toEqual(['--kubeconfig=/k', 'exec', '-i']);
    expect(add.stdin).toBe(`${pw}\n`);
    for (const c of calls) expect(c.argv.join(' ')).not.toContain(pw);
  });

  it('rejects a root password etcdctl would cut short on stdin', () => {
    const run = podEtcdctl({ target: {}, namespace: 'etcd-system', pod: 'etcd-0' });
    expect(() => new EtcdctlAdmin(run, 'sixteen-chars-ok but-blank')).toThrow(/blank/);
  });

  it('a real failure is a UserError that hides the password', async () => {
    const pw = 's'.repeat(32);
    fake = installFakeBin(['kubectl'], {
      kubectl: [{ stderr: 'Error from server (NotFound): pods "etcd-0" not found\n', exit: 1 }],
    });
    const files = { caFile: 'a', certFile: 'b', keyFile: 'c' };
    const run = podEtcdctl({ target: {}, namespace: 'etcd-system', pod: 'etcd-0', ...files });
    const admin = new EtcdctlAdmin(run, pw);
    const err = (await admin.status().then(
      () => new Error('resolved'),
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/pods "etcd-0" not found/);
    expect(err.message).not.toContain(pw);
    expect(() => parseDbSize('nope')).toThrow(/unreadable/);
    expect(parseDbSize('[{"Endpoint":"x","Status":{"dbSize":24576}}]')).toBe(24576);
  });
});
