// KCP's view of a farm cluster through pods/portforward, with the real tools: kubectl 1.32
// port-forwards to the etcd pod's 2379 and to the kube-apiserver pod's 6443; Debian's etcdctl
// through the first, with a client certificate from the cluster's etcd CA, lists members,
// reads endpoint status and alarms, and is refused with another cluster's certificate;
// openssl s_client through the second sees the cluster's serving certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Farm } from '../../../src/sim/farm/farm.js';
import { createCA, issueCert } from '../../../src/core/pki/index.js';
import { issueClusterCerts } from '../../../src/sim/farm/cluster-pki.js';
import { freePortBlock } from '../../support/ports.js';

const run = promisify(execFile);
const tools = ['/usr/bin/kubectl', '/usr/bin/etcdctl', '/usr/bin/openssl'].every((p) => existsSync(p));

describe.skipIf(!tools)('farm port-forward with kubectl, etcdctl and openssl (needs all three)', () => {
  let dir: string;
  let farm: Farm;
  const forwards: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-pf-'));
    farm = await Farm.open({ stateDir: join(dir, 'state'), basePort: await freePortBlock(4) });
    for (const c of ['one', 'two']) {
      // The CAs stay with the test, as with the engine: the farm gets certificates only.
      const ca = createCA(`${c}-ca`, { keyAlgorithm: 'ecdsa-p256' });
      const etcdCa = createCA(`${c}-etcd`, { keyAlgorithm: 'ecdsa-p256' });
      const certs = await issueClusterCerts({ cluster: c, ca, etcdCa, altNames: farm.altNames });
      await farm.register({ cluster: c, namespace: c, certs });
      farm.updateNode({ cluster: c, namespace: c, nodeName: `${c}-cp` });
      writeFileSync(join(dir, `${c}.kubeconfig`), farm.kubeconfig(c, c), { mode: 0o600 });
      const client = issueCert(etcdCa, { commonName: 'kube-etcd-healthcheck-client', usage: 'client' });
      writeFileSync(join(dir, `${c}-etcd-ca.crt`), etcdCa.certPem);
      writeFileSync(join(dir, `${c}-client.crt`), client.certPem);
      writeFileSync(join(dir, `${c}-client.key`), client.keyPem, { mode: 0o600 });
    }
  });
  afterAll(async () => {
    for (const f of forwards) f.kill('SIGKILL');
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `kubectl port-forward` in the background; resolves with the local port once it listens. */
  async function forward(pod: string, port: number): Promise<number> {
    const child = spawn(
      'kubectl',
      ['--kubeconfig', join(dir, 'one.kubeconfig'), '-n', 'kube-system', 'port-forward', `pod/${pod}`, `:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    forwards.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 200; i++) {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) return Number(m[1]);
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`kubectl port-forward did not start: ${out}`);
  }

  const etcdctl = (port: number, identity: string, ...args: string[]) =>
    run(
      'etcdctl',
      [
        `--endpoints=https://127.0.0.1:${port}`,
        `--cacert=${join(dir, 'one-etcd-ca.crt')}`,
        `--cert=${join(dir, `${identity}-client.crt`)}`,
        `--key=${join(dir, `${identity}-client.key`)}`,
        '--dial-timeout=5s',
        '--command-timeout=5s',
        ...args,
      ],
      { timeout: 20_000, env: { ...process.env, ETCDCTL_API: '3' } },
    );

  it('etcdctl member list / endpoint status / alarm list through kubectl port-forward pod/etcd-<node> 2379', async () => {
    const port = await forward('etcd-one-cp', 2379);
    const members = await etcdctl(port, 'one', 'member', 'list', '-w', 'json');
    const list = JSON.parse(members.stdout) as { members: Array<{ name: string }> };
    expect(list.members.map((m) => m.name)).toEqual(['one-cp']);
    const status = await etcdctl(port, 'one', 'endpoint', 'status', '-w', 'json');
    expect(status.stdout).toContain('"version"');
    const alarms = await etcdctl(port, 'one', 'alarm', 'list');
    expect(alarms.stdout.trim()).toBe('');
    // A client certificate from cluster two's etcd CA is refused by cluster one's etcd.
    await expect(etcdctl(port, 'two', 'member', 'list')).rejects.toThrow();
  }, 60_000);

  it('openssl s_client through port-forward pod/kube-apiserver-<node> 6443 sees the cluster serving certificate', async () => {
    const port = await forward('kube-apiserver-one-cp', 6443);
    const { stdout } = await run(
      'sh',
      ['-c', `openssl s_client -connect 127.0.0.1:${port} </dev/null 2>/dev/null | openssl x509`],
      {
        timeout: 20_000,
      },
    );
    const seen = new X509Certificate(stdout);
    const want = new X509Certificate(farm.record('one', 'one').serving.certPem);
    expect(seen.fingerprint256).toBe(want.fingerprint256);
    const m = farm.metrics.snapshot();
    expect(m.portForwardSessions).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
