// One cluster's life (paused -> create -> ready -> workers -> scale -> delete) through the
// emulated controllers against `scale-tui sim apiserver` in its own process with the real
// CRDs (or SCALE_TUI_TEST_KUBECONFIG), checking each upstream behaviour issue 16 lists and
// every controller's ordered writes against test/sim/controllers/golden/ (derived from CAPI
// v1.14.0, CAPM3 v1.13.2, BMO v0.13.2; each file's header names the upstream function behind
// each step). Regenerate the golden files only on purpose:
// UPDATE_GOLDEN=1 npx vitest run test/sim/controllers/upstream-flow.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_CLUSTER, uniqueName } from '../../support/test-cluster.js';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import type { RunningControllers } from '../../../src/sim/controllers/index.js';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../../src/sim/cost-model/model.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { clusterObjects, extraHost, workloadObjects, type ClusterPki } from './fixtures.js';
import {
  distinctInOrder,
  field as st,
  type FlowWorld,
  goldenSequence,
  pathOf,
  startFlowWorld,
  until,
  type Write,
} from './flow-support.js';

// A namespace of this run's own: on a server shared by runs (SCALE_TUI_TEST_KUBECONFIG), one
// left by an earlier, failed run (its Secrets signed by another cluster CA) must not be reused.
const NS = uniqueName('flow-1');
const CLUSTER = NS; // one name for both, as before (the golden files write names equal to it as <ns>)
const GOLDEN = join(__dirname, 'golden');
const MODEL = withTimeScale(DEFAULT_COST_MODEL, 0.01);

let world: FlowWorld | undefined;
let client: RestClient;
let controllers: RunningControllers;
let workload: ApiServerHandle;
let workloadClient: RestClient;
let pki: ClusterPki;
let writes: Write[] = [];
const get = (res: (typeof R)[keyof typeof R], name: string, ns?: string) => client.get(objectPath(res, name, ns));
const list = async (res: (typeof R)[keyof typeof R]) => (await client.list(collectionPath(res, NS))).items;
const cond = (o: KubeObject | undefined, type: string) =>
  (
    (o?.status as { conditions?: Array<{ type: string; status: string; reason?: string }> } | undefined)?.conditions ??
    []
  ).find((c) => c.type === type);
const hostState = async (name: string) => st<string>(await get(R.bmh, name, NS), 'status', 'provisioning', 'state');

const host = (name: string, i: number) => extraHost(NS, name, `00:60:2f:31:81:0${i}`, 6230 + i);

/** The fixture's cluster, paused, with a data template, two more hosts and a one-replica MachineDeployment. */
function objects(): KubeObject[] {
  const base = clusterObjects(NS, CLUSTER, workload.port, pki).filter(
    (o) => o.metadata.name !== `${CLUSTER}-apiserver-etcd-client`,
  );
  for (const o of base) {
    if (o.kind === 'Cluster') (o.spec as Record<string, unknown>).paused = true;
    if (o.kind === 'Metal3MachineTemplate')
      (o.spec as { template: { spec: Record<string, unknown> } }).template.spec.dataTemplate = {
        name: `${CLUSTER}-cp`,
      };
  }
  const image = { url: 'http://172.22.0.1/images/node.qcow2', checksum: 'abc', checksumType: 'md5', format: 'raw' };
  const labels = { 'cluster.x-k8s.io/cluster-name': CLUSTER, nodepool: 'pool-0' };
  return [
    ...base,
    host('worker-2', 2),
    host('worker-3', 3),
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'Metal3DataTemplate',
      metadata: { name: `${CLUSTER}-cp`, namespace: NS },
      spec: { clusterName: CLUSTER },
    },
    {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'Metal3MachineTemplate',
      metadata: { name: `${CLUSTER}-workers`, namespace: NS },
      spec: { template: { spec: { image } } },
    },
    {
      apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmConfigTemplate',
      metadata: { name: `${CLUSTER}-workers`, namespace: NS },
      spec: { template: { spec: { joinConfiguration: { nodeRegistration: { name: '{{ ds.meta_data.name }}' } } } } },
    },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: CLUSTER, namespace: NS, labels },
      spec: {
        clusterName: CLUSTER,
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            clusterName: CLUSTER,
            version: 'v1.34.1',
            bootstrap: {
              configRef: {
                apiGroup: 'bootstrap.cluster.x-k8s.io',
                kind: 'KubeadmConfigTemplate',
                name: `${CLUSTER}-workers`,
              },
            },
            infrastructureRef: {
              apiGroup: 'infrastructure.cluster.x-k8s.io',
              kind: 'Metal3MachineTemplate',
              name: `${CLUSTER}-workers`,
            },
          },
        },
      },
    },
  ];
}

