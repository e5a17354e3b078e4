import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { createScaleStore } from '../../../src/state/store.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { X509Certificate } from 'node:crypto';
import { startWorld, type World } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';

let world: World;
let stateDir: string;
beforeAll(async () => {
  world = await startWorld();
  stateDir = mkdtempSync(join(tmpdir(), 'engine-'));
}, 60_000);
afterAll(async () => {
  await world?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe.each(['port-forward', 'nodeport'] as const)('engine, dedicated topology, %s reach', (mode) => {
  it('creates clusters to ready and deletes them', async () => {
    const config = configSchema.parse({
      topology: 'dedicated',
      batch: { concurrency: 5 },
      naming: { prefix: mode === 'nodeport' ? 'np' : 'pf' },
    });
    const store = createScaleStore();
    const basePort = await freePortBlock(100);
    const engine = await createEngine({
      config,
      store,
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      managementEtcd: world.management.etcd,
      stateDir,
      reach:
        mode === 'port-forward'
          ? { mode, host: '127.0.0.1', basePort }
          : { mode, nodePortBase: await freePortBlock(100, 'nodeport') },
      timeouts: { controllerMs: 60_000, apiMs: 30_000, deleteMs: 60_000 },
    });
    try {
      const summary = await engine.addBatch({ count: 3 });
      const fails = summary.failures;
      expect(fails).toEqual([]);
      expect(summary.ready).toBe(3);
      // CAPI dials the endpoint that went into the Cluster, and the serving cert carries its host.
      const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
      const first = Object.values(store.getState().clusters)[0]!;
      const c1 = first.name;
      const num = first.number;
      const m3c = await mgmt.get<KubeObject & { spec?: { controlPlaneEndpoint?: { host: string; port: number } } }>(
        'infrastructure.cluster.x-k8s.io/v1beta2',
        'Metal3Cluster',
        c1,
        c1,
      );
      const ep = m3c?.spec?.controlPlaneEndpoint;
      expect(ep?.host).toBe('127.0.0.1');
      if (mode === 'port-forward') expect(ep?.port).toBe(basePort + num);
      else expect(ep?.port).toBeGreaterThanOrEqual(30000);
      const serving = await mgmt.get<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', 'apiserver', c1);
      const cert = new X509Certificate(Buffer.from(serving!.data!['tls.crt']!, 'base64'));
      expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
      // A real TLS handshake through the endpoint, verified against the cluster CA.
      const kc = await mgmt.get<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', `${c1}-kubeconfig`, c1);
      const wl = KubeClient.from({ kubeconfigYaml: Buffer.from(kc!.data!.value!, 'base64').toString('utf8') });
      expect(
        (await wl.list('v1', 'Node')).map((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane']),
      ).toEqual(['']);
      // BMC credentials are random per host, not derived from the cluster name.
      const bmc = (
        await mgmt.list<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', { namespace: c1 })
      ).find((x) => x.data?.password && x.data?.username);
      const bmcPassword = Buffer.from(bmc!.data!.password!, 'base64').toString('utf8');
      expect(bmcPassword).not.toContain(c1);
      expect(bmcPassword.length).toBeGreaterThanOrEqual(24);
      const keyFiles = (): string[] => readdirSync(join(stateDir, 'pki')).filter((f) => f.startsWith('cluster-'));
      expect(keyFiles()).toHaveLength(3);
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      // The deleted clusters' key material does not linger in the state dir.
      expect(keyFiles()).toEqual([]);
      const st = await engine.status();
      expect(st.namespaces.management).toEqual([]);
      expect((await world.management.etcd.status()).tenants).toEqual([]);
    } finally {
      await engine.shutdown();
    }
  }, 120_000);
});

describe('engine, placement flags', () => {
  it('refuses --backing NAME when the topology has no backing clusters, before creating anything', async () => {
    const store = createScaleStore();
    const engine = await createEngine({
      config: configSchema.parse({ topology: 'dedicated', naming: { prefix: 'nob' } }),
      store,
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      managementEtcd: world.management.etcd,
      stateDir,
    });
    try {
      await expect(engine.addBatch({ count: 2, backing: 'backing-1' })).rejects.toThrow(
        /--backing backing-1: the dedicated topology places no cluster on a backing cluster/,
      );
      expect(store.getState().clusters).toEqual({});
      const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
      expect(
        (await mgmt.list('v1', 'Namespace')).map((n) => n.metadata.name).filter((n) => n.startsWith('nob-')),
      ).toEqual([]);
    } finally {
      await engine.shutdown();
    }
  });
});
