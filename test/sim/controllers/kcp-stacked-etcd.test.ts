// KCP scale-down and rolling updates of a stacked-etcd control plane, as upstream KCP v1.14.0
// does them (reconcilers/kubeadmcontrolplane: scaleDownControlPlane, reconcilePreTerminateHook,
// forwardEtcdLeadership, reconcileEtcdMembers; pkg/workload_cluster_etcd.go and
// workload_cluster_conditions.go), against `scale-tui sim apiserver` in its own process with
// the real CRDs (or SCALE_TUI_TEST_KUBECONFIG) and a farm serving the workload cluster, whose
// fake etcd has one member per control-plane node that joined:
// - the member list follows the Machines: a joined node adds its member, a removed Machine's
//   member goes, and it goes before the Machine does (in the pre-terminate hook);
// - etcd leadership leaves a Machine before KCP deletes it;
// - a member without a Machine makes EtcdClusterHealthy False, and KCP removes it.
// Test-side "kubelet": the farm's updateNode (Node, static pods, the etcd member) once a
// control-plane Machine's host is provisioned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../../src/sim/cost-model/model.js';
import type { Farm } from '../../../src/sim/farm/farm.js';
import type { EtcdMembership, MembershipChange } from '../../../src/sim/etcd-grpc/membership.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { clusterObjects, clusterPki } from './fixtures.js';
import { type FlowWorld, pathOf, startFlowWorld, until, type Write } from './flow-support.js';

const NS = 'kcp-stack';
const CLUSTER = 'kcp-stack';
const MODEL = withTimeScale(DEFAULT_COST_MODEL, 0.01);
const HOOK = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io/kcp-cleanup';
const HOSTS = ['worker-1', 'worker-2', 'worker-3', 'worker-4'];

let world: FlowWorld | undefined;
let client: RestClient;
let farm: Farm;
let joiner: NodeJS.Timeout | undefined;

/** Everything that happened, in order: the controllers' writes and the etcd membership's changes. */
type Event = { kind: 'write'; w: Write } | { kind: 'etcd'; c: MembershipChange };
const timeline: Event[] = [];

const field = <T>(o: unknown, ...path: string[]): T | undefined => {
  let cur: unknown = o;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur as T | undefined;
};
type Cond = { type: string; status: string; reason?: string; message?: string };
const cond = (o: unknown, type: string) =>
  (field<Cond[]>(o, 'status', 'conditions') ?? []).find((c) => c.type === type);
const machines = async () => (await client.list(collectionPath(R.machine, NS))).items;
const kcp = () => client.get(objectPath(R.kcp, CLUSTER, NS));
const etcd = (): EtcdMembership => farm.server(NS, CLUSTER).etcd;
const nodeOf = (m: KubeObject) => field<string>(m, 'status', 'nodeRef', 'name');

function host(name: string, i: number): KubeObject {
  return {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: { name, namespace: NS },
    spec: {
      online: true,
      bootMACAddress: `00:60:2f:31:83:0${i}`,
      bmc: { address: `ipmi://192.168.111.1:625${i}`, credentialsName: 'worker-1-bmc-secret' },
    },
  };
}

/** The fixture's cluster with stacked etcd (the fixture's KCP uses external etcd). */
function stacked(objects: KubeObject[]): KubeObject[] {
  return objects
    .filter((o) => o.metadata.name !== `${CLUSTER}-apiserver-etcd-client`)
    .map((o) => {
      if (o.kind !== 'KubeadmControlPlane') return o;
      const copy = structuredClone(o) as KubeObject & {
        spec: { kubeadmConfigSpec: { clusterConfiguration: { etcd?: unknown } } };
      };
      copy.spec.kubeadmConfigSpec.clusterConfiguration.etcd = { local: { dataDir: '/var/lib/etcd' } };
      return copy;
    });
}

/** kubeadm init/join: the Node, static pods and etcd member of each Machine whose host is provisioned. */
async function joinNodes(): Promise<void> {
  for (const m3m of (await client.list(collectionPath(R.metal3Machine, NS))).items) {
    if (field(m3m, 'metadata', 'deletionTimestamp')) continue;
    const hostName = m3m.metadata.annotations?.['metal3.io/BareMetalHost']?.split('/')[1];
    if (!hostName) continue;
    const bmh = await client.get(objectPath(R.bmh, hostName, NS));
    if (field(bmh, 'status', 'provisioning', 'state') !== 'provisioned') continue;
    const nodeT = farm.server(NS, CLUSTER).registry.lookup('', 'v1', 'nodes')!;
    if (farm.server(NS, CLUSTER).store.slot(nodeT).bucket.items.has(m3m.metadata.name)) continue;
    // A node that was deleted does not come back: its Machine is going.
    if (etcd().wasRemoved(m3m.metadata.name)) continue;
    farm.updateNode({
      cluster: CLUSTER,
      namespace: NS,
      nodeName: m3m.metadata.name,
      uuid: (bmh!.metadata as unknown as { uid: string }).uid,
    });
  }
}