beforeAll(async () => {
  world = await startFlowWorld({
    name: 'flow',
    model: MODEL,
    management: 'process',
    workload: true,
    // FLOW_LOG=FILE keeps the controllers' log lines for debugging this suite.
    onLog: (pod, line) => {
      if (process.env.FLOW_LOG) appendFileSync(process.env.FLOW_LOG, `${pod} ${line}\n`);
    },
    record: (w) => w.path.includes(`/namespaces/${NS}/`),
  });
  ({ client, controllers, writes } = world);
  ({ server: workload, client: workloadClient, pki } = world.workload!);
}, 120_000);

afterAll(async () => {
  // A shared server (SCALE_TUI_TEST_KUBECONFIG) is left without this run's namespace: what the
  // tests did not delete goes with it, while the controllers still run (their finalizers).
  await world?.stop({ release: EXTERNAL_CLUSTER ? [`/api/v1/namespaces/${NS}`] : [], budgetMs: 100_000 });
}, 120_000);

async function createWorkloadSide(nodeName: string, uid: string, ready: boolean): Promise<void> {
  const [node, ...rest] = workloadObjects(nodeName, uid);
  await workloadClient.create(pathOf(node!), node!);
  await workloadClient.mergePatch(`${pathOf(node!)}/${nodeName}/status`, { status: node!.status });
  // kubeadm-config and the static pods only once the Machine has its nodeRef: otherwise KCP's
  // first look at the Machine races the Machine controller (with or without the Node), and
  // the golden sequence would depend on which came first.
  await until('the Machine’s nodeRef', async () => st(await get(R.machine, nodeName, NS), 'status', 'nodeRef', 'name'));
  for (const o of rest) {
    if (o.kind === 'Pod' && !ready)
      (o.status as { conditions: Array<{ status: string }> }).conditions[0]!.status = 'False';
    const created = await workloadClient.create(pathOf(o), o);
    if ((o.kind === 'Pod' || o.kind === 'Node') && created)
      await workloadClient.mergePatch(`${pathOf(o)}/${o.metadata.name}/status`, { status: o.status });
  }
}

