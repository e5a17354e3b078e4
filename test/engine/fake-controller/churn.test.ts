// Leak check: FakeController kept a workload client (and a "done" entry) for every cluster it
// ever served. After 1000 clusters come and go, both must be empty.
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../src/core/kube/client.js';
import { FakeController } from '../../../src/engine/fake-controller/fake-controller.js';
import type { KubeObject } from '../../../src/manifests/types.js';

const KUBECONFIG = Buffer.from(
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: w\n  cluster:\n    server: https://127.0.0.1:1',
    'users:',
    '- name: w\n  user:\n    token: t',
    'contexts:',
    '- name: w\n  context:\n    cluster: w\n    user: w',
    'current-context: w',
  ].join('\n'),
).toString('base64');

describe('FakeController churn', () => {
  it('forgets each cluster client and machine when its Metal3Machine goes (1000 clusters)', async () => {
    const management = {
      get: async () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { value: KUBECONFIG } }),
    } as unknown as KubeClient;
    const fc = new FakeController({ management, kubernetesVersion: 'v1.32.0', runId: 'r' });
    let peak = 0;
    for (let i = 1; i <= 1000; i++) {
      const ns = `test-${i}`;
      const m3m: KubeObject = {
        apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
        kind: 'Metal3Machine',
        metadata: { name: `test-${i}-md-0-x`, namespace: ns, labels: { 'cluster.x-k8s.io/cluster-name': ns } },
      };
      const a = await fc.clientFor(ns, ns);
      expect(await fc.clientFor(ns, ns)).toBe(a); // cached while the cluster lives
      peak = Math.max(peak, fc.tracked.clients);
      fc.forget(m3m);
    }
    expect(peak).toBe(1);
    expect(fc.tracked).toEqual({ machines: 0, clients: 0 });
  });
});