/** `n` Machines, none deleting, all ready and up to date, and one etcd member per Machine's Node. */
async function settled(n: number, timeoutMs = 90_000): Promise<KubeObject[]> {
  return until(
    `${n} ready control-plane Machines with their etcd members`,
    async () => {
      const k = await kcp();
      const list = await machines();
      const nodes = list.map(nodeOf).sort();
      const members = etcd()
        .members()
        .map((m) => m.name)
        .sort();
      const ok =
        list.length === n &&
        list.every((m) => !field(m, 'metadata', 'deletionTimestamp')) &&
        field(k, 'status', 'readyReplicas') === n &&
        field(k, 'status', 'upToDateReplicas') === n &&
        JSON.stringify(nodes) === JSON.stringify(members) &&
        cond(k, 'EtcdClusterHealthy')?.status === 'True';
      return ok ? list : undefined;
    },
    timeoutMs,
  );
}

/** The index in the timeline of the first event that matches, or -1. */
const at = (from: number, pred: (e: Event) => boolean) => {
  const i = timeline.slice(from).findIndex(pred);
  return i < 0 ? -1 : from + i;
};
const removed = (name: string) => (e: Event) => e.kind === 'etcd' && e.c.kind === 'remove' && e.c.member.name === name;
const kcpDeletes = (machine: string) => (e: Event) =>
  e.kind === 'write' &&
  e.w.controller === 'kcp' &&
  e.w.verb === 'DELETE' &&
  e.w.status < 300 &&
  e.w.path.endsWith(`/machines/${machine}`);
const hookRemoved = (machine: string) => (e: Event) =>
  e.kind === 'write' &&
  e.w.controller === 'kcp' &&
  e.w.verb === 'PATCH' &&
  e.w.status < 300 &&
  e.w.path.endsWith(`/machines/${machine}`) &&
  field<Record<string, unknown>>(e.w.body, 'metadata', 'annotations')?.[HOOK] === null;
/** The Machine controller lets go of the Machine's finalizer: the last write before it is gone. */
const finalizerRemoved = (machine: string) => (e: Event) =>
  e.kind === 'write' &&
  e.w.controller === 'capi' &&
  e.w.verb === 'PATCH' &&
  e.w.status < 300 &&
  e.w.path.endsWith(`/machines/${machine}`) &&
  Array.isArray(field(e.w.body, 'metadata', 'finalizers'));

/**
 * For each Machine that went since `from`: KCP moved leadership off it (when it led) before it
 * deleted the Machine, its member was removed while it did not lead, after KCP deleted the
 * Machine, before the hook went and before the Machine let go of its finalizer.
 */
function expectOrderlyRemovals(from: number, gone: KubeObject[]): void {
  for (const m of gone) {
    const name = m.metadata.name;
    const node = nodeOf(m)!;
    const deleted = at(from, kcpDeletes(name));
    const removal = at(from, removed(node));
    const hook = at(from, hookRemoved(name));
    const finalizer = at(from, finalizerRemoved(name));
    expect({ name, deleted, removal, hook, finalizer }).toMatchObject({
      deleted: expect.any(Number),
      removal: expect.any(Number),
    });
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(removal).toBeGreaterThan(deleted);
    expect(hook).toBeGreaterThan(removal);
    expect(finalizer).toBeGreaterThan(removal);
    const change = (timeline[removal] as { kind: 'etcd'; c: Extract<MembershipChange, { kind: 'remove' }> }).c;
    // Leadership was not on the member when it was removed.
    expect(change.leaderBefore).not.toBe(change.member.id);
  }
}

beforeAll(async () => {
  world = await startFlowWorld({
    name: 'kcp-stack',
    model: MODEL,
    management: 'process',
    farmPorts: 4,
    record: (w) => {
      const mine = w.path.includes(`/namespaces/${NS}/`);
      if (mine) timeline.push({ kind: 'write', w });
      return mine;
    },
  });
  client = world.client;
  farm = world.farm!;
  const pki = await clusterPki();
  const reg = await farm.register({ cluster: CLUSTER, namespace: NS, ca: pki.ca, etcdCa: pki.etcdCa });
  etcd().subscribe((c) => timeline.push({ kind: 'etcd', c }));
  const extra = HOSTS.slice(1).map((h, i) => host(h, i + 2));
  for (const o of [...stacked(clusterObjects(NS, CLUSTER, reg.Port, pki)), ...extra]) await client.create(pathOf(o), o);
  const tick = () => {
    joiner = setTimeout(() => void joinNodes().finally(() => joiner && tick()), 100);
  };
  tick();
}, 120_000);

afterAll(async () => {
  if (joiner) clearTimeout(joiner);
  joiner = undefined;
  await world?.stop({
    release: [objectPath(R.cluster, CLUSTER, NS), HOSTS.map((h) => objectPath(R.bmh, h, NS))],
    budgetMs: 110_000,
  });
}, 120_000);

