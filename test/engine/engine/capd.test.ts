// The capd comparison topology: clusterctl arguments, ordering of what clusterctl prints,
// refusal without the Docker provider, and the engine flow (objects -> machine ->
// initialized -> ready, then delete leaves nothing) against the embedded management
// cluster, with this test playing CAPI/CAPD's part through the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createEngine } from '../../../src/engine/engine.js';
import { configSchema } from '../../../src/engine/config/schema.js';
import { UserError } from '../../../src/core/errors.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import {
  capdObjects,
  clusterctlGenerateCapdArgs,
  clusterctlInitDockerArgs,
} from '../../../src/engine/topology/capd.js';
import { namespaceObject } from '../../../src/manifests/namespace.js';
import { MANAGED_SELECTOR } from '../../../src/manifests/labels.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { createScaleStore } from '../../../src/state/store.js';
import { startWorld, type World } from '../../support/fake-controllers.js';
import { installCapdStandIn, playControllers, playDelete, render } from '../../support/capd-play.js';

describe('capd clusterctl arguments and output', () => {
  it('pins every provider to the CAPI release and asks for 1 control plane, 0 workers', () => {
    expect(clusterctlInitDockerArgs('v1.14.0', { kubeconfig: '/k' })).toEqual(
      expect.arrayContaining([
        '--infrastructure=docker:v1.14.0',
        '--core=cluster-api:v1.14.0',
        '--control-plane=kubeadm:v1.14.0',
        '--kubeconfig=/k',
      ]),
    );
    const gen = clusterctlGenerateCapdArgs({
      cluster: 'test-4',
      namespace: 'test-4',
      kubernetesVersion: 'v1.34.1',
      capiVersion: 'v1.14.0',
    });
    expect(gen.slice(0, 3)).toEqual(['generate', 'cluster', 'test-4']);
    expect(gen).toEqual(
      expect.arrayContaining([
        '--flavor=development',
        '--control-plane-machine-count=1',
        '--worker-machine-count=0',
        '--target-namespace=test-4',
        '--kubernetes-version=v1.34.1',
      ]),
    );
  });

  it('orders templates, then the ClusterClass, then the Cluster; fills the namespace; drops printed namespaces', () => {
    const yaml = [
      { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'test-4' } },
      { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'ClusterClass', metadata: { name: 'quick-start' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test-4' } },
      {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
        kind: 'DockerClusterTemplate',
        metadata: { name: 'quick-start-cluster' },
      },
    ]
      .map((o) => stringify(o))
      .join('---\n');
    const objs = capdObjects(yaml, 'test-4', namespaceObject('test-4', { runId: 'r', cluster: 'test-4' }));
    expect(objs.map((o) => o.kind)).toEqual(['Namespace', 'DockerClusterTemplate', 'ClusterClass', 'Cluster']);
    expect(objs.slice(1).every((o) => o.metadata.namespace === 'test-4')).toBe(true);
    expect(objs[0]!.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('scale-tui');
  });

  it('refuses output without a Cluster, or that does not parse', () => {
    const ns = namespaceObject('n', { runId: 'r' });
    expect(() => capdObjects('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', 'n', ns)).toThrow(
      /printed no Cluster/,
    );
    expect(() => capdObjects('kind: [\n', 'n', ns)).toThrow(UserError);
  });
});

let world: World;
let stateDir: string;
// Names of this run only, so the suite can share an external cluster with other runs.
const run = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const prefix = `capd-${run}`;
beforeAll(async () => {
  world = await startWorld();
  stateDir = mkdtempSync(join(tmpdir(), 'engine-capd-'));
}, 60_000);
afterAll(async () => {
  await world?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe('engine, capd topology', () => {
  it('refuses to start without the Docker provider, naming the clusterctl command', async () => {
    const engine = await createEngine({
      config: configSchema.parse({ topology: 'capd', naming: { prefix: `nocapd-${run}` } }),
      store: createScaleStore(),
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      stateDir,
      capdRender: render,
    });
    try {
      const err = await engine.addBatch({ count: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(
        /capd-system\/capd-controller-manager is not in the management cluster/,
      );
      expect((err as UserError).hint).toMatch(/clusterctl init .*--infrastructure=docker:v1\.14\.0/);
    } finally {
      await engine.shutdown();
    }
  });

  it('creates clusters to ready through the capd phases and deletes them without leftovers', async () => {
    const mgmt = KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml });
    await installCapdStandIn(mgmt);
    const store = createScaleStore();
    const played = new Set<string>();
    const failures: string[] = [];
    const off = store.subscribe((s) => {
      for (const c of Object.values(s.clusters)) {
        if (c.phase === 'objects' && !played.has(c.name)) {
          played.add(c.name);
          playControllers(mgmt, c.namespace, c.name).catch((err: Error) => failures.push(`${c.name}: ${err.message}`));
        }
        if (c.phase === 'deleting' && !played.has(`${c.name}/delete`)) {
          played.add(`${c.name}/delete`);
          playDelete(mgmt, c.namespace, c.name).catch((err: Error) => failures.push(`${c.name}: ${err.message}`));
        }
      }
    });
    const engine = await createEngine({
      config: configSchema.parse({ topology: 'capd', naming: { prefix }, batch: { concurrency: 3 } }),
      store,
      management: { kubeconfigYaml: world.management.kubeconfigYaml },
      stateDir,
      capdRender: render,
      timeouts: { controllerMs: 30_000, deleteMs: 30_000 },
    });
    try {
      const summary = await engine.addBatch({ count: 3 });
      expect(failures).toEqual([]);
      expect(summary).toMatchObject({ requested: 3, ready: 3, failed: 0 });
      for (const c of Object.values(store.getState().clusters)) {
        expect(Object.keys(c.transitions).sort()).toEqual(['initialized', 'machine', 'objects', 'queued', 'ready']);
        const cm = await mgmt.get('v1', 'ConfigMap', `${c.name}-quick-start-template`, c.namespace);
        expect(cm?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('scale-tui');
      }
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(failures).toEqual([]);
      expect(del.deleted.sort()).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
      // Only this test's names: on a shared external cluster other suites' objects may exist.
      const mine = (o: KubeObject): boolean => o.metadata.name?.startsWith(`${prefix}-`) ?? false;
      expect(
        (await mgmt.list('cluster.x-k8s.io/v1beta2', 'Cluster', { labelSelector: MANAGED_SELECTOR })).filter(mine),
      ).toEqual([]);
      const left = (await mgmt.list('v1', 'Namespace', { labelSelector: MANAGED_SELECTOR }))
        .filter(mine)
        .map((n) => n.metadata.name);
      expect(left).toEqual([]);
    } finally {
      off();
      await engine.shutdown();
      // The stand-in provider goes, so the refusal test above holds on the next run against the
      // same external cluster (the namespace stays: without a namespace controller it would hang).
      await mgmt.delete('apps/v1', 'Deployment', 'capd-controller-manager', 'capd-system').catch(() => undefined);
    }
  }, 120_000);
});
