// Sampling cost does not grow with the number of clusters: one pass makes the same requests
// with 0 and with 300 cluster namespaces (Pods, Secrets and Services in each).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { startMetrics } from '../../src/metrics/index.js';
import { createScaleStore } from '../../src/state/store.js';
import { EXTERNAL_CLUSTER, embeddedOnly, testCluster, type TestCluster } from '../support/test-cluster.js';

let tc: TestCluster;
let client: KubeClient;
beforeAll(async () => {
  tc = await testCluster();
  client = KubeClient.from({ kubeconfigYaml: tc.kubeconfigYaml });
}, 60_000);
afterAll(async () => {
  await tc?.cleanup();
});

async function requestsPerPass(): Promise<string[]> {
  const paths: string[] = [];
  tc.embedded!.faults.set({ errorRate: 0, onRequest: (p) => paths.push(p.split('?')[0]!) });
  const store = createScaleStore();
  const m = startMetrics({ client, store, intervalMs: 3_600_000 });
  try {
    await m.tick(); // the first pass, started by startMetrics itself, is this one
    paths.length = 0;
    await m.tick();
    return paths.sort();
  } finally {
    await m.stop();
    tc.embedded!.faults.clear();
  }
}

describe('sampling requests', () => {
  it.skipIf(EXTERNAL_CLUSTER)(
    embeddedOnly('are the same for 0 and 300 clusters', 'counts requests through the fault switch onRequest hook'),
    async () => {
      const before = await requestsPerPass();
      for (let n = 1; n <= 300; n++) {
        const ns = `test-${n}`;
        await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        await client.createOrSkip({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `${ns}-ca`, namespace: ns },
          data: {},
        } as never);
        await client.createOrSkip({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'kube-apiserver', namespace: ns, labels: { component: 'kube-apiserver' } },
          spec: { containers: [{ name: 'a', image: 'a' }] },
        } as never);
      }
      const after = await requestsPerPass();
      expect(after).toEqual(before);
      expect(before.length).toBeGreaterThan(5); // the pass was counted: Deployments, Pods, PodMetrics
      expect(after.length).toBeLessThan(40);
    },
    120_000,
  );
});
