import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { FakeController } from '../../../src/engine/fake-controller/fake-controller.js';
import { hostObjects } from '../../../src/manifests/hosts.js';
import { createScaleStore } from '../../../src/state/store.js';
import { startWorld, type World } from '../../support/fake-controllers.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { freePortBlock } from '../../support/ports.js';

let world: World;
let engine: Engine;
let stateDir: string;
beforeAll(async () => {
  world = await startWorld();
  stateDir = mkdtempSync(join(tmpdir(), 'fakectl-'));
}, 60_000);
afterAll(async () => {
  await engine?.shutdown();
  await world?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

function until<T>(f: () => Promise<T | undefined>): Promise<T> {
  return new Promise((resolve) => {
    const tick = async (): Promise<void> => {
      const v = await f().catch(() => undefined);
      if (v !== undefined) resolve(v);
      else setTimeout(() => void tick(), 200);
    };
    void tick();
  });
}

describe('FakeController', () => {
  it('creates the worker Node for a Metal3Machine without providerID, named exactly like its Machine', async () => {
    const config = configSchema.parse({ topology: 'dedicated', naming: { prefix: 'fc' } });
    engine = await createEngine({
      config,
      store: createScaleStore(),
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      managementEtcd: world.management.etcd,
      stateDir,
      reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(100) },
      timeouts: { controllerMs: 60_000, apiMs: 30_000, deleteMs: 60_000 },
    });
    const s = await engine.addBatch({ count: 1 });
    expect(s.ready).toBe(1);
    const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
    const fc = new FakeController({
      management: mgmt,
      kubernetesVersion: config.cluster.kubernetesVersion,
      runId: 'test',
      retryMs: 200,
    });
    await fc.start();
    try {
      // A second host, a worker Machine and its M3M, as a MachineDeployment scale-up makes them.
      for (const o of hostObjects({
        index: 900,
        name: 'worker-2',
        namespace: 'fc-1',
        credentials: { username: 'a', password: 'b' },
        variant: 'available',
        ownership: { runId: 'test' },
      }))
        await mgmt.createOrSkip(o);
      const bmh = await until(() => mgmt.get('metal3.io/v1alpha1', 'BareMetalHost', 'worker-2', 'fc-1'));
      const uid = (bmh.metadata as { uid?: string }).uid!;
      await mgmt.createOrSkip({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Machine',
        metadata: {
          name: 'fc-1-workers-abcde',
          namespace: 'fc-1',
          labels: { 'cluster.x-k8s.io/cluster-name': 'fc-1' },
        },
        spec: {
          clusterName: 'fc-1',
          bootstrap: { dataSecretName: 'none' },
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'Metal3Machine',
            name: 'fc-1-workers-abcde',
          },
        },
      });
      const machine = (await mgmt.get('cluster.x-k8s.io/v1beta2', 'Machine', 'fc-1-workers-abcde', 'fc-1'))!;
      const m3m: KubeObject = {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'Metal3Machine',
        metadata: {
          name: 'fc-1-workers-abcde',
          namespace: 'fc-1',
          labels: { 'cluster.x-k8s.io/cluster-name': 'fc-1' },
          annotations: { 'metal3.io/BareMetalHost': 'fc-1/worker-2' },
          ownerReferences: [
            {
              apiVersion: 'cluster.x-k8s.io/v1beta2',
              kind: 'Machine',
              name: machine.metadata.name,
              uid: (machine.metadata as { uid?: string }).uid!,
            },
          ],
        },
        spec: { image: { url: 'http://x/i.qcow2', checksum: 'abc', checksumType: 'md5', format: 'raw' } },
      };
      await mgmt.createOrSkip(m3m);
      const kc = await mgmt.get<KubeObject & { data?: Record<string, string> }>(
        'v1',
        'Secret',
        'fc-1-kubeconfig',
        'fc-1',
      );
      const workload = KubeClient.from({ kubeconfigYaml: Buffer.from(kc!.data!.value!, 'base64').toString('utf8') });
      const node = await until(() => workload.get('v1', 'Node', 'fc-1-workers-abcde'));
      expect(node.metadata.labels?.['metal3.io/uuid']).toBe(uid);
      expect(node.metadata.labels?.['node-role.kubernetes.io/control-plane']).toBeUndefined();
      expect(fc.created).toBe(1);
      // Exactly one Node per Machine: the control-plane Node was written by the engine, not here.
      expect((await workload.list('v1', 'Node')).map((n) => n.metadata.name).sort()).toHaveLength(2);
    } finally {
      fc.stop();
    }
  }, 120_000);
});
