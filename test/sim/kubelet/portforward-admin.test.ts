// The backing etcd administered through `kubectl port-forward` (the engine's default
// `--etcd-via port-forward`): real kubectl forwards to etcd-0 through the embedded API server,
// which dials the pod's IP (the simulated kubelet's pods use the node address), and the
// engine's etcdctl admin creates, lists and deletes a tenant over that forward. Before the API
// server served pods/portforward this path could only run against a real cluster (the lab's
// backing suites used --etcd-via exec).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/core/kube/client.js';
import { createCA, issueCert } from '../../../src/core/pki/index.js';
import { openAdmin } from '../../../src/engine/backing/admin.js';
import { ETCD, etcdObjects } from '../../../src/engine/backing/etcd-objects.js';
import { createEtcdPki, type EtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { setupBackingEtcd } from '../../../src/engine/backing/setup.js';
import { EtcdctlAdmin, podEtcdctl } from '../../../src/engine/etcd/etcdctl.js';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { startKubelet, type KubeletHandle } from '../../../src/sim/kubelet/kubelet.js';
import { requireEtcd } from '../../support/etcd-server.js';

const kubectlMissing = spawnSync('kubectl', ['version', '--client']).status !== 0;
const skip = requireEtcd() ?? (kubectlMissing ? 'kubectl not installed' : undefined);
const ROOT_PASSWORD = 'p'.repeat(32);

let dir: string;
let api: ApiServerHandle;
let kubelet: KubeletHandle;
let pki: EtcdPki;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

beforeAll(async () => {
  if (skip) return;
  for (const port of [2379, 2380, 2381]) {
    if (!(await portFree(port))) throw new Error(`127.0.0.1:${port} is taken: this test runs etcd-0 there`);
  }
  dir = mkdtempSync(join(tmpdir(), 'scale-tui-pf-admin-'));
  // The kubelet accepts exec (used for the auth set-up) only with a client certificate from the
  // cluster CA, as a real kubelet does.
  const ca = createCA('pf-admin-ca');
  const serving = issueCert(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const kubeletClient = issueCert(ca, {
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
    usage: 'client',
  });
  api = await startApiServer({
    name: 'pf-admin',
    builtinCrds: false,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem },
    kubeletClient,
    dataDir: dir,
  });
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  kubelet = await startKubelet({
    kubeconfig: kc,
    nodeName: 'pf-admin-control-plane',
    address: '127.0.0.1',
    runEtcd: true,
  });
  pki = createEtcdPki();
  const kube = KubeClient.from({ kubeconfigPath: api.kubeconfigPath! });
  for (const obj of etcdObjects({ ownership: { runId: 'pf-admin' }, pki, rootPassword: ROOT_PASSWORD })) {
    await kube.createOrSkip(obj);
  }
}, 60_000);

afterAll(async () => {
  await kubelet?.stop();
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!!skip)('backing etcd admin over kubectl port-forward to the simulated kubelet’s etcd', () => {
  it('creates, lists and deletes a tenant through the forward', async () => {
    const kubeconfig = api.kubeconfigPath!;
    // Auth set up as `backing add` does (here over exec), then administered over port-forward.
    await setupBackingEtcd({
      kube: KubeClient.from({ kubeconfigPath: kubeconfig }),
      pki,
      ownership: { runId: 'pf-admin' },
      adminFor: (pw) =>
        new EtcdctlAdmin(
          podEtcdctl({ target: { kubeconfig }, namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container }),
          pw,
        ),
      readyTimeoutMs: 60_000,
      pollMs: 200,
    });
    const session = await openAdmin({ mode: 'port-forward' }, { kubeconfig }, dir, pki, ROOT_PASSWORD);
    try {
      await session.admin.ensureTenant('pf-tenant-1');
      const status = await session.admin.status();
      expect(status.tenants).toContain('pf-tenant-1');
      expect(status.dbSizeBytes).toBeGreaterThan(0);
      await session.admin.deleteTenant('pf-tenant-1');
      expect((await session.admin.status()).tenants).not.toContain('pf-tenant-1');
    } finally {
      await session.close();
    }
  });
});
