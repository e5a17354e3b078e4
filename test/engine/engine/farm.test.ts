// The farm topology end to end on the embedded management cluster with the emulated
// controllers: the engine starts its background farm (a detached `farm serve`), creates
// clusters whose API the farm serves (Cluster.controlPlaneEndpoint = the farm's host:port),
// is killed mid-batch and resumed by a fresh engine (which finds the same farm, still
// serving), and every cluster answers on its farm port with a certificate its own
// `<cluster>-ca` trusts and the Node CAPM3 matched by uuid. Delete all leaves no labelled
// object and no cluster in the farm's state, stops the farm (nothing left to serve), and
// the farm's ports stop answering.
import { existsSync, readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import { CAPM3_VERSION } from '../../../src/manifests/cluster.js';
import { createScaleStore, type ScaleStore } from '../../../src/state/store.js';
import { FarmClient } from '../../../src/engine/topology/farm.js';
import { tearDownFarmEngine } from '../../support/farm-engine.js';
import { worldForSuite } from '../../support/fake-controllers.js';
import { freePortBlock } from '../../support/ports.js';
import { storeReaches, tlsRefused } from '../../support/probes.js';

const world = worldForSuite();

const COUNT = 8;

function options(stateDir: string, store: ScaleStore, basePort: number, farmBase: number): EngineOptions {
  return {
    config: configSchema.parse({
      topology: 'farm',
      batch: { concurrency: 6 },
      naming: { prefix: 'tfarm' },
      farm: { basePort: farmBase, capacity: COUNT },
    }),
    store,
    management: { kubeconfigYaml: world().management.kubeconfigYaml },
    managementEtcd: world().management.etcd,
    stateDir,
    reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
    timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
  };
}

async function labelled(c: KubeClient): Promise<string[]> {
  const out: string[] = [];
  for (const [v, k] of [
    ['v1', 'Namespace'],
    ['v1', 'Secret'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster'],
    ['cluster.x-k8s.io/v1beta2', 'Machine'],
    ['metal3.io/v1alpha1', 'BareMetalHost'],
  ] as const)
    for (const o of await c.list(v, k, { labelSelector: MANAGED_SELECTOR }))
      out.push(`${k}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  return out;
}

/** The farm's serving certificate checked against the cluster's own CA (rejectUnauthorized). */
function tlsVerified(host: string, port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, ca: caPem, servername: undefined, rejectUnauthorized: true, timeout: 5000 }, () => {
      const subject = String(s.getPeerCertificate().subject?.CN ?? '');
      s.end();
      resolve(subject);
    });
    s.once('error', reject);
    s.once('timeout', () => s.destroy(new Error(`no TLS answer from ${host}:${port}`)));
  });
}

const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

describe('topology farm', () => {
  it(`creates ${COUNT} on the background farm, survives a kill mid-batch, each answers on its farm port with its own CA, deletes all, leaves nothing`, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'engine-farm-'));
    const basePort = await freePortBlock(COUNT);
    const farmBase = await freePortBlock(COUNT * 2);
    let engine: Engine | undefined;
    try {
      const store1 = createScaleStore();
      engine = await createEngine(options(stateDir, store1, basePort, farmBase));
      const first = engine.addBatch({ count: COUNT }).catch((e: Error) => e);
      await storeReaches(
        store1,
        () => Object.values(store1.getState().clusters).filter((c) => c.transitions.machine !== undefined).length >= 3,
      );
      const lock = join(stateDir, 'farm', 'serve.lock');
      const farmPid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
      await engine.abort();
      expect(await first).toBeInstanceOf(Error);
      expect(Object.values(store1.getState().clusters).filter((c) => c.phase === 'ready').length).toBeLessThan(COUNT);

      const store2 = createScaleStore();
      engine = await createEngine(options(stateDir, store2, basePort, farmBase));
      const summary = await engine.resumeRun();
      expect(summary.failures).toEqual([]);
      // The farm outlived the killed engine: the fresh one uses the same process.
      expect((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid).toBe(farmPid);
      const clusters = Object.values(store2.getState().clusters);
      expect(clusters).toHaveLength(COUNT);
      expect(clusters.every((c) => c.phase === 'ready')).toBe(true);
      expect(clusters.every((c) => c.placement === 'local')).toBe(true);

      const mgmt = KubeClient.from({ kubeconfigYaml: world().management.kubeconfigYaml });
      const ports = new Set<number>();
      for (const c of clusters) {
        const cluster = await mgmt.get('cluster.x-k8s.io/v1beta2', 'Cluster', c.name, c.namespace);
        const ep = (cluster?.spec as { controlPlaneEndpoint?: { host: string; port: number } } | undefined)
          ?.controlPlaneEndpoint;
        expect(ep?.host).toBe('127.0.0.1');
        expect(ep!.port).toBeGreaterThanOrEqual(farmBase);
        expect(ep!.port).toBeLessThan(farmBase + COUNT * 2);
        ports.add(ep!.port);
        const m3c = (await mgmt.list(CAPM3_VERSION, 'Metal3Cluster', { namespace: c.namespace })).at(0);
        expect((m3c?.spec as { controlPlaneEndpoint?: { port: number } } | undefined)?.controlPlaneEndpoint?.port).toBe(
          ep!.port,
        );
        const caSecret = await mgmt.get('v1', 'Secret', `${c.name}-ca`, c.namespace);
        const ca = b64((caSecret?.data as Record<string, string> | undefined)?.['tls.crt']);
        await expect(tlsVerified(ep!.host, ep!.port, ca)).resolves.toBeTypeOf('string');
        // CAPI's own kubeconfig for the cluster (from its CA) reaches the farm; the Node
        // carries the BMH's uid, and CAPM3 matched it (providerID set).
        const kc = await mgmt.get('v1', 'Secret', `${c.name}-kubeconfig`, c.namespace);
        const workload = KubeClient.from({
          kubeconfigYaml: b64((kc?.data as Record<string, string> | undefined)?.value),
        });
        const nodes = await workload.list('v1', 'Node');
        expect(nodes).toHaveLength(1);
        expect(nodes[0]!.metadata.labels?.['metal3.io/uuid']).toBeTruthy();
      }
      expect(ports.size).toBe(COUNT);

      const control = JSON.parse(readFileSync(join(stateDir, 'farm', 'control.json'), 'utf8')) as { url: string };
      const token = readFileSync(join(stateDir, 'farm', 'control-token'), 'utf8').trim();
      expect(await new FarmClient({ name: 'local', url: control.url, token }).capacity()).toMatchObject({
        reachable: true,
        used: COUNT,
      });
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
      expect(del.deleted).toHaveLength(COUNT);
      expect(await labelled(mgmt)).toEqual([]);
      // Nothing left to serve: no cluster state, the background farm stopped, no listener.
      expect(readdirSync(join(stateDir, 'farm', 'clusters'))).toEqual([]);
      expect(existsSync(lock)).toBe(false);
      expect(await new FarmClient({ name: 'local', url: control.url, token }).capacity()).toMatchObject({
        reachable: false,
      });
      for (const p of ports) expect(await tlsRefused('127.0.0.1', p)).toBe(true);
      expect((await engine.status()).clusters).toEqual([]);
    } finally {
      await tearDownFarmEngine(engine, stateDir);
    }
  }, 240_000);
});