describe('upstream object flow (CAPI v1.14, CAPM3 v1.13, BMO v0.13)', () => {
  let cpMachine = '';
  let cpHostUid = '';

  it('a paused Cluster gets Paused=True and nothing else happens', async () => {
    for (const o of objects()) await client.create(pathOf(o), o);
    await until(
      'Cluster Paused=True',
      async () => cond(await get(R.cluster, CLUSTER, NS), 'Paused')?.status === 'True',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await list(R.machine)).toHaveLength(0);
    expect(await list(R.metal3Machine)).toHaveLength(0);
  }, 60_000);

  it('with external etcd, KCP waits for <cluster>-apiserver-etcd-client', async () => {
    await client.mergePatch(objectPath(R.cluster, CLUSTER, NS), { spec: { paused: false } });
    await until(
      'Cluster Paused=False',
      async () => cond(await get(R.cluster, CLUSTER, NS), 'Paused')?.status === 'False',
    );
    await until('infrastructure provisioned', async () =>
      st<boolean>(await get(R.cluster, CLUSTER, NS), 'status', 'initialization', 'infrastructureProvisioned'),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await list(R.metal3Machine)).toHaveLength(0);
    expect(await get(R.secret, `${CLUSTER}-kubeconfig`, NS)).toBeUndefined();
    const secret = clusterObjects(NS, CLUSTER, workload.port, pki).find(
      (o) => o.metadata.name === `${CLUSTER}-apiserver-etcd-client`,
    )!;
    await client.create(pathOf(secret), secret);
  }, 60_000);

  it('KCP clones Metal3Machine, then KubeadmConfig, then the Machine; the Machine takes ownership', async () => {
    const m3m = await until('Metal3Machine owned by its Machine', async () => {
      const m = (await list(R.metal3Machine))[0];
      return m?.metadata.ownerReferences?.length === 1 && m.metadata.ownerReferences[0]?.kind === 'Machine'
        ? m
        : undefined;
    });
    cpMachine = m3m.metadata.name;
    const kcpPosts = writes.filter((w) => w.controller === 'kcp' && w.verb === 'POST' && !w.path.includes('/secrets'));
    expect(kcpPosts.map((w) => w.path.split('/').at(-1))).toEqual(['metal3machines', 'kubeadmconfigs', 'machines']);
    const [infraPost, cfgPost, machinePost] = kcpPosts.map((w) => w.body as KubeObject);
    for (const b of [infraPost, cfgPost]) {
      expect(b?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'KubeadmControlPlane' })]);
      expect(b?.metadata.ownerReferences?.[0]).not.toHaveProperty('controller');
    }
    expect(infraPost?.metadata.annotations).toMatchObject({
      'cluster.x-k8s.io/cloned-from-name': `${CLUSTER}-controlplane`,
      'cluster.x-k8s.io/cloned-from-groupkind': 'Metal3MachineTemplate.infrastructure.cluster.x-k8s.io',
    });
    expect(machinePost?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'KubeadmControlPlane', controller: true }),
    ]);
    // External etcd: no etcd gates.
    expect(st(machinePost, 'spec', 'readinessGates')).toEqual(
      [
        'NodeKubeadmLabelsAndTaintsSet',
        'APIServerPodHealthy',
        'ControllerManagerPodHealthy',
        'SchedulerPodHealthy',
      ].map((conditionType) => ({ conditionType })),
    );
    const cfg = await until('KubeadmConfig owned by its Machine', async () => {
      const c = await get(R.kubeadmConfig, cpMachine, NS);
      return c?.metadata.ownerReferences?.map((o) => o.kind).join() === 'Machine' ? c : undefined;
    });
    expect(cfg.metadata.ownerReferences?.[0]).toMatchObject({ controller: true });
    // Certificates: only the cluster-name label, as secret.Certificate.AsSecret writes them.
    for (const s of ['sa', 'proxy', 'kubeconfig'])
      expect((await get(R.secret, `${CLUSTER}-${s}`, NS))?.metadata.labels, s).toEqual({
        'cluster.x-k8s.io/cluster-name': CLUSTER,
      });
  }, 60_000);

  it('CABPK takes <cluster>-lock for the init machine; Metal3Data has its owners, finalizers and Secrets', async () => {
    const lockPost = await until('the init lock', async () =>
      writes.find((w) => w.controller === 'kubeadm-bootstrap' && w.verb === 'POST' && w.path.endsWith('/configmaps')),
    );
    expect(lockPost?.body).toMatchObject({
      metadata: { name: `${CLUSTER}-lock`, ownerReferences: [{ kind: 'Cluster', name: CLUSTER }] },
      data: { 'lock-information': JSON.stringify({ machineName: cpMachine }) },
    });
    const data = await until('Metal3Data ready', async () => {
      const d = (await list(R.metal3Data))[0];
      return st<boolean>(d, 'status', 'ready') ? d : undefined;
    });
    expect(
      data.metadata.ownerReferences?.map((o) => `${o.kind}${(o as { controller?: boolean }).controller ? '*' : ''}`),
    ).toEqual(['Metal3DataTemplate*', 'Metal3DataClaim', 'Metal3Machine']);
    expect((data.metadata as { finalizers?: string[] }).finalizers?.sort()).toEqual([
      'metal3data.infrastructure.cluster.x-k8s.io',
      'metal3dataclaim.infrastructure.cluster.x-k8s.io',
    ]);
    for (const s of ['metadata', 'networkdata'])
      expect((await get(R.secret, `${cpMachine}-${s}`, NS))?.metadata.ownerReferences?.[0]?.kind, s).toBe('Metal3Data');
    const m3m = await until('Metal3DataReady', async () => {
      const m = await get(R.metal3Machine, cpMachine, NS);
      return cond(m, 'Metal3DataReady')?.status === 'True' ? m : undefined;
    });
    expect(cond(m3m, 'AssociateMetal3MachineMetaData')?.status).toBe('True');
  }, 60_000);

  it('BMO goes registering, inspecting, preparing, available, provisioning, provisioned', async () => {
    const bmh = await until('host provisioned', async () => {
      const h = await get(R.bmh, 'worker-1', NS);
      return st<string>(h, 'status', 'provisioning', 'state') === 'provisioned' ? h : undefined;
    });
    cpHostUid = (bmh.metadata as unknown as { uid: string }).uid;
    const states = writes
      .filter((w) => w.controller === 'bmo' && w.path.includes('/baremetalhosts/worker-1/status'))
      .map((w) => st<string>(w.body as KubeObject, 'status', 'provisioning', 'state'));
    expect(distinctInOrder(states as string[])).toEqual([
      'registering',
      'inspecting',
      'preparing',
      'available',
      'provisioning',
      'provisioned',
    ]);
    expect(JSON.stringify(bmh.status)).not.toContain('errorType');
  }, 60_000);

  it('Cluster shows Provisioning, never Pending; KCP health reads the mirror pods’ Ready condition', async () => {
    const phases = writes
      .filter((w) => w.controller === 'capi' && w.path.endsWith(`/clusters/${CLUSTER}/status`))
      .map((w) => st<string>(w.body as KubeObject, 'status', 'phase'))
      .filter(Boolean);
    expect(phases).toContain('Provisioning');
    expect(phases).not.toContain('Pending');
    await until(
      'KCP initialized',
      async () => cond(await get(R.cluster, CLUSTER, NS), 'ControlPlaneInitialized')?.status !== undefined,
    );
    // Running but not Ready mirror pods: not healthy.
    await createWorkloadSide(cpMachine, cpHostUid, false);
    await until(
      'Machine Running',
      async () => st(await get(R.machine, cpMachine, NS), 'status', 'phase') === 'Running',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(st(await get(R.kcp, CLUSTER, NS), 'status', 'readyReplicas')).toBe(0);
    expect(cond(await get(R.machine, cpMachine, NS), 'APIServerPodHealthy')?.status).toBe('False');
    expect(cond(await get(R.machine, cpMachine, NS), 'Ready')?.status).toBe('False');
    // One pod at a time, each until KCP has seen it: a KCP look between two of the patches
    // would otherwise split or merge the condition writes the golden sequence records.
    const podCondition = {
      'kube-apiserver': 'APIServerPodHealthy',
      'kube-controller-manager': 'ControllerManagerPodHealthy',
      'kube-scheduler': 'SchedulerPodHealthy',
    };
    for (const [c, type] of Object.entries(podCondition)) {
      await workloadClient.mergePatch(objectPath(R.pod, `${c}-${cpMachine}`, 'kube-system', 'status'), {
        status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] },
      });
      await until(`${type} True`, async () => cond(await get(R.machine, cpMachine, NS), type)?.status === 'True');
    }
    await until('KCP ready', async () => st(await get(R.kcp, CLUSTER, NS), 'status', 'readyReplicas') === 1);
    await until(
      'Machine Ready (readiness gates)',
      async () => cond(await get(R.machine, cpMachine, NS), 'Ready')?.status === 'True',
    );
    const cluster = await until('ControlPlaneAvailable', async () => {
      const c = await get(R.cluster, CLUSTER, NS);
      return cond(c, 'ControlPlaneAvailable')?.status === 'True' ? c : undefined;
    });
    // The MachineDeployment's worker is not there yet: WorkersAvailable is computed, not True.
    expect(cond(cluster, 'WorkersAvailable')?.status).toBe('False');
  }, 90_000);

  it('the MachineDeployment scales up through its MachineSet; WorkersAvailable follows; the init lock is released', async () => {
    const worker = await until('worker Metal3Machine with a host', async () => {
      const m = (await list(R.metal3Machine)).find(
        (x) => x.metadata.name !== cpMachine && x.metadata.annotations?.['metal3.io/BareMetalHost'],
      );
      return m;
    });
    const hostName = worker.metadata.annotations!['metal3.io/BareMetalHost']!.split('/')[1]!;
    const posts = writes
      .filter((w) => w.controller === 'capi' && w.verb === 'POST')
      .map((w) => w.path.split('/').at(-1));
    expect(posts).toEqual(['machinesets', 'kubeadmconfigs', 'metal3machines', 'machines']);
    await until('worker host provisioned', async () => (await hostState(hostName)) === 'provisioned');
    const uid = (await get(R.bmh, hostName, NS))!.metadata as unknown as { uid: string };
    // What fake-controller does: the worker's Node, labelled with the host's UID.
    const node = workloadObjects(worker.metadata.name, uid.uid)[0]!;
    (node.metadata.labels as Record<string, string>)['node-role.kubernetes.io/control-plane'] = undefined as never;
    delete (node.metadata.labels as Record<string, string>)['node-role.kubernetes.io/control-plane'];
    await workloadClient.create(pathOf(node), node);
    await workloadClient.mergePatch(`${pathOf(node)}/${node.metadata.name}/status`, { status: node.status });
    await until(
      'Cluster WorkersAvailable and Available',
      async () => {
        const c = await get(R.cluster, CLUSTER, NS);
        return cond(c, 'WorkersAvailable')?.status === 'True' && cond(c, 'Available')?.status === 'True';
      },
      60_000,
    );
    expect(await get(R.configMap, `${CLUSTER}-lock`, NS)).toBeUndefined();
  }, 90_000);

  it('a healthy KCP is not requeued (watches and the sync period only)', async () => {
    const kcp = controllers.managers.get('kcp')!;
    // controller_runtime_reconcile_total{result="requeue_after"}: the reconciles that asked
    // for a timed requeue. Reconciles brought by watch events (a late Cluster status write)
    // are upstream behaviour too; only the requeue is what a healthy KCP must not ask for.
    const requeues = () =>
      Number(
        /controller_runtime_reconcile_total\{controller="kubeadmcontrolplane",result="requeue_after"\} (\d+)/.exec(
          kcp.diagnostics.metrics.render(),
        )?.[1] ?? Number.NaN,
      );
    // Settle: the worker's last status writes reach KCP through its Cluster watch.
    await new Promise((r) => setTimeout(r, 1000));
    const before = { requeues: requeues(), reconciles: kcp.stats.reconciles };
    expect(before.requeues).not.toBeNaN();
    // A watch event (a label on the KCP) brings one reconcile, which must not requeue.
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { metadata: { labels: { poke: '1' } } });
    // Five times the scaled 20 s requeue of an unhealthy KCP.
    await new Promise((r) => setTimeout(r, 5 * MODEL.kcp.unhealthyRequeueMs * MODEL.timeScale));
    expect(kcp.stats.reconciles).toBeGreaterThan(before.reconciles);
    expect(requeues() - before.requeues).toBe(0);
  }, 30_000);

  it('KCP scales past one Machine, one at a time, joining', async () => {
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { replicas: 3 } });
    const second = await until('a second control-plane Machine', async () =>
      (await list(R.machine)).find(
        (m) => m.metadata.name !== cpMachine && m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined,
      ),
    );
    const cfg = await until('its KubeadmConfig', async () => get(R.kubeadmConfig, second.metadata.name, NS));
    expect(st(cfg, 'spec', 'joinConfiguration', 'controlPlane')).toEqual({});
    // Settle where the flow stops for the golden files: its host provisioned (no Node joins)
    // and KCP's view of it written, so the delete below always starts from the same state.
    await until(
      'the second Machine’s host provisioned',
      async () => {
        const m3m = await get(R.metal3Machine, second.metadata.name, NS);
        const h = m3m?.metadata.annotations?.['metal3.io/BareMetalHost']?.split('/')[1];
        return h ? (await hostState(h)) === 'provisioned' : false;
      },
      60_000,
    );
    await until('KCP’s conditions on the second Machine', async () =>
      cond(await get(R.machine, second.metadata.name, NS), 'APIServerPodHealthy'),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const cps = (await list(R.machine)).filter(
      (m) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined,
    );
    expect(cps).toHaveLength(2); // the third waits until the second is healthy
  }, 60_000);

  it('delete: CAPM3 keeps the Metal3Machine while its host deprovisions; a deleted host powers off first', async () => {
    await client.delete(objectPath(R.cluster, CLUSTER, NS));
    await until('Cluster gone', async () => !(await get(R.cluster, CLUSTER, NS)), 90_000);
    // The control-plane host went provisioned -> deprovisioning -> available before its Metal3Machine let go.
    const hostAvailableAt = writes.find(
      (w) =>
        w.controller === 'bmo' &&
        w.path.endsWith('/baremetalhosts/worker-1/status') &&
        st(w.body as KubeObject, 'status', 'provisioning', 'state') === 'available' &&
        writes.some(
          (d) =>
            d.controller === 'bmo' &&
            d.at < w.at &&
            st(d.body as KubeObject, 'status', 'provisioning', 'state') === 'deprovisioning',
        ),
    )?.at;
    // The last finalizer write on it is the removal.
    const released = writes
      .filter(
        (w) =>
          w.controller === 'capm3' &&
          w.path.endsWith(`/metal3machines/${cpMachine}`) &&
          (w.body as KubeObject).metadata?.finalizers,
      )
      .at(-1)?.at;
    expect(hostAvailableAt).toBeDefined();
    expect(released).toBeDefined();
    expect(released!).toBeGreaterThan(hostAvailableAt!);
    await client.delete(objectPath(R.bmh, 'worker-1', NS));
    await until('host gone', async () => !(await get(R.bmh, 'worker-1', NS)), 30_000);
    const deleteStates = writes
      .filter((w) => w.controller === 'bmo' && w.path.endsWith('/baremetalhosts/worker-1/status'))
      .map((w) => st<string>(w.body as KubeObject, 'status', 'provisioning', 'state'))
      .filter((s, i, all) => s !== all[i - 1]) // a repeated save of the same state is one step
      .slice(-2);
    expect(deleteStates).toEqual(['powering off before delete', 'deleting']);
  }, 120_000);

  it('every write was accepted (no 4xx but optimistic-lock conflicts)', () => {
    const rejected = writes.filter((w) => w.status >= 400 && w.status !== 409 && w.status !== 404);
    expect(rejected.map((w) => `${w.controller} ${w.verb} ${w.path} ${w.status}`)).toEqual([]);
  });

  it('each controller’s ordered writes match its golden sequence', () => {
    mkdirSync(GOLDEN, { recursive: true });
    const compared: Array<{ id: string; got: string[]; want: string[] }> = [];
    for (const id of ['capi', 'kubeadm-bootstrap', 'kcp', 'capm3', 'bmo']) {
      // Ordered per object, idempotent repeats collapsed (flow-support.ts goldenSequence).
      const got = goldenSequence(writes, id, NS, CLUSTER);
      const file = join(GOLDEN, `${id}.txt`);
      const old = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
      if (process.env.UPDATE_GOLDEN === '1') {
        // The header (# lines: the upstream function behind each step) is kept as written.
        const header = old.filter((l) => l.startsWith('#'));
        writeFileSync(file, `${[...header, ...got].join('\n')}\n`);
      }
      if (process.env.GOLDEN_DUMP) writeFileSync(join(process.env.GOLDEN_DUMP, `${id}.txt`), `${got.join('\n')}\n`);
      expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
      const want = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#'));
      compared.push({ id, got, want });
    }
    for (const { id, got, want } of compared) expect({ id, writes: got }).toEqual({ id, writes: want });
  });
});
