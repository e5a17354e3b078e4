// The samplers over HTTP against the embedded API server: a controller Deployment and pod,
// PodMetrics and a followed log with throttling lines, a pod replaced by a tuning rollout,
// and metrics.k8s.io missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { CONTROLLERS } from '../../src/core/tune/flags.js';
import type { JournalEvent } from '../../src/core/types.js';
import { startMetrics, type Target } from '../../src/metrics/index.js';
import { createScaleStore } from '../../src/state/store.js';
import { EXTERNAL_CLUSTER, embeddedOnly, testCluster, type TestCluster } from '../support/test-cluster.js';
import { managerDeployment } from '../support/deployments.js';

const spec = CONTROLLERS.kcp;
const ns = spec.namespace;
const target: Target = {
  id: 'kcp',
  namespace: ns,
  deployment: spec.deployment,
  container: spec.container,
  tunable: 'kcp',
};
const line = (ms: string, path: string): string =>
  `I1125 02:03:04.123456       1 request.go:697] Waited for ${ms} due to client-side throttling, not priority and fairness, request: GET:https://10.96.0.1:443${path}`;

let tc: TestCluster;
let client: KubeClient;

async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pod(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { 'control-plane': 'controller-manager' } },
    spec: { containers: [{ name: 'manager', image: 'kcp' }] },
  };
}

beforeAll(async () => {
  tc = await testCluster();
  client = KubeClient.from({ kubeconfigYaml: tc.kubeconfigYaml });
  await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.createOrSkip(
    managerDeployment(ns, spec.deployment, {
      image: 'kcp',
      args: ['--kubeadmcontrolplane-concurrency=10', '--kube-api-qps=20', '--kube-api-burst=30'],
    }),
  );
  await client.createOrSkip(pod('kcp-a') as never);
}, 60_000);

afterAll(async () => {
  await tc?.cleanup();
});

