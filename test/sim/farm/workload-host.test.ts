// The demo's workload host (the farm as the simulated kubelet's workload API servers) serves
// the etcd pod's 2379, through pod port-forward, with the `<cluster>-etcd` CA the kubelet
// hands over in its typed options: a client certificate from that CA gets a healthy
// single-member Status, one from another CA is refused. Without the CA the port is refused
// as a kubelet refuses a port nobody listens on.
import { request } from 'node:https';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, issueCert, type CertKeyPair } from '../../../src/core/pki/index.js';
import { EtcdClient } from '../../../src/sim/etcd-grpc/client.js';
import { createWorkloadFarm } from '../../../src/sim/farm/workload-host.js';
import { openPortForward } from '../../../src/sim/portforward/client.js';

const farm = createWorkloadFarm();
afterAll(() => farm.close());

const ca = createCA('wh-kubernetes');
const serving = issueCert(ca, { commonName: 'kube-apiserver', usage: 'server', ipAddresses: ['127.0.0.1'] });
const admin = issueCert(ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });

function createPod(port: number, name: string): Promise<number> {
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system' },
    spec: { containers: [{ name: 'etcd', image: 'etcd' }] },
  });
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/namespaces/kube-system/pods',
        ca: ca.certPem,
        cert: admin.certPem,
        key: admin.keyPem,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        timeout: 5000,
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.once('timeout', () => req.destroy(new Error('no answer')));
    req.once('error', fail);
    req.end(body);
  });
}

async function etcdThrough(port: number, client: CertKeyPair, etcdCa: CertKeyPair): Promise<EtcdClient> {
  const stream = await openPortForward({
    server: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    certPem: admin.certPem,
    keyPem: admin.keyPem,
    namespace: 'kube-system',
    pod: 'etcd-n1',
    port: 2379,
    deadlineMs: 5000,
  });
  return EtcdClient.connect({ stream, caPem: etcdCa.certPem, ...client, deadlineMs: 5000 });
}

async function startCluster(name: string, etcdCa: CertKeyPair | undefined): Promise<number> {
  const h = await farm.startWorkload({
    name,
    port: 0,
    host: '127.0.0.1',
    builtinCrds: false,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: ca.certPem },
    etcdCa,
  });
  expect(await createPod(h.port, 'etcd-n1')).toBe(201);
  return h.port;
}

describe('the demo workload host', () => {
  it("serves etcd through port-forward from the kubelet's etcd CA, and refuses another CA's client", async () => {
    const etcdCa = createCA('wh-etcd');
    const port = await startCluster('wh-1-apiserver', etcdCa);
    const etcd = await etcdThrough(port, issueCert(etcdCa, { commonName: 'kcp', usage: 'client' }), etcdCa);
    try {
      const status = await etcd.status();
      expect(status.errors).toEqual([]);
      expect((await etcd.memberList()).members).toHaveLength(1);
    } finally {
      etcd.close();
    }
    const other = createCA('wh-other-etcd');
    await expect(
      etcdThrough(port, issueCert(other, { commonName: 'kcp', usage: 'client' }), etcdCa).then((c) => c.status()),
    ).rejects.toThrow();
  });

  it('without an etcd CA the etcd port is refused', async () => {
    const port = await startCluster('wh-2-apiserver', undefined);
    await expect(
      etcdThrough(port, issueCert(ca, { commonName: 'kcp', usage: 'client' }), ca).then((c) => c.status()),
    ).rejects.toThrow(/connection refused/);
  });
});
