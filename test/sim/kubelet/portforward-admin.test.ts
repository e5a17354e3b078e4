// The backing etcd administered through `kubectl port-forward` (the engine's default
// `--etcd-via port-forward`): real kubectl forwards to etcd-0 through the embedded API server,
// which dials the pod's IP (the simulated kubelet's pods use the node address), and the
// engine's etcdctl admin creates, lists and deletes a tenant over that forward. Before the API
// server served pods/portforward this path could only run against a real cluster (the lab's
// backing suites used --etcd-via exec).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/core/kube/client.js';
import { openAdmin } from '../../../src/engine/backing/admin.js';
import { ETCD } from '../../../src/engine/backing/etcd-objects.js';
import type { EtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { setupBackingEtcd } from '../../../src/engine/backing/setup.js';
import { EtcdctlAdmin, podEtcdctl } from '../../../src/engine/etcd/etcdctl.js';
import type { ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { type EtcdNode, etcdNodeSkipReason, startEtcdNode } from '../../support/etcd-node.js';

const skip = etcdNodeSkipReason();
const ROOT_PASSWORD = 'p'.repeat(32);

let dir: string;
let api: ApiServerHandle;
let pki: EtcdPki;

let node: EtcdNode | undefined;

beforeAll(async () => {
  if (skip) return;
  node = await startEtcdNode('pf-admin', ROOT_PASSWORD);
  ({ dir, api, pki } = node);
}, 60_000);

afterAll(async () => {
  await node?.stop();
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
