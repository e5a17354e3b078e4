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
  it('runs etcdctl in etcd-0 with the mounted certs and the root password, tenant commands in order', async () => {
    fake = installFakeBin(['kubectl'], { kubectl: [{ match: 'user add', stderr: 'Error: etcdserver: user name already exists\n', exit: 1 }] });
    const pw = 'p'.repeat(32);
    const admin = new EtcdctlAdmin(podEtcdctl({ target: { kubeconfig: '/k', context: 'kind-b1' }, namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container, caFile: ETCD.mount.ca, certFile: ETCD.mount.cert, keyFile: ETCD.mount.key, rootPassword: pw }), pw);
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
    expect(calls.map((c) => c.argv.slice(15).join(' '))).toEqual([
      'user add test-7 --no-password',
      'role add test-7',
      'role grant-permission test-7 --prefix=true readwrite /test-7/',
      'user grant-role test-7 test-7',
    ]);
    expect(calls[0]!.argv).toContain(`--user=root:${pw}`);
  });

  it('a real failure is a UserError that hides the password', async () => {
    const pw = 's'.repeat(32);
    fake = installFakeBin(['kubectl'], { kubectl: [{ stderr: 'Error from server (NotFound): pods "etcd-0" not found\n', exit: 1 }] });
    const admin = new EtcdctlAdmin(podEtcdctl({ target: {}, namespace: 'etcd-system', pod: 'etcd-0', caFile: 'a', certFile: 'b', keyFile: 'c', rootPassword: pw }), pw);
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
