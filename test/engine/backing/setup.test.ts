import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackingEtcd, readRootPassword } from '../../../src/engine/backing/setup.js';
import { createEtcdPki, loadOrCreateEtcdPki, type EtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { ETCD } from '../../../src/engine/backing/etcd-objects.js';
import { backingHealth } from '../../../src/engine/backing/health.js';
import type { EtcdAdmin } from '../../../src/engine/etcd/admin.js';
import { MemoryEtcd } from '../../../src/sim/etcd-memory/memory-etcd.js';
import { MemoryKube } from './memory-kube.js';

let pki: EtcdPki;
let stateDir: string;
beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'scale-tui-bk-'));
  pki = loadOrCreateEtcdPki(stateDir);
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('etcd PKI for backing clusters', () => {
  it('is created once per experiment and reused; server cert names the in-cluster etcd', () => {
    const again = loadOrCreateEtcdPki(stateDir);
    expect(again.ca.cert).toBe(pki.ca.cert);
    expect(statSync(join(stateDir, 'pki/etcd/ca.key')).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('DNS:etcd-server.etcd-system.svc.cluster.local');
    expect(server.subjectAltName).toContain('DNS:etcd-0.etcd.etcd-system.svc.cluster.local');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    const root = new X509Certificate(pki.rootClient.cert);
    expect(root.subject).toBe('CN=root');
    expect(root.checkPrivateKey(createPrivateKey(pki.rootClient.key))).toBe(true);
    expect(createEtcdPki().ca.cert).not.toBe(pki.ca.cert);
  });
});

describe('setupBackingEtcd', () => {
  it('creates the etcd-system objects with a persistent volume and a generated root password, then enables auth', async () => {
    const kube = new MemoryKube();
    const etcd = new MemoryEtcd();
    let passwordSeen = '';
    const res = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: (pw) => ((passwordSeen = pw), etcd), pollMs: 1 });
    expect(res.created).toEqual(expect.arrayContaining(['Namespace/etcd-system', 'Secret/etcd-root', 'Secret/etcd-server', 'Secret/etcd-peer', 'Secret/etcd-ca', 'Service/etcd', 'Service/etcd-server', 'StatefulSet/etcd']));
    expect(res.rootPassword).toHaveLength(32);
    expect(res.rootPassword).not.toMatch(/rootpw/);
    expect(passwordSeen).toBe(res.rootPassword);
    expect(await readRootPassword(kube)).toBe(res.rootPassword);
    const sts = (await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')) as unknown as { spec: { volumeClaimTemplates: Array<{ metadata: { name: string } }>; template: { spec: { containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string }> }> } } } };
    expect(sts.spec.volumeClaimTemplates[0]!.metadata.name).toBe('data');
    expect(sts.spec.template.spec.containers[0]!.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/etcd' });
    // The CA private key never leaves the experiment's state dir.
    const caSecret = (await kube.get('v1', 'Secret', ETCD.caSecret, ETCD.namespace)) as unknown as { data: Record<string, string> };
    expect(Object.keys(caSecret.data)).toEqual(['ca.crt']);
    expect((await etcd.status()).tenants).toEqual([]);
  });

  it('is idempotent: a re-run creates nothing and reuses the stored root password', async () => {
    const kube = new MemoryKube();
    const passwords: string[] = [];
    const admin = (pw: string): EtcdAdmin => (passwords.push(pw), new MemoryEtcd());
    const first = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: admin, pollMs: 1 });
    const creates = kube.creates;
    const second = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r2' }, adminFor: admin, pollMs: 1 });
    expect(kube.creates).toBe(creates);
    expect(second.created).toEqual([]);
    expect(second.rootPassword).toBe(first.rootPassword);
    expect(passwords).toEqual([first.rootPassword, first.rootPassword]);
  });

  it('times out with a clear message when etcd never becomes ready', async () => {
    const kube = new MemoryKube(false);
    const err = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => new MemoryEtcd(), readyTimeoutMs: 20, pollMs: 5 }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/timed out after 0 s waiting for etcd StatefulSet etcd-system\/etcd ready: 0\/1 etcd replicas ready/);
  });

  it('health reports tenants, DB size and API server pods', async () => {
    const kube = new MemoryKube();
    const etcd = new MemoryEtcd();
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => etcd, pollMs: 1 });
    await etcd.ensureTenant('test-1');
    await etcd.ensureTenant('test-2');
    await kube.createOrSkip({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-apiserver-x', namespace: 'test-1', labels: { 'scale-tui.metal3.io/component': 'workload-apiserver' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    await kube.createOrSkip({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-apiserver-y', namespace: 'test-2', labels: { 'scale-tui.metal3.io/component': 'workload-apiserver' } }, status: { phase: 'Pending' } });
    const h = await backingHealth({ name: 'b1', kubeconfig: '/k', capacity: 100, endpoint: 'https://10.0.0.5:6443', addedAt: '', source: 'kubeconfig' }, kube, etcd);
    expect(h.tenants).toBe(2);
    expect(h.apiserverPods).toBe(2);
    expect(h.apiserverPodsReady).toBe(1);
    expect(h.healthy).toBe(false);
    expect(h.message).toMatch(/1 API server pod\(s\) not ready/);
    expect(h.capacity).toBe(100);
  });
});
