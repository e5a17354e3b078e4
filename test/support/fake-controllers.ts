// A management cluster for engine tests, with the controllers' part played: the API named
// by SCALE_TUI_TEST_KUBECONFIG (a real kube-apiserver) or an embedded one; the emulated
// BMO/CAPI/KCP/CABPK/CAPM3 controllers from src/sim (ordinary API clients, so they run
// against either); a simulated kubelet per site that brings Deployments up and serves each
// workload-apiserver Deployment as a real embedded API server on its NodePort; backing
// clusters as further embedded API servers; one multi-tenant etcd admin per site.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { startApiServer } from '../../src/sim/apiserver/index.js';
import { startControllers, type RunningControllers } from '../../src/sim/controllers/index.js';
import { Kubelet, type StartWorkloadServer } from '../../src/sim/kubelet/kubelet.js';
import { MemoryEtcd } from '../../src/sim/etcd-memory/memory-etcd.js';
import { backingObjects, managementObjects } from '../../src/demo/manifests.js';
import { KubeClient } from '../../src/core/kube/client.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { CreatedObjects } from './created.js';
import { beginLeftoverSweep } from './leftovers.js';
import { currentSuite } from './test-cluster.js';

export interface TestSite {
  name: string;
  kubeconfigYaml: string;
  etcd: MemoryEtcd;
  kubelet: Kubelet;
}

export interface World {
  management: TestSite;
  backing: TestSite[];
  controllers: RunningControllers;
  /** True when running against SCALE_TUI_TEST_KUBECONFIG. */
  external: boolean;
  stop(): Promise<void>;
}

const quietSink = { appendLog: () => {}, setPodMetrics: () => {} };

function kc(yaml: string): KubeConfig {
  const k = new KubeConfig();
  k.loadFromString(yaml);
  return k;
}

async function applyAll(yaml: string, objs: KubeObject[]): Promise<CreatedObjects> {
  const created = new CreatedObjects(KubeClient.from({ kubeconfigYaml: yaml }));
  for (const o of objs) await created.create(o);
  return created;
}

const startWorkload: StartWorkloadServer = async (o) => {
  const h = await startApiServer({ name: o.name, port: o.port, builtinCrds: false, tls: o.tls });
  return { port: h.port, stop: () => h.stop() };
};

export async function startWorld(opts: { backing?: number; controllers?: boolean } = {}): Promise<World> {
  const stops: Array<() => Promise<void>> = [];
  // Steps that clean the shared external cluster: one that fails leaves objects the next
  // suite trips over, so stop() throws naming it (after running every other step).
  const shared = new Set<() => Promise<void>>();
  const stop = async (): Promise<void> => {
    const failures: string[] = [];
    // Bounded: a component that does not stop in time is reported, not waited on forever.
    for (const [i, s] of [...stops.splice(0).entries()].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<'slow'>((r) => (timer = setTimeout(() => r('slow'), shared.has(s) ? 70_000 : 10_000)));
      const r = await Promise.race([
        s().catch((err: unknown) => {
          if (shared.has(s)) failures.push(err instanceof Error ? err.message : String(err));
        }),
        slow,
      ]);
      clearTimeout(timer);
      if (r === 'slow' && shared.has(s))
        failures.push(`clean-up step ${i} on the shared cluster did not finish in time`);
      else if (r === 'slow') console.warn(`test world: stop step ${i} did not finish within 10 s`);
    }
    if (failures.length) throw new Error(`test world clean-up incomplete:\n${failures.join('\n')}`);
  };
  try {
    const ext = process.env.SCALE_TUI_TEST_KUBECONFIG;
    let mgmtYaml: string;
    if (ext) mgmtYaml = readFileSync(ext, 'utf8');
    else {
      const api = await startApiServer({ name: 'management' });
      stops.push(() => api.stop());
      mgmtYaml = api.kubeconfigYaml;
    }
    const provided = await applyAll(mgmtYaml, managementObjects());
    // An external cluster is shared by the suites: the provider Deployments made here go at
    // the end (last of all, after the kubelet and controllers), so the next suite finds the
    // cluster as it was.
    if (ext) {
      const deleteProviders = () => provided.deleteAll();
      shared.add(deleteProviders);
      stops.push(deleteProviders);
    }
    const mk = async (name: string, yaml: string): Promise<TestSite> => {
      const kubelet = new Kubelet({
        kubeconfig: kc(yaml),
        nodeName: `${name}-control-plane`,
        startWorkloadServer: startWorkload,
      });
      if (yaml === mgmtYaml) await provided.startKubelet(kubelet, `${name}-control-plane`);
      else await kubelet.start();
      stops.push(() => kubelet.stop());
      const etcd = new MemoryEtcd();
      await etcd.ensureRoot();
      return { name, kubeconfigYaml: yaml, etcd, kubelet };
    };
    const management = await mk('management', mgmtYaml);
    const backing: TestSite[] = [];
    for (let i = 0; i < (opts.backing ?? 0); i++) {
      const api = await startApiServer({ name: `backing-${i + 1}`, builtinCrds: false });
      stops.push(() => api.stop());
      await applyAll(api.kubeconfigYaml, backingObjects());
      backing.push(await mk(`backing-${i + 1}`, api.kubeconfigYaml));
    }
    const controllers = await startControllers({ kubeconfig: kc(mgmtYaml), sink: quietSink, sampleMs: 60_000 });
    stops.push(() => controllers.stop());
    if (ext) {
      // First of all at stop, while the controllers still run (their finalizers go): the
      // scale-tui namespaces this suite left on the shared cluster.
      const sweep = await beginLeftoverSweep({ kubeconfigYaml: mgmtYaml });
      const sweepLeftovers = () => sweep.finish(currentSuite());
      shared.add(sweepLeftovers);
      stops.push(sweepLeftovers);
    }
    return { management, backing, controllers, external: Boolean(ext), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * One World for the calling suite (or describe block): started before its tests, stopped after
 * them, with the timeouts every suite gave these hooks. Returns a getter: the World exists only
 * once beforeAll has run.
 */
export function worldForSuite(): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld();
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  }, 120_000);
  return () => {
    if (!world) throw new Error('the test world did not start (see the beforeAll error)');
    return world;
  };
}