describe('KCP with stacked etcd: scale down and roll, through etcd (CAPI v1.14)', () => {
  it('scale 1 -> 3 -> 1: the members follow the Machines; leadership moves off, the member goes before its Machine', async () => {
    const [first] = await settled(1);
    expect(
      etcd()
        .members()
        .map((m) => m.name),
    ).toEqual([nodeOf(first!)]);
    const firstMemberId = etcd().byName(nodeOf(first!)!)!.id.toString();
    expect(etcd().leaderId.toString()).toBe(firstMemberId);
    // "The oldest" is only the first Machine if the others are created in a later second
    // (creationTimestamp has one-second resolution; KCP breaks a tie by name).
    const nextSecond = Date.parse(field<string>(first, 'metadata', 'creationTimestamp') ?? '') + 1_000 - Date.now();
    if (nextSecond > 0) await new Promise((r) => setTimeout(r, nextSecond + 50));
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { replicas: 3 } });
    const three = await settled(3);
    expect(etcd().members()).toHaveLength(3);

    const from = timeline.length;
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { replicas: 1 } });
    const [left] = await settled(1);
    const gone = three.filter((m) => m.metadata.name !== left!.metadata.name);
    expect(gone.map((m) => m.metadata.name)).toContain(first!.metadata.name);
    expect(
      etcd()
        .members()
        .map((m) => m.name),
    ).toEqual([nodeOf(left!)]);
    expect(etcd().leaderId).toBe(etcd().byName(nodeOf(left!)!)!.id);
    expectOrderlyRemovals(from, gone);
    // The first Machine led etcd: KCP moved leadership off it before it deleted it.
    expect(etcd().wasRemoved(nodeOf(first!)!)).toBe(true);
    const moved = at(from, (e) => e.kind === 'etcd' && e.c.kind === 'move-leader');
    expect(moved).toBeGreaterThanOrEqual(0);
    expect(moved).toBeLessThan(at(from, kcpDeletes(first!.metadata.name)));
    const move = (timeline[moved] as { kind: 'etcd'; c: Extract<MembershipChange, { kind: 'move-leader' }> }).c;
    expect(move.from).toBe(BigInt(firstMemberId));
    expect(cond(await kcp(), 'EtcdClusterHealthy')).toMatchObject({ status: 'True', reason: 'Healthy' });
  }, 180_000);

  it('a spec.version rollout: the new member joins, leadership moves to it, the old member goes before the old Machine', async () => {
    const [old] = await settled(1);
    const oldNode = nodeOf(old!)!;
    expect(etcd().leaderId).toBe(etcd().byName(oldNode)!.id);
    const from = timeline.length;
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { version: 'v1.34.2' } });
    const [fresh] = await until('the rolled Machine', async () => {
      const list = await settled(1);
      return list[0]!.metadata.name !== old!.metadata.name ? list : undefined;
    });
    const freshNode = nodeOf(fresh!)!;
    expect(field(fresh, 'spec', 'version')).toBe('v1.34.2');
    expect(
      etcd()
        .members()
        .map((m) => m.name),
    ).toEqual([freshNode]);
    const joined = at(from, (e) => e.kind === 'etcd' && e.c.kind === 'join' && e.c.member.name === freshNode);
    const moved = at(
      from,
      (e) => e.kind === 'etcd' && e.c.kind === 'move-leader' && e.c.to === etcd().byName(freshNode)!.id,
    );
    expect(joined).toBeGreaterThanOrEqual(0);
    expect(moved).toBeGreaterThan(joined);
    expect(moved).toBeLessThan(at(from, kcpDeletes(old!.metadata.name)));
    expectOrderlyRemovals(from, [old!]);
    expect(cond(await kcp(), 'EtcdClusterHealthy')).toMatchObject({ status: 'True', reason: 'Healthy' });
  }, 180_000);

  it('a member without a Machine: EtcdClusterHealthy False with upstream’s message, then KCP removes it', async () => {
    const [only] = await settled(1);
    const from = timeline.length;
    // kubeadm join by hand on a node no Machine has (an unmanaged member).
    etcd().join('stray-node', '10.1.2.3');
    // A healthy KCP waits for events: one arrives (a label on the KCP), as a watch would bring.
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { metadata: { labels: { poke: '1' } } });
    await until('the stray member removed', async () => !etcd().byName('stray-node'));
    // KCP writes its status after the removal, in the same reconcile: wait for that write.
    const unhealthy = await until('a KCP status write with EtcdClusterHealthy False', async () =>
      timeline
        .slice(from)
        .map((e) => (e.kind === 'write' ? e.w : undefined))
        .find(
          (w) =>
            w?.controller === 'kcp' &&
            w.path.endsWith(`/kubeadmcontrolplanes/${CLUSTER}/status`) &&
            cond(w.body, 'EtcdClusterHealthy')?.status === 'False',
        ),
    );
    expect(cond(unhealthy.body, 'EtcdClusterHealthy')).toMatchObject({
      status: 'False',
      reason: 'NotHealthy',
      message: '* Etcd member stray-node does not have a corresponding Machine',
    });
    await settled(1);
    expect(
      etcd()
        .members()
        .map((m) => m.name),
    ).toEqual([nodeOf(only!)]);
  }, 90_000);
});
