// One engine, the way a TUI session uses it: create on the farm topology, `delete --all`
// (which stops the background farm, now empty), then create again. The topology's set-up ran
// once, at the engine's start, so without a per-batch check the second batch found no farm:
// its clusters were registered with a farm that no longer ran and their API was never
// served. Each batch must start the farm again when this engine stopped it, and leave a
// serving farm alone (same process, no restart). The last `delete --all` leaves the farm
// stopped and nothing labelled behind.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import { createScaleStore } from '../../../src/state/store.js';
import { farmLockHolder } from '../../../src/engine/topology/farm-process.js';
import { tearDownFarmEngine } from '../../support/farm-engine.js';
import { worldForSuite } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';

const world = worldForSuite();

const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The CN of the certificate the port serves, checked against `caPem` (rejectUnauthorized). */
function tlsVerified(port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca: caPem, rejectUnauthorized: true, timeout: 5000 }, () => {
      const subject = String(s.getPeerCertificate().subject?.CN ?? '');
      s.end();
      resolve(subject);
    });
    s.once('error', reject);
    s.once('timeout', () => s.destroy(new Error(`no TLS answer from 127.0.0.1:${port}`)));
  });
}

async function labelled(c: KubeClient): Promise<string[]> {
  const out: string[] = [];
  for (const [v, k] of [
    ['v1', 'Namespace'],
    ['v1', 'Secret'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster'],
    ['metal3.io/v1alpha1', 'BareMetalHost'],
  ] as const)
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      out.push(`${k}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  return out;
}

describe('topology farm: create after delete --all in the same engine', () => {
  it('starts the farm this engine stopped again; the new clusters are served with their own CA', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'engine-farm-recreate-'));
    const farmDir = join(stateDir, 'farm');
    const farmBase = await freePortBlock(8);
    const store = createScaleStore();
    const mgmt = KubeClient.from({ kubeconfigYaml: world().management.kubeconfigYaml });
    let engine: Engine | undefined;
    try {
      engine = await createEngine({
        config: configSchema.parse({
          topology: 'farm',
          batch: { concurrency: 2 },
          naming: { prefix: 'trecr' },
          farm: { basePort: farmBase, capacity: 4 },
        }),
        store,
        management: { kubeconfigYaml: world().management.kubeconfigYaml },
        managementEtcd: world().management.etcd,
        stateDir,
        reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(6) },
        timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
      });
      expect((await engine.addBatch({ count: 2 })).failures).toEqual([]);
      const firstFarm = farmLockHolder(farmDir);
      expect(firstFarm?.background).toBe(true);
      expect((await engine.deleteClusters({ kind: 'all' })).failed).toEqual([]);
      // delete --all left the farm empty, so it stopped it.
      expect(farmLockHolder(farmDir)).toBeUndefined();
      expect(existsSync(join(farmDir, 'serve.lock'))).toBe(false);

      // The same engine, a new batch: the farm runs again and serves the new clusters.
      const again = await engine.addBatch({ count: 2 });
      expect(again.failures).toEqual([]);
      expect(again.ready).toBe(2);
      const secondFarm = farmLockHolder(farmDir);
      expect(secondFarm?.background).toBe(true);
      expect(secondFarm!.pid).not.toBe(firstFarm!.pid);
      const clusters = Object.values(store.getState().clusters);
      expect(clusters.map((c) => c.phase)).toEqual(['ready', 'ready']);
      for (const c of clusters) {
        const cluster = await mgmt.get('cluster.x-k8s.io/v1beta2', 'Cluster', c.name, c.namespace);
        const port = Number(
          (cluster?.spec as { controlPlaneEndpoint?: { port: number } } | undefined)?.controlPlaneEndpoint?.port,
        );
        expect(port).toBeGreaterThanOrEqual(farmBase);
        const caSecret = await mgmt.get('v1', 'Secret', `${c.name}-ca`, c.namespace);
        const ca = b64((caSecret?.data as Record<string, string> | undefined)?.['tls.crt']);
        await expect(tlsVerified(port, ca)).resolves.toBeTypeOf('string');
        // CAPI's own kubeconfig reaches the cluster's objects on the farm.
        const kc = await mgmt.get('v1', 'Secret', `${c.name}-kubeconfig`, c.namespace);
        const nodes = await KubeClient.from({
          kubeconfigYaml: b64((kc?.data as Record<string, string> | undefined)?.value),
        }).list('v1', 'Node');
        expect(nodes).toHaveLength(1);
      }
      expect(store.getState().log.some((l) => l.message.startsWith('farm: starting the background farm again'))).toBe(
        true,
      );

      // The TUI's farm row follows the new farm (its monitor was started again with it).
      await expect
        .poll(() => store.getState().farms?.local, { timeout: 15_000, interval: 250 })
        .toMatchObject({ reachable: true, clusters: 2 });

      // A farm that serves is left alone: one more batch keeps the same process.
      expect((await engine.addBatch({ count: 1 })).failures).toEqual([]);
      expect(farmLockHolder(farmDir)?.pid).toBe(secondFarm!.pid);

      expect((await engine.deleteClusters({ kind: 'all' })).failed).toEqual([]);
      expect(farmLockHolder(farmDir)).toBeUndefined();
      expect(existsSync(join(farmDir, 'serve.lock'))).toBe(false);
      expect(readdirSync(join(farmDir, 'clusters'))).toEqual([]);
      expect(await labelled(mgmt)).toEqual([]);
      expect((await engine.status()).clusters).toEqual([]);
    } finally {
      await tearDownFarmEngine(engine, stateDir);
    }
  }, 120_000);
});
