// The pipeline's per-cluster PKI: chains, usages and SANs as KCP and the apiservers need
// them, the etcd client cert accepted by the multi-tenant etcd's own serving setup (a real
// mutual-TLS handshake), persistence across engines, and 0600 files.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadOrCreateEtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { UserError } from '../../../src/core/errors.js';
import {
  ClusterPkiStore,
  renderKubeconfig,
  servingNames,
  type ClusterMaterial,
} from '../../../src/engine/pipeline/cluster-pki.js';

let dir: string;
let m: ClusterMaterial;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-pki-'));
  m = await new ClusterPkiStore(dir).cluster('test-7', 'test-7', '192.0.2.10');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x509 = (pem: string) => new X509Certificate(pem);

describe('cluster PKI', () => {
  it('signs the serving cert with the cluster CA, for serverAuth, with the dialled host as an IP SAN', () => {
    const serving = x509(m.apiserver.cert);
    expect(serving.verify(x509(m.ca.cert).publicKey)).toBe(true);
    expect(serving.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(serving.subjectAltName).toContain('IP Address:192.0.2.10');
    expect(serving.subjectAltName).toContain('DNS:test-kube-apiserver.test-7.svc');
    expect(serving.checkPrivateKey(createPrivateKey(m.apiserver.key))).toBe(true);
    expect(m.servingNotAfter).toBe(new Date(serving.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('puts a DNS endpoint host in the DNS SANs', async () => {
    const other = await new ClusterPkiStore(dir).cluster('test-8', 'test-8', 'mgmt.example.test');
    expect(x509(other.apiserver.cert).subjectAltName).toContain('DNS:mgmt.example.test');
    expect(servingNames('[::1]', 'ns').ipAddresses).toContain('::1');
  });

  it('mints the etcd client cert (CN = tenant, clientAuth) from the CA the etcd pods trust', () => {
    const etcd = loadOrCreateEtcdPki(dir);
    expect(m.etcdCa.cert).toBe(etcd.ca.cert);
    const client = x509(m.apiserverEtcdClient.cert);
    expect(client.subject).toBe('CN=test-7');
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(client.verify(x509(etcd.ca.cert).publicKey)).toBe(true);
  });

  it('completes mutual TLS between the etcd server cert and the apiserver etcd client cert', async () => {
    const etcd = loadOrCreateEtcdPki(dir);
    const server = createServer(
      { cert: etcd.server.cert, key: etcd.server.key, ca: etcd.ca.cert, requestCert: true, rejectUnauthorized: true },
      (s) => s.end(`${s.getPeerCertificate().subject.CN}\n`),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const text = await new Promise<string>((resolve, reject) => {
        const sock = connect({
          host: '127.0.0.1',
          port,
          servername: 'etcd-server.etcd-system.svc',
          ca: m.etcdCa.cert,
          cert: m.apiserverEtcdClient.cert,
          key: m.apiserverEtcdClient.key,
        });
        let out = '';
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => (out += d));
        sock.on('error', reject);
        sock.on('end', () => resolve(out));
      });
      expect(text).toBe('test-7\n');
    } finally {
      server.close();
      await once(server, 'close');
    }
  });

  it('gives the admin cert system:masters and a kubeconfig with the kubeadm user name', () => {
    const admin = x509(m.admin.cert);
    expect(admin.subject).toBe('O=system:masters\nCN=kubernetes-admin');
    expect(admin.verify(x509(m.ca.cert).publicKey)).toBe(true);
    const kc = parse(renderKubeconfig('test-7', 'https://192.0.2.10:10007', m.ca.cert, m.admin)) as {
      'current-context': string;
      clusters: Array<{ cluster: { server: string } }>;
    };
    expect(kc['current-context']).toBe('test-7-admin@test-7');
    expect(kc.clusters[0]!.cluster.server).toBe('https://192.0.2.10:10007');
  });

  it('reuses persisted material in a new store, one CA for every cluster, files 0600', async () => {
    const again = await new ClusterPkiStore(dir).cluster('test-7', 'test-7', '192.0.2.99');
    expect(again).toEqual(m);
    const other = await new ClusterPkiStore(dir).cluster('test-9', 'test-9', '192.0.2.10');
    expect(other.ca).toEqual(m.ca);
    expect(other.apiserver.cert).not.toBe(m.apiserver.cert);
    for (const f of readdirSync(join(dir, 'pki')).filter((n) => n.endsWith('.json'))) {
      expect(statSync(join(dir, 'pki', f)).mode & 0o777, f).toBe(0o600);
    }
  });

  it('names a damaged material file and the fix instead of failing with a parse trace', async () => {
    writeFileSync(join(dir, 'pki', 'cluster-test-10.json'), '{"ca":');
    await expect(new ClusterPkiStore(dir).cluster('test-10', 'test-10', '192.0.2.10')).rejects.toThrow(UserError);
    await expect(new ClusterPkiStore(dir).cluster('test-10', 'test-10', '192.0.2.10')).rejects.toThrow(
      /cluster-test-10\.json is not readable certificate material/,
    );
  });
});
