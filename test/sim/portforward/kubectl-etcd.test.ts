// pods/{name}/portforward on the embedded API server with REAL clients: kubectl 1.32's
// port-forward in both transports (SPDY over WebSocket, its default, and the plain SPDY
// fallback forced with KUBECTL_PORT_FORWARD_WEBSOCKETS=false), etcdctl (Debian etcd-client)
// against the fake etcd behind the etcd pod's 2379 with the cluster's etcd client
// certificate, and openssl s_client against the kube-apiserver pod's 6443. The in-process
// client (openPortForward + EtcdClient) is checked against the same server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCert } from '../../../src/core/pki/index.js';
import { EtcdClient, EtcdGrpcCallError } from '../../../src/sim/etcd-grpc/client.js';
import { memberFacts } from '../../../src/sim/etcd-grpc/member.js';
import { openPortForward } from '../../../src/sim/portforward/client.js';
import { requireEtcd } from '../../support/etcd-server.js';
import { type ForwardCluster, kubectlPortForward, run, startForwardCluster } from '../../support/forward-cluster.js';

const kubectlMissing = spawnSync('kubectl', ['version', '--client']).status !== 0;
const opensslMissing = spawnSync('openssl', ['version']).status !== 0;
const skip =
  requireEtcd() ?? (kubectlMissing ? 'kubectl not installed' : opensslMissing ? 'openssl not installed' : undefined);

let dir: string;
let cl: ForwardCluster;
const files: Record<string, string> = {};

function privateFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

