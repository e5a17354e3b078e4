import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackingEtcd, readRootPassword } from '../../../src/engine/backing/setup.js';
import { createEtcdPki, loadOrCreateEtcdPki, type EtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { ETCD } from '../../../src/engine/backing/etcd-objects.js';
import { backingHealth } from '../../../src/engine/backing/health.js';
import type { EtcdAdmin } from '../../../src/core/etcd/admin.js';
import { MemoryEtcd } from '../../../src/sim/etcd-memory/memory-etcd.js';
import { MemoryKube } from './memory-kube.js';
import type { KubeObject } from '../../../src/manifests/types.js';

interface StsShape {
  spec: { template: { spec: { volumes: Array<{ name: string }>; containers: ContainerShape[] } } };
}
interface ContainerShape {
  image: string;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
const stsSpec = async (kube: MemoryKube) =>
  ((await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')) as unknown as StsShape).spec.template.spec;
const b64text = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

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
    const res = await setupBackingEtcd({
      kube,
      pki,
      ownership: { runId: 'r1' },
      adminFor: (pw) => {
        passwordSeen = pw;
        return etcd;
      },
      pollMs: 1,
    });
    expect(res.created).toEqual(
      expect.arrayContaining([
        'Namespace/etcd-system',
        'Secret/etcd-root',
        'Secret/etcd-server',
        'Secret/etcd-peer',
        'Secret/etcd-ca',
        'Secret/etcd-root-client',
        'Service/etcd',
        'Service/etcd-server',
        'StatefulSet/etcd',
      ]),
    );
    expect(res.rootPassword).toHaveLength(32);
    expect(res.rootPassword).not.toMatch(/rootpw/);
    expect(passwordSeen).toBe(res.rootPassword);
    expect(await readRootPassword(kube)).toBe(res.rootPassword);
    const sts = (await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')) as unknown as {
      spec: {
        volumeClaimTemplates: Array<{ metadata: { name: string } }>;
        template: { spec: { containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string }> }> } };
      };
    };
    expect(sts.spec.volumeClaimTemplates[0]!.metadata.name).toBe('data');
    expect(sts.spec.template.spec.containers[0]!.volumeMounts).toContainEqual({
      name: 'data',
      mountPath: '/var/lib/etcd',
    });
    // The CA private key never leaves the experiment's state dir.
    const caSecret = (await kube.get('v1', 'Secret', ETCD.caSecret, ETCD.namespace)) as unknown as {
      data: Record<string, string>;
    };
    expect(Object.keys(caSecret.data)).toEqual(['ca.crt']);
    expect((await etcd.status()).tenants).toEqual([]);
  });

  it('is idempotent: a re-run creates nothing and reuses the stored root password', async () => {
    const kube = new MemoryKube();
    const passwords: string[] = [];
    const admin = (pw: string): EtcdAdmin => {
      passwords.push(pw);
      return new MemoryEtcd();
    };
    const first = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: admin, pollMs: 1 });
    const creates = kube.creates;
    const second = await setupBackingEtcd({ kube, pki, ownership: { runId: 'r2' }, adminFor: admin, pollMs: 1 });
    expect(kube.creates).toBe(creates);
    expect(second.created).toEqual([]);
    expect(second.rootPassword).toBe(first.rootPassword);
    expect(passwords).toEqual([first.rootPassword, first.rootPassword]);
  });

  it('mounts the root client certificate (CN=root, 0400) in the etcd pod for the in-pod admin path', async () => {
    const kube = new MemoryKube();
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => new MemoryEtcd(), pollMs: 1 });
    const secret = (await kube.get('v1', 'Secret', ETCD.rootClientSecret, ETCD.namespace)) as unknown as {
      data: Record<string, string>;
    };
    const cert = new X509Certificate(b64text(secret.data['tls.crt']));
    expect(cert.subject).toBe('CN=root');
    expect(cert.checkPrivateKey(createPrivateKey(b64text(secret.data['tls.key'])))).toBe(true);
    const spec = await stsSpec(kube);
    const volume = { name: 'root-client', secret: { secretName: 'etcd-root-client', defaultMode: 0o400 } };
    expect(spec.volumes).toContainEqual(volume);
    const mounts = spec.containers[0]!.volumeMounts.map((m) => m.mountPath);
    expect(ETCD.mount.rootCert.startsWith(`${mounts.find((m) => m.endsWith('root-client'))!}/`)).toBe(true);
    expect(kube.patches).toEqual([]);
  });

  it('adds the root client mount to an etcd StatefulSet made before it existed, changing nothing else', async () => {
    const kube = new MemoryKube();
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => new MemoryEtcd(), pollMs: 1 });
    // Turn the stored StatefulSet into the older shape: no root-client volume or mount, older image.
    const key = 'apps/v1/StatefulSet/etcd-system/etcd';
    const old = structuredClone(kube.objects.get(key)!) as unknown as StsShape;
    old.spec.template.spec.volumes = old.spec.template.spec.volumes.filter((v) => v.name !== 'root-client');
    const c = old.spec.template.spec.containers[0]!;
    c.volumeMounts = c.volumeMounts.filter((m) => m.name !== 'root-client');
    c.image = 'registry.k8s.io/etcd:3.5.0-0';
    kube.objects.set(key, old as unknown as KubeObject);
    const logs: string[] = [];
    const log = (l: string) => void logs.push(l);
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r2' }, adminFor: () => new MemoryEtcd(), pollMs: 1, log });
    expect(kube.patches).toHaveLength(1);
    const spec = await stsSpec(kube);
    expect(spec.volumes.map((v) => v.name)).toEqual(['ca', 'server', 'peer', 'root-client']);
    const mounts = spec.containers[0]!.volumeMounts.map((m) => m.name);
    expect(mounts).toEqual(['data', 'ca', 'server', 'peer', 'root-client']);
    expect(spec.containers[0]!.image).toBe('registry.k8s.io/etcd:3.5.0-0');
    expect(logs.join('\n')).toMatch(/root client certificate mounted/);
    // Once there, a re-run leaves the StatefulSet alone.
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r3' }, adminFor: () => new MemoryEtcd(), pollMs: 1 });
    expect(kube.patches).toHaveLength(1);
  });

  it('waits for the updated etcd pod, not the old ready one, after a template change', async () => {
    const kube = new MemoryKube();
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => new MemoryEtcd(), pollMs: 1 });
    const key = 'apps/v1/StatefulSet/etcd-system/etcd';
    const sts = kube.objects.get(key)!;
    // The old pod still counts as ready while the controller rolls to the new revision.
    const ready = { readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 };
    sts.status = { ...ready, currentRevision: 'etcd-a', updateRevision: 'etcd-b' };
    (sts.metadata as { generation?: number }).generation = 2;
    const opts = { kube, pki, ownership: { runId: 'r2' }, adminFor: () => new MemoryEtcd(), pollMs: 5 };
    const err = await setupBackingEtcd({ ...opts, readyTimeoutMs: 20 }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/etcd-0 is being replaced/);
    // A change the controller has not seen yet counts as not ready either.
    sts.status = { ...ready, observedGeneration: 1, currentRevision: 'etcd-b', updateRevision: 'etcd-b' };
    const unseen = await setupBackingEtcd({ ...opts, readyTimeoutMs: 20 }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(unseen.message).toMatch(/change not yet observed/);
    sts.status = { ...ready, currentRevision: 'etcd-b', updateRevision: 'etcd-b' };
    await setupBackingEtcd({ ...opts, readyTimeoutMs: 2000 });
  });

  it('times out with a clear message when etcd never becomes ready', async () => {
    const kube = new MemoryKube(false);
    const err = await setupBackingEtcd({
      kube,
      pki,
      ownership: { runId: 'r1' },
      adminFor: () => new MemoryEtcd(),
      readyTimeoutMs: 20,
      pollMs: 5,
    }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(
      /timed out after 0 s waiting for etcd StatefulSet etcd-system\/etcd ready: 0\/1 etcd replicas ready/,
    );
  });

  it('health reports tenants, DB size and API server pods', async () => {
    const kube = new MemoryKube();
    const etcd = new MemoryEtcd();
    await setupBackingEtcd({ kube, pki, ownership: { runId: 'r1' }, adminFor: () => etcd, pollMs: 1 });
    await etcd.ensureTenant('test-1');
    await etcd.ensureTenant('test-2');
    await kube.createOrSkip({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-x',
        namespace: 'test-1',
        labels: { 'scale-tui.metal3.io/component': 'workload-apiserver' },
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    await kube.createOrSkip({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-y',
        namespace: 'test-2',
        labels: { 'scale-tui.metal3.io/component': 'workload-apiserver' },
      },
      status: { phase: 'Pending' },
    });
    const h = await backingHealth(
      {
        name: 'b1',
        kubeconfig: '/k',
        capacity: 100,
        endpoint: 'https://10.0.0.5:6443',
        addedAt: '',
        source: 'kubeconfig',
      },
      kube,
      etcd,
    );
    expect(h.tenants).toBe(2);
    expect(h.apiserverPods).toBe(2);
    expect(h.apiserverPodsReady).toBe(1);
    expect(h.healthy).toBe(false);
    expect(h.message).toMatch(/1 API server pod\(s\) not ready/);
    expect(h.capacity).toBe(100);
  });
});
