import { describe, expect, it } from 'vitest';
import { tune, showControllers, type DeploymentApi } from '../../../src/engine/tune/tune.js';
import { rolloutPending, type DeploymentLike } from '../../../src/core/tune/rollout.js';
import type { KubeObject } from '../../../src/manifests/types.js';

/** An in-memory Deployment store whose "deployment controller" finishes a rollout after `stepsToReady` reads. */
function fakeCluster(
  initial: DeploymentLike[],
  stepsToReady = 2,
): DeploymentApi & { patches: KubeObject[]; objects: Map<string, DeploymentLike> } {
  const objects = new Map(initial.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, structuredClone(d)]));
  const patches: KubeObject[] = [];
  let reads = 0;
  return {
    objects,
    patches,
    async get<T extends KubeObject = KubeObject>(_v: string, _k: string, name: string, ns?: string) {
      const d = objects.get(`${ns}/${name}`);
      if (!d) return undefined;
      if (d.status && (d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0) && ++reads >= stepsToReady) {
        d.status = {
          ...d.status,
          observedGeneration: d.metadata.generation,
          updatedReplicas: 1,
          availableReplicas: 1,
          replicas: 1,
        };
      }
      return structuredClone(d) as unknown as T;
    },
    async mergePatch(obj: KubeObject) {
      patches.push(obj);
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      const d = objects.get(key)!;
      const rv = (obj.metadata as { resourceVersion?: string }).resourceVersion;
      if (rv && rv !== d.metadata.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
      const containers = (obj.spec as DeploymentLike['spec'])!.template!.spec!.containers!;
      d.spec!.template!.spec!.containers = containers;
      d.metadata.generation = (d.metadata.generation ?? 1) + 1;
      d.metadata.resourceVersion = String(Number(d.metadata.resourceVersion) + 1);
      d.status = { ...d.status, updatedReplicas: 0 };
      reads = 0;
      return structuredClone(d);
    },
  };
}

function kcpDeployment(args: string[]): DeploymentLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'capi-kubeadm-control-plane-controller-manager',
      namespace: 'capi-kubeadm-control-plane-system',
      generation: 1,
      resourceVersion: '10',
    },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'manager', args, command: ['/manager'] },
            { name: 'sidecar', args: ['--x'] },
          ],
        },
      },
    },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  };
}

describe('tune()', () => {
  it('patches only the manager args, waits for the rollout and reports before/after', async () => {
    // --concurrency is KCP's own reconciler: --clustercache-concurrency stays as the Deployment has it.
    const args = ['--leader-elect', '--kube-api-qps=20', '--clustercache-concurrency=100'];
    const cluster = fakeCluster([kcpDeployment(args)]);
    const request = { concurrency: 10, qps: 200, burst: 300 };
    const res = await tune(cluster, 'kcp', request, { pollMs: 1, sleep: async () => {} });
    expect(res.before).toEqual({ concurrency: { 'clustercache-concurrency': 100 }, qps: 20 });
    expect(res.after).toEqual({
      concurrency: { 'kubeadmcontrolplane-concurrency': 10, 'clustercache-concurrency': 100 },
      qps: 200,
      burst: 300,
    });
    const stored = cluster.objects.get(
      'capi-kubeadm-control-plane-system/capi-kubeadm-control-plane-controller-manager',
    )!;
    const [manager, sidecar] = stored.spec!.template!.spec!.containers!;
    expect(manager!.args).toEqual([
      '--leader-elect',
      '--kube-api-qps=200',
      '--clustercache-concurrency=100',
      '--kubeadmcontrolplane-concurrency=10',
      '--kube-api-burst=300',
    ]);
    expect(manager!.command).toEqual(['/manager']);
    expect(sidecar!.args).toEqual(['--x']);
    expect(stored.status!.observedGeneration).toBe(2);
    expect((cluster.patches[0]!.metadata as { resourceVersion?: string }).resourceVersion).toBe('10');
  });

  it('times out with a message naming the deployment when the rollout never completes', async () => {
    const cluster = fakeCluster([kcpDeployment([])], Number.MAX_SAFE_INTEGER);
    let t = 0;
    const err = await tune(
      cluster,
      'kcp',
      { qps: 50 },
      {
        timeoutMs: 5000,
        pollMs: 1000,
        sleep: async (ms) => {
          t += ms;
        },
        now: () => t,
      },
    ).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(
      /rollout of capi-kubeadm-control-plane-system\/capi-kubeadm-control-plane-controller-manager did not complete within 5 s/,
    );
  });

  it('reports a missing Deployment as a UserError; --show lists it as not found', async () => {
    const cluster = fakeCluster([kcpDeployment(['--kubeadmcontrolplane-concurrency=3'])]);
    await expect(tune(cluster, 'capm3', { qps: 5 })).rejects.toThrow(
      /capm3-system\/capm3-controller-manager not found/,
    );
    const view = await showControllers(cluster, ['kcp', 'capm3']);
    expect(view.map((v) => [v.id, v.found, v.flags.concurrency])).toEqual([
      ['kcp', true, { 'kubeadmcontrolplane-concurrency': 3 }],
      ['capm3', false, {}],
    ]);
  });

  it('rolloutPending explains each unfinished state', () => {
    const d = kcpDeployment([]);
    expect(rolloutPending(d, 1)).toBeUndefined();
    expect(rolloutPending(d, 2)).toMatch(/observe/);
    d.status = { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 };
    expect(rolloutPending(d, 2)).toMatch(/old replicas/);
  });
});
