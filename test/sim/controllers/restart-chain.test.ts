// An emulated controller restarts when its Deployment's args change (tuning). One restart
// that fails (the API answers 503 to its read of the Deployment) must not end restarts:
// it is retried, logged, and a later args change restarts the controller again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { ControllerManager } from '../../../src/sim/controllers/runtime.js';
import { IDENTITIES } from '../../../src/sim/controllers/identity.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { DEFAULT_COST_MODEL } from '../../../src/sim/cost-model/model.js';

const ID = IDENTITIES.ipam;
const depPath = objectPath(R.deployment, ID.deployment, ID.namespace);

let api: ApiServerHandle;
let client: RestClient;
let manager: ControllerManager;
const logs: string[] = [];

async function until(what: string, fn: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const setArgs = (args: string[]) => {
  const containers = [{ name: ID.container, image: 'x', args }];
  return client.mergePatch(depPath, { spec: { template: { spec: { containers } } } });
};
/** Faults on the Deployment's own path only (the manager watches through the collection path). */
const only = new RegExp(`^${depPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

beforeAll(async () => {
  api = await startApiServer({ name: 'restart-chain' });
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  client = new RestClient(kc);
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ID.namespace } });
  // No selector: the manager names its pod without waiting for one (no kubelet here).
  await client.create(collectionPath(R.deployment, ID.namespace), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ID.deployment, namespace: ID.namespace },
    spec: { template: { spec: { containers: [{ name: ID.container, image: 'x', args: [] }] } } },
  });
  manager = new ControllerManager({
    id: ID.id,
    kubeconfig: kc,
    reconcilers: [],
    model: DEFAULT_COST_MODEL,
    sink: { appendLog: (_ns, _pod, _c, line) => logs.push(line), setPodMetrics: () => {} },
  });
  await manager.start();
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  client?.close();
  await api?.stop();
});

describe('the restart chain of an emulated controller', () => {
  it('survives a failed restart: it is retried, and a later args change still restarts the controller', async () => {
    expect(manager.effective?.qps).toBe(ID.qps);
    let faulted = 0;
    const once = (): void => {
      ++faulted;
      api.faults.clear();
    };
    // The first request on the Deployment's own path is the test's PATCH below; the next one,
    // the restarting manager's read of its flags, gets a 503, and then the API is fine again.
    api.faults.set({
      paths: only,
      onRequest: () => api.faults.set({ paths: only, errorRate: 1, statuses: [503], onRequest: once }),
    });
    await setArgs(['--kube-api-qps=111']);
    await until('the restart to get its 503', () => faulted === 1);

    // Tuning again after the failure restarts the controller with the new flags.
    await setArgs(['--kube-api-qps=222', '--kube-api-burst=333']);
    await until('the controller to run with qps 222', () => manager.effective?.qps === 222);
    expect(manager.effective?.burst).toBe(333);
    // The failure was counted and logged as the real manager would, with the API's answer.
    expect(manager.stats.restartFailures).toBe(1);
    expect(logs.some((l) => /^E\d{4} .*"Restart failed, retrying" controller="ipam" err=".*503/.test(l))).toBe(true);
    expect(faulted).toBe(1);

    // And the chain keeps going for the change after that.
    await setArgs(['--kube-api-qps=7']);
    await until('the controller to run with qps 7', () => manager.effective?.qps === 7);
    expect(logs.filter((l) => l.includes('"Starting manager"') && l.includes('qps=7'))).toHaveLength(1);
  }, 60_000);

  it('stop() ends a restart that keeps failing without waiting out its backoff', async () => {
    const before = manager.stats.restartFailures;
    // After the test's PATCH, every read of the Deployment fails until stop.
    api.faults.set({ paths: only, onRequest: () => api.faults.set({ paths: only, errorRate: 1, statuses: [503] }) });
    await setArgs(['--kube-api-qps=9']);
    // Five failures (backoffs 0.2, 0.4, 0.8, 1.6 s): the loop now waits 3.2 s before the next try.
    await until('five failed attempts', () => manager.stats.restartFailures >= before + 5);
    const t0 = Date.now();
    await manager.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    api.faults.clear();
  }, 60_000);
});