describe('metrics sampler', () => {
  it.skipIf(EXTERNAL_CLUSTER)(
    embeddedOnly(
      'samples CPU/memory, reads flags, follows logs across a pod restart, and journals it all',
      'PodMetrics and container logs come from the embedded providers; a bare API server has neither',
    ),
    async () => {
      const api = tc.embedded!;
      api.metrics.setPodMetrics(ns, 'kcp-a', [{ name: 'manager', cpuMillicores: 250, memoryBytes: 100 * 2 ** 20 }]);
      api.logs.append(ns, 'kcp-a', 'manager', 'I1125 02:03:04.000000       1 controller.go:117] "Reconciling"');
      api.logs.append(ns, 'kcp-a', 'manager', line('1.5s', '/api/v1/namespaces/test-1/secrets/test-1-ca'));
      const store = createScaleStore();
      const journal: JournalEvent[] = [];
      // The log lines carry klog times of 02:03:04; the sampler's clock sits a minute later.
      const now = Date.UTC(new Date().getUTCFullYear(), 10, 25, 2, 4, 0);
      const m = startMetrics({
        client,
        store,
        intervalMs: 3_600_000,
        targets: [target],
        journal: (e) => journal.push(e),
        now: () => now,
      });
      try {
        await m.tick();
        await until(() => store.getState().throttling.recent.length === 1, 'the first throttling line');
        // The controller's whole log is kept, not only its throttling lines.
        expect(store.getState().controllerLogs.kcp?.map((l) => l.text)).toEqual([
          'I1125 02:03:04.000000       1 controller.go:117] "Reconciling"',
          line('1.5s', '/api/v1/namespaces/test-1/secrets/test-1-ca'),
        ]);
        const kcp = store.getState().controllers.kcp!;
        expect(kcp.cpuMillicores).toEqual([250]);
        expect(kcp.memoryBytes).toEqual([100 * 2 ** 20]);
        expect(kcp.flags).toEqual({ concurrency: { 'kubeadmcontrolplane-concurrency': 10 }, qps: 20, burst: 30 });
        expect(kcp.supportedConcurrencyFlags).toContain('kubeadmcontrolplane-concurrency');
        expect(store.getState().throttling.recent[0]).toMatchObject({
          controller: 'kcp',
          waitMs: 1500,
          verb: 'GET',
          path: '/api/v1/namespaces/test-1/secrets/test-1-ca',
        });

        // A line written while followed arrives without a new tick.
        api.logs.append(ns, 'kcp-a', 'manager', line('250ms', '/api/v1/namespaces/test-2/secrets/test-2-ca'));
        await until(() => store.getState().throttling.recent.length === 2, 'a streamed line');

        // Tuning rolled the Deployment: the old pod goes, a new one logs.
        await client.delete('v1', 'Pod', 'kcp-a', ns);
        await client.createOrSkip(pod('kcp-b') as never);
        api.metrics.setPodMetrics(ns, 'kcp-b', [{ name: 'manager', cpuMillicores: 400, memoryBytes: 120 * 2 ** 20 }]);
        api.logs.append(
          ns,
          'kcp-b',
          'manager',
          line('2s', '/apis/cluster.x-k8s.io/v1beta2/namespaces/test-3/machines'),
        );
        await m.tick();
        await until(() => store.getState().throttling.recent.length === 3, 'the new pod’s line');
        await m.tick();
        const after = store.getState();
        expect(after.controllers.kcp!.cpuMillicores.slice(-1)).toEqual([400]);
        expect(after.throttling.perController.kcp).toMatchObject({ total: 3, perMinute: 3, maxMs: 2000, p50Ms: 1500 });
        expect(journal.filter((e) => e.type === 'throttle')).toHaveLength(3);
        // The rollout's new pod logs into the same controller buffer, after the old pod's lines.
        expect(after.controllerLogs.kcp?.map((l) => l.pod)).toEqual(['kcp-a', 'kcp-a', 'kcp-a', 'kcp-b']);
        expect(journal.some((e) => e.type === 'metrics' && e.pod === 'kcp-b' && e.cpuMillicores === 400)).toBe(true);
      } finally {
        await m.stop();
      }
    },
  );

  it.skipIf(EXTERNAL_CLUSTER)(
    embeddedOnly(
      'says once that metrics.k8s.io is missing, keeps following logs, and resumes when it comes back',
      'switches metrics.k8s.io off through the fault switch and writes logs through the embedded provider',
    ),
    async () => {
      const api = tc.embedded!;
      api.faults.set({ paths: /metrics\.k8s\.io/, errorRate: 1, statuses: [503] });
      const store = createScaleStore();
      let clock = Date.now();
      const m = startMetrics({ client, store, intervalMs: 3_600_000, targets: [target], now: () => clock });
      try {
        await m.tick();
        await m.tick();
        const warnings = store.getState().log.filter((l) => /metrics\.k8s\.io is not served/.test(l.message));
        expect(warnings).toHaveLength(1);
        expect(store.getState().controllers.kcp?.metricsNote).toBe('no metrics-server');
        expect(store.getState().controllers.kcp?.cpuMillicores).toEqual([]);
        api.logs.append(ns, 'kcp-b', 'manager', line('3s', '/api/v1/nodes'));
        await until(
          () => store.getState().throttling.recent.some((t) => t.waitMs === 3000),
          'a line without metrics-server',
        );

        // Installed mid-run: not asked again within the minute, then sampled again after it.
        api.faults.clear();
        api.metrics.setPodMetrics(ns, 'kcp-b', [{ name: 'manager', cpuMillicores: 40, memoryBytes: 2 ** 20 }]);
        clock += 30_000;
        await m.tick();
        expect(store.getState().controllers.kcp?.cpuMillicores).toEqual([]);
        clock += 31_000;
        await m.tick();
        expect(store.getState().controllers.kcp?.cpuMillicores).toEqual([40]);
        expect(store.getState().controllers.kcp?.metricsNote).toBeUndefined();
        expect(store.getState().log.filter((l) => /metrics\.k8s\.io is served now/.test(l.message))).toHaveLength(1);
      } finally {
        api.faults.clear();
        await m.stop();
      }
    },
  );
});