function etcdctl(port: number, cert: 'good' | 'foreign', ...args: string[]) {
  return run(
    'etcdctl',
    [
      `--endpoints=https://127.0.0.1:${port}`,
      `--cacert=${files.etcdCa}`,
      `--cert=${files[`${cert}Cert`]}`,
      `--key=${files[`${cert}Key`]}`,
      '--dial-timeout=5s',
      '--command-timeout=5s',
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' } },
  );
}

describe.skipIf(skip)('port-forward to the fake etcd and the apiserver pod with real kubectl, etcdctl, openssl', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-pf-'));
    cl = await startForwardCluster(dir);
    // The apiserver-etcd-client certificate KCP and kube-apiserver use: issued by the etcd CA.
    const good = issueCert(cl.etcdCa, { commonName: 'kube-apiserver-etcd-client', usage: 'client' });
    const foreignCa = createCA('etcd-ca');
    const foreign = issueCert(foreignCa, { commonName: 'kube-apiserver-etcd-client', usage: 'client' });
    files.etcdCa = privateFile('etcd-ca.crt', cl.etcdCa.certPem);
    files.goodCert = privateFile('good.crt', good.certPem);
    files.goodKey = privateFile('good.key', good.keyPem);
    files.foreignCert = privateFile('foreign.crt', foreign.certPem);
    files.foreignKey = privateFile('foreign.key', foreign.keyPem);
  });

  afterAll(async () => {
    await cl?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const transport of ['websocket', 'spdy'] as const) {
    it(`etcdctl member list, endpoint status and alarm list through kubectl port-forward (${transport})`, async () => {
      const pf = await kubectlPortForward(cl.kubeconfig, `etcd-${cl.nodeName}`, 2379, transport);
      try {
        const members = await etcdctl(pf.localPort, 'good', 'member', 'list', '-w', 'json');
        expect(members.stderr).toBe('');
        expect(members.code).toBe(0);
        const list = JSON.parse(members.stdout) as { members: Array<{ name: string; clientURLs: string[] }> };
        expect(list.members.map((m) => m.name)).toEqual([cl.nodeName]);
        expect(list.members[0]!.clientURLs).toEqual([`https://${cl.member.nodeIp}:2379`]);

        const status = await etcdctl(pf.localPort, 'good', 'endpoint', 'status', '-w', 'json');
        expect(status.code).toBe(0);
        const st = JSON.parse(status.stdout) as Array<{ Status: { leader: number; header: { member_id: number } } }>;
        expect(st).toHaveLength(1);
        // A healthy single member leads itself.
        expect(BigInt(st[0]!.Status.leader)).toBeGreaterThan(0n);
        expect(String(st[0]!.Status.leader)).toBe(String(st[0]!.Status.header.member_id));

        const alarms = await etcdctl(pf.localPort, 'good', 'alarm', 'list');
        expect(alarms.code).toBe(0);
        expect(alarms.stdout.trim()).toBe('');
      } finally {
        await pf.stop();
      }
      // The transport kubectl used: the WebSocket upgrade is a GET, the SPDY one a POST.
      const verb = transport === 'websocket' ? 'GET' : 'POST';
      expect(pf.output()).toMatch(new RegExp(`\\] ${verb} https://\\S+/portforward 101 Switching Protocols`));
      expect(pf.output()).not.toContain('fallback');
    });
  }

  it('refuses etcdctl with a client certificate from another cluster’s etcd CA', async () => {
    const before = cl.etcd.stats.refusedCertificates;
    const pf = await kubectlPortForward(cl.kubeconfig, `etcd-${cl.nodeName}`, 2379, 'websocket');
    try {
      const members = await etcdctl(pf.localPort, 'foreign', 'member', 'list');
      expect(members.code).not.toBe(0);
      expect(members.stdout).not.toContain(cl.nodeName);
    } finally {
      await pf.stop();
    }
    expect(cl.etcd.stats.refusedCertificates).toBeGreaterThan(before);
  });

  it('openssl s_client through the kube-apiserver pod’s 6443 sees the cluster’s serving certificate', async () => {
    const pf = await kubectlPortForward(cl.kubeconfig, `kube-apiserver-${cl.nodeName}`, 6443, 'websocket');
    try {
      const s = await run('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${pf.localPort}`,
        '-CAfile',
        privateFile('ca.crt', cl.clusterCa.certPem),
      ]);
      expect(s.stdout).toContain('Verify return code: 0 (ok)');
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(s.stdout)?.[0];
      expect(pem).toBeDefined();
      const seen = new X509Certificate(pem!);
      const want = new X509Certificate(cl.servingCert.certPem);
      expect(seen.subject).toBe('CN=kube-apiserver');
      expect(seen.issuer).toBe('CN=kubernetes');
      expect(seen.fingerprint256).toBe(want.fingerprint256);
      expect(seen.validTo).toBe(want.validTo);
    } finally {
      await pf.stop();
    }
  });

  it('reports a port nothing serves on the error stream (kubectl and the in-process client)', async () => {
    const pf = await kubectlPortForward(cl.kubeconfig, `etcd-${cl.nodeName}`, 2381, 'websocket');
    try {
      const probe = await run('etcdctl', [
        `--endpoints=http://127.0.0.1:${pf.localPort}`,
        '--dial-timeout=3s',
        'endpoint',
        'health',
      ]);
      expect(probe.code).not.toBe(0);
    } finally {
      await pf.stop();
    }
    expect(pf.output()).toContain('connection refused');
    const stream = await openPortForward({
      server: cl.api.url,
      caPem: cl.api.caPem,
      token: cl.api.adminToken,
      namespace: 'kube-system',
      pod: `etcd-${cl.nodeName}`,
      port: 2381,
      deadlineMs: 5000,
    });
    const err = await new Promise<Error>((resolve) => stream.once('error', resolve));
    expect(err.message).toContain('connection refused');
  });

  for (const transport of ['websocket', 'spdy'] as const) {
    it(`the in-process client reaches the fake etcd through port-forward (${transport})`, async () => {
      const stream = await openPortForward({
        server: cl.api.url,
        caPem: cl.api.caPem,
        token: cl.api.adminToken,
        namespace: 'kube-system',
        pod: `etcd-${cl.nodeName}`,
        port: 2379,
        deadlineMs: 5000,
        transport,
      });
      const cert = issueCert(cl.etcdCa, { commonName: 'capi-kcp-etcd-client', usage: 'client' });
      const etcd = await EtcdClient.connect({ stream, caPem: cl.etcdCa.certPem, ...cert, deadlineMs: 5000 });
      try {
        const facts = memberFacts(cl.member);
        const status = await etcd.status();
        expect(status.leader).toBe(facts.memberId);
        expect(status.errors).toEqual([]);
        const list = await etcd.memberList();
        expect(list.header.clusterId).toBe(facts.clusterId);
        expect(list.members.map((m) => [m.id, m.name])).toEqual([[facts.memberId, cl.nodeName]]);
        expect((await etcd.alarmList()).alarms).toEqual([]);
        await etcd.moveLeader(facts.memberId);
        await expect(etcd.moveLeader(facts.memberId + 1n)).rejects.toBeInstanceOf(EtcdGrpcCallError);
      } finally {
        etcd.close();
      }
    });
  }

  it('refuses port-forward to a pod that is not running, before any upgrade', async () => {
    await run('kubectl', [
      `--kubeconfig=${cl.kubeconfig}`,
      '-n',
      'kube-system',
      'run',
      'pending-pod',
      '--image=x',
      '--restart=Never',
    ]);
    await expect(
      openPortForward({
        server: cl.api.url,
        caPem: cl.api.caPem,
        token: cl.api.adminToken,
        namespace: 'kube-system',
        pod: 'pending-pod',
        port: 2379,
        deadlineMs: 5000,
      }),
    ).rejects.toThrow(/pod pending-pod is not running/);
  });
});
