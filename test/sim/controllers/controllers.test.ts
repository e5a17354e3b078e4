// The emulated controllers against an API server: the embedded one by default, or the
// one named by SCALE_TUI_TEST_KUBECONFIG (a real kube-apiserver with the CRDs), with no
// code change. The workload API is a real embedded server with TLS from the cluster CA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_CLUSTER, uniqueName } from '../../support/test-cluster.js';
import type { ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import type { RunningControllers } from '../../../src/sim/controllers/index.js';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { DEFAULT_COST_MODEL, type CostModel, withTimeScale } from '../../../src/sim/cost-model/model.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { clusterObjects, workloadObjects, type ClusterPki } from './fixtures.js';
import { type FlowWorld, pathOf, startFlowWorld, until } from './flow-support.js';

// Fast model: the test is about behaviour, not about the curve.
// Every upstream duration (VM 10 s, KCP's 20 s requeue, CAPM3's 30 s, BMO's test-mode
// states) at 1/50 of real time.
const MODEL: CostModel = withTimeScale(DEFAULT_COST_MODEL, 0.02);

// A namespace of this run's own: on a server shared by runs (SCALE_TUI_TEST_KUBECONFIG), one
// left by an earlier, failed run (its Secrets signed by another cluster CA) must not be reused.
const NS = uniqueName('sim-ctl-1');
const CLUSTER = NS; // one name for both, as before (the golden files write names equal to it as <ns>)

let world: FlowWorld | undefined;
/** The embedded management server, when the suite does not run against SCALE_TUI_TEST_KUBECONFIG. */
let mgmt: ApiServerHandle | undefined;
let client: RestClient;
let controllers: RunningControllers;
let workload: ApiServerHandle;
let workloadClient: RestClient;
let pki: ClusterPki;
const logLines: string[] = [];

const get = (res: (typeof R)[keyof typeof R], name: string, ns?: string) => client.get(objectPath(res, name, ns));
const conditionTrue = (o: KubeObject | undefined, type: string) =>
  ((o?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
    (c) => c.type === type && c.status === 'True',
  );

beforeAll(async () => {
  world = await startFlowWorld({
    name: 'ctl-test',
    model: MODEL,
    management: 'embedded',
    workload: true,
    sampleMs: 200,
    onLog: (_pod, line) => logLines.push(line),
    feedEmbedded: true,
  });
  ({ client, controllers, embedded: mgmt } = world);
  ({ server: workload, client: workloadClient, pki } = world.workload!);
}, 60_000);

afterAll(async () => {
  // A shared server (SCALE_TUI_TEST_KUBECONFIG) is left without this run's namespace: what the
  // tests did not delete goes with it, while the controllers still run (their finalizers).
  await world?.stop({ release: EXTERNAL_CLUSTER ? [`/api/v1/namespaces/${NS}`] : [], budgetMs: 100_000 });
}, 120_000);

describe('emulated controllers', () => {
  let machineName = '';
  let bmhUid = '';

  it('takes a cluster to an associated, provisioned host but not to ready without the workload side', async () => {
    for (const o of clusterObjects(NS, CLUSTER, workload.port, pki)) await client.create(pathOf(o), o);
    const m3m = await until('Metal3Machine associated', async () => {
      const list = (await client.list(collectionPath(R.metal3Machine, NS))).items;
      const m = list[0];
      return m &&
        m.metadata.annotations?.['metal3.io/BareMetalHost'] === `${NS}/worker-1` &&
        conditionTrue(m, 'AssociateBareMetalHost')
        ? m
        : undefined;
    });
    machineName = m3m.metadata.name;
    expect(machineName).toMatch(new RegExp(`^${CLUSTER}-[a-z0-9]{5}$`));
    const bmh = await until('host provisioned', async () => {
      const h = await get(R.bmh, 'worker-1', NS);
      return (h?.status as { provisioning?: { state?: string } } | undefined)?.provisioning?.state === 'provisioned'
        ? h
        : undefined;
    });
    bmhUid = (bmh.metadata as unknown as { uid: string }).uid;
    expect((bmh.spec as { consumerRef?: { name?: string } }).consumerRef?.name).toBe(machineName);
    // Secrets KCP generates or finds, and the kubeconfig for the endpoint.
    for (const s of ['ca', 'etcd', 'sa', 'proxy', 'kubeconfig'])
      expect(await get(R.secret, `${CLUSTER}-${s}`, NS), s).toBeDefined();
    // Give the controllers time to (wrongly) declare victory; they must not.
    await new Promise((r) => setTimeout(r, 1500));
    const kcp = await get(R.kcp, CLUSTER, NS);
    expect(
      (kcp?.status as { initialization?: { controlPlaneInitialized?: boolean } } | undefined)?.initialization
        ?.controlPlaneInitialized,
    ).not.toBe(true);
    expect(conditionTrue(await get(R.cluster, CLUSTER, NS), 'Available')).toBe(false);
    expect((await get(R.machine, machineName, NS))?.status).not.toMatchObject({ phase: 'Running' });
  }, 60_000);

  it('becomes ready once the Node, kubeadm-config and mirror pods exist in the workload API', async () => {
    for (const o of workloadObjects(machineName, bmhUid)) {
      const created = await workloadClient.create(pathOf(o), o);
      if (o.kind === 'Pod' && created)
        await workloadClient.mergePatch(`${pathOf(o)}/${o.metadata.name}/status`, { status: o.status });
      if (o.kind === 'Node' && created)
        await workloadClient.mergePatch(`${pathOf(o)}/${o.metadata.name}/status`, { status: o.status });
    }
    const providerID = `metal3://${NS}/worker-1/${machineName}`;
    await until(
      'providerID on the Node',
      async () =>
        ((await workloadClient.get(objectPath(R.node, machineName)))?.spec as { providerID?: string } | undefined)
          ?.providerID === providerID,
    );
    await until(
      'Machine Running',
      async () =>
        ((await get(R.machine, machineName, NS))?.status as { phase?: string } | undefined)?.phase === 'Running',
    );
    await until(
      'KCP ready',
      async () =>
        ((await get(R.kcp, CLUSTER, NS))?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1,
    );
    await until('Cluster Available', async () => conditionTrue(await get(R.cluster, CLUSTER, NS), 'Available'));
    const m3m = await get(R.metal3Machine, machineName, NS);
    expect((m3m?.spec as { providerID?: string } | undefined)?.providerID).toBe(providerID);
  }, 60_000);

  it('restarts KCP with the new limits when its Deployment is patched, and logs client-go throttling', async () => {
    const kcpMgr = controllers.managers.get('kcp')!;
    const oldPod = kcpMgr.podName;
    const dep = await get(
      R.deployment,
      'capi-kubeadm-control-plane-controller-manager',
      'capi-kubeadm-control-plane-system',
    );
    const containers =
      (dep?.spec as { template: { spec: { containers: Array<{ name: string; args: string[] }> } } } | undefined)
        ?.template.spec.containers ?? [];
    const args = [
      ...(containers[0]?.args ?? []),
      '--kube-api-qps=1',
      '--kube-api-burst=1',
      '--kubeadmcontrolplane-concurrency=3',
    ];
    await client.mergePatch(
      objectPath(R.deployment, 'capi-kubeadm-control-plane-controller-manager', 'capi-kubeadm-control-plane-system'),
      {
        spec: { template: { spec: { containers: [{ ...containers[0], args }] } } },
      },
    );
    await until('KCP restarted with qps 1', async () => kcpMgr.effective?.qps === 1 && kcpMgr.podName !== oldPod);
    expect(kcpMgr.effective?.burst).toBe(1);
    expect(kcpMgr.effective?.concurrency['kubeadmcontrolplane-concurrency']).toBe(3);
    expect(kcpMgr.flags).toMatchObject({ qps: 1, burst: 1 });
    // client-go v0.33+ (CAPI v1.14): the structured line, at default verbosity only for waits over 1 s.
    const throttle =
      /^I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ request\.go:\d+\] "Waited before sending request" delay="[\d.]+m?s" reason="client-side throttling, not priority and fairness" verb="[A-Z]+" URL="https:\/\//;
    await until('a throttling line', async () => logLines.some((l) => throttle.test(l)), 20_000);
    if (mgmt) {
      // Served through pods/log of the new pod, like `kubectl logs`.
      const log = await until(
        'throttling in pods/log',
        async () => {
          const text = await client
            .request<string>(
              'GET',
              `/api/v1/namespaces/capi-kubeadm-control-plane-system/pods/${kcpMgr.podName}/log?container=manager`,
            )
            .catch(() => '');
          return typeof text === 'string' && text.split('\n').some((l) => throttle.test(l)) ? text : undefined;
        },
        20_000,
      );
      expect(log).toContain('reason="client-side throttling, not priority and fairness"');
    }
    // Back to fast limits for the rest of the suite.
    await client.mergePatch(
      objectPath(R.deployment, 'capi-kubeadm-control-plane-controller-manager', 'capi-kubeadm-control-plane-system'),
      {
        spec: { template: { spec: { containers: [{ ...containers[0], args: containers[0]?.args ?? [] }] } } },
      },
    );
    await until('KCP back to defaults', async () => kcpMgr.effective?.qps !== 1);
  }, 60_000);

  it('deleting the cluster honours finalizers and releases the host', async () => {
    await client.delete(objectPath(R.cluster, CLUSTER, NS));
    await until('Cluster gone', async () => !(await get(R.cluster, CLUSTER, NS)), 45_000);
    expect(await get(R.machine, machineName, NS)).toBeUndefined();
    expect(await get(R.metal3Machine, machineName, NS)).toBeUndefined();
    expect(await get(R.kcp, CLUSTER, NS)).toBeUndefined();
    const host = await until('host available again', async () => {
      const h = await get(R.bmh, 'worker-1', NS);
      return (h?.status as { provisioning?: { state?: string } } | undefined)?.provisioning?.state === 'available'
        ? h
        : undefined;
    });
    expect((host.spec as { consumerRef?: unknown }).consumerRef).toBeUndefined();
    expect((host.spec as { image?: unknown }).image).toBeUndefined();
  }, 60_000);
});
