// The background farm dies mid-run (SIGKILL) and the engine that is running starts it again:
// no new engine, no `create --resume`. The clusters answer again on the same ports with the
// same serving certificates and their objects (CAPI's own kubeconfig lists the Node), the
// engine log says what happened, `status` and the TUI's farm row count the restart, and a
// control call through the same engine reaches the new farm. A farm stopped on purpose
// (`delete --all` leaves it empty) is not started again.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { createScaleStore } from '../../../src/state/store.js';
import { farmLockHolder } from '../../../src/engine/topology/farm-process.js';
import { tearDownFarmEngine } from '../../support/farm-engine.js';
import { worldForSuite } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';

const world = worldForSuite();

/** The fingerprint of the certificate a port serves, or undefined when nothing answers TLS. */
function served(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 3000 }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256);
      s.destroy();
    });
    s.once('error', () => resolve(undefined));
    s.once('timeout', () => {
      s.destroy();
      resolve(undefined);
    });
  });
}

const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

describe('topology farm: a background farm that dies mid-run', () => {
  it('is restarted by the running engine; its clusters answer again with the same certificates', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'engine-farm-restart-'));
    const farmDir = join(stateDir, 'farm');
    const farmBase = await freePortBlock(4);
    const store = createScaleStore();
    let engine: Engine | undefined;
    try {
      engine = await createEngine({
        config: configSchema.parse({
          topology: 'farm',
          batch: { concurrency: 2 },
          naming: { prefix: 'trst' },
          farm: { basePort: farmBase, capacity: 2 },
        }),
        store,
        management: { kubeconfigYaml: world().management.kubeconfigYaml },
        managementEtcd: world().management.etcd,
        stateDir,
        reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(2) },
        timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
      });
      const summary = await engine.addBatch({ count: 2 });
      expect(summary.failures).toEqual([]);
      const mgmt = KubeClient.from({ kubeconfigYaml: world().management.kubeconfigYaml });
      const clusters = Object.values(store.getState().clusters);
      const endpoints = new Map<string, { port: number; cert: string | undefined; kubeconfig: string }>();
      for (const c of clusters) {
        const cluster = await mgmt.get('cluster.x-k8s.io/v1beta2', 'Cluster', c.name, c.namespace);
        const port = Number(
          (cluster?.spec as { controlPlaneEndpoint?: { port: number } } | undefined)?.controlPlaneEndpoint?.port,
        );
        expect(port).toBeGreaterThanOrEqual(farmBase);
        const kc = await mgmt.get('v1', 'Secret', `${c.name}-kubeconfig`, c.namespace);
        const kubeconfig = b64((kc?.data as Record<string, string> | undefined)?.value);
        endpoints.set(c.name, { port, cert: await served(port), kubeconfig });
      }
      for (const e of endpoints.values()) expect(e.cert).toBeTruthy();

      const before = farmLockHolder(farmDir);
      expect(before?.background).toBe(true);
      process.kill(before!.pid, 'SIGKILL');

      // The same engine notices and starts it again; every cluster serves its certificate.
      await expect
        .poll(
          async () => {
            const now = farmLockHolder(farmDir);
            if (!now || now.pid === before!.pid) return 'not restarted';
            for (const e of endpoints.values()) if ((await served(e.port)) !== e.cert) return `port ${e.port}`;
            return 'serving';
          },
          { timeout: 60_000, interval: 500 },
        )
        .toBe('serving');
      // CAPI's own kubeconfig reaches the restored objects.
      for (const e of endpoints.values()) {
        const nodes = await KubeClient.from({ kubeconfigYaml: e.kubeconfig }).list('v1', 'Node');
        expect(nodes).toHaveLength(1);
      }
      const lines = store.getState().log.map((l) => l.message);
      expect(
        lines.some((m) => m.includes(`farm: the background farm (pid ${before!.pid}) exited without stopping`)),
      ).toBe(true);
      expect(lines.some((m) => m.startsWith(`farm: restarted the background farm (pid ${before!.pid} -> `))).toBe(true);
      expect((await engine.status()).farm?.restarts?.count).toBe(1);
      // The TUI's farm row (polled every 5 s) follows the new farm and counts the restart.
      await expect
        .poll(() => store.getState().farms?.local, { timeout: 20_000, interval: 500 })
        .toMatchObject({ reachable: true, restarts: 1, clusters: 2 });
      // A control call through the same engine reaches the new farm.
      const first = clusters[0]!.name;
      expect(await engine.farmFault(first, 'api-slow')).toMatchObject({ latencyMs: expect.any(Number) });

      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      // Stopped on purpose once empty: after a few probe intervals it is still stopped.
      await new Promise((r) => setTimeout(r, 5000));
      expect(farmLockHolder(farmDir)).toBeUndefined();
      expect(existsSync(join(farmDir, 'serve.lock'))).toBe(false);
      expect(JSON.parse(readFileSync(join(farmDir, 'supervisor.json'), 'utf8'))).toMatchObject({ count: 1 });
    } finally {
      await tearDownFarmEngine(engine, stateDir);
    }
  }, 240_000);
});
