// KCP scale-down and rolling updates through the emulated controllers against
// `scale-tui sim apiserver` in its own process with the real CRDs (or the server named by
// SCALE_TUI_TEST_KUBECONFIG), as upstream KCP v1.14.0 does them
// (kubeadmcontrolplane/scale.go, update.go, preflight.go and reconcilePreTerminateHook in
// kubeadmcontrolplane_controller.go): one Machine at a time, the oldest first; a deleted
// Machine keeps KCP's pre-terminate hook until the Machine controller waits for it; a
// rollout (spec.version or kubeadmConfigSpec) with maxSurge 1 adds the new Machine before it
// deletes the oldest outdated one. The cluster uses external etcd (no member to remove).
// Test-side "kubelet": each control-plane Machine's Node and Ready mirror pods appear in the
// workload API once its host is provisioned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_CLUSTER, uniqueName } from '../../support/test-cluster.js';
import type { ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../../src/sim/cost-model/model.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { clusterObjects, extraHost, workloadObjects, type ClusterPki } from './fixtures.js';
import { type FlowWorld, field, pathOf, startFlowWorld, until, type Write } from './flow-support.js';

// A namespace of this run's own: on a server shared by runs (SCALE_TUI_TEST_KUBECONFIG), one
// left by an earlier, failed run (its Secrets signed by another cluster CA) must not be reused.
const NS = uniqueName('kcp-roll');
const CLUSTER = NS; // one name for both, as before (the golden files write names equal to it as <ns>)
const MODEL = withTimeScale(DEFAULT_COST_MODEL, 0.01);
const HOOK = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io/kcp-cleanup';

let world: FlowWorld | undefined;
let client: RestClient;
let workload: ApiServerHandle;
let workloadClient: RestClient;
let pki: ClusterPki;
let joiner: NodeJS.Timeout | undefined;
let writes: Write[] = [];
/** Most control-plane Machines (deleting or not) seen at once. */
let peakMachines = 0;

const cond = (o: KubeObject | undefined, type: string) =>
  (field<Array<{ type: string; status: string; reason?: string }>>(o, 'status', 'conditions') ?? []).find(
    (c) => c.type === type,
  );
const machines = async () => (await client.list(collectionPath(R.machine, NS))).items;
const kcp = () => client.get(objectPath(R.kcp, CLUSTER, NS));

const host = (name: string, i: number) => extraHost(NS, name, `00:60:2f:31:82:0${i}`, 6240 + i);

/** Brings up the Node and Ready mirror pods of every control-plane Machine whose host is provisioned. */
async function joinNodes(): Promise<void> {
  const list = await machines();
  peakMachines = Math.max(peakMachines, list.length);
  for (const m3m of (await client.list(collectionPath(R.metal3Machine, NS))).items) {
    const hostName = m3m.metadata.annotations?.['metal3.io/BareMetalHost']?.split('/')[1];
    if (!hostName || (await workloadClient.get(objectPath(R.node, m3m.metadata.name)))) continue;
    const bmh = await client.get(objectPath(R.bmh, hostName, NS));
    if (field(bmh, 'status', 'provisioning', 'state') !== 'provisioned') continue;
    const uid = (bmh!.metadata as unknown as { uid: string }).uid;
    for (const o of workloadObjects(m3m.metadata.name, uid)) {
      const created = await workloadClient.create(pathOf(o), o);
      if ((o.kind === 'Pod' || o.kind === 'Node') && created)
        await workloadClient.mergePatch(`${pathOf(o)}/${o.metadata.name}/status`, { status: o.status });
    }
  }
}

/** Waits until the KCP has `n` Machines, none deleting, all healthy (readyReplicas). */
async function settled(n: number, timeoutMs = 60_000): Promise<KubeObject[]> {
  return until(
    `${n} ready control-plane Machines`,
    async () => {
      const k = await kcp();
      const list = await machines();
      const ok =
        list.length === n &&
        list.every((m) => !field(m, 'metadata', 'deletionTimestamp')) &&
        field(k, 'status', 'readyReplicas') === n &&
        field(k, 'status', 'upToDateReplicas') === n;
      return ok ? list : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  world = await startFlowWorld({
    name: 'kcp-roll',
    model: MODEL,
    management: 'process',
    workload: true,
    record: (w) => w.path.includes(`/namespaces/${NS}/`),
  });
  ({ client, writes } = world);
  ({ server: workload, client: workloadClient, pki } = world.workload!);
  for (const o of [...clusterObjects(NS, CLUSTER, workload.port, pki), host('worker-2', 2), host('worker-3', 3)])
    await client.create(pathOf(o), o);
  const tick = () => {
    joiner = setTimeout(() => void joinNodes().finally(() => joiner && tick()), 100);
  };
  tick();
}, 120_000);

afterAll(async () => {
  if (joiner) clearTimeout(joiner);
  joiner = undefined;
  // The controllers let go of what they made (finalizers), so a shared external server is
  // left without this cluster and its hosts.
  await world?.stop({
    release: [
      objectPath(R.cluster, CLUSTER, NS),
      ['worker-1', 'worker-2', 'worker-3'].map((h) => objectPath(R.bmh, h, NS)),
      // On a shared server the rest of the namespace (Secrets, templates) goes too.
      ...(EXTERNAL_CLUSTER ? [`/api/v1/namespaces/${NS}`] : []),
    ],
    budgetMs: 110_000,
  });
}, 120_000);

describe('KCP scale-down and rolling update (CAPI v1.14)', () => {
  it('scale 1 -> 2 -> 1 deletes the oldest Machine, through the pre-terminate hook, and its Node', async () => {
    const [first] = await settled(1);
    // creationTimestamp has one-second resolution and KCP breaks a tie by name (as
    // collections.Machines.Oldest does), so "the oldest" is only the first Machine if the
    // second is created in a later second: on a fast server both could share one.
    const nextSecond = Date.parse(field<string>(first, 'metadata', 'creationTimestamp') ?? '') + 1_000 - Date.now();
    if (nextSecond > 0) await new Promise((r) => setTimeout(r, nextSecond + 50));
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { replicas: 2 } });
    await settled(2);
    const started = writes.length;
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { replicas: 1 } });
    const [left] = await settled(1);
    // The oldest goes (MachineInFailureDomainWithMostMachines -> Oldest).
    expect(left!.metadata.name).not.toBe(first!.metadata.name);
    const mine = writes.slice(started).filter((w) => w.status < 300 && w.path.includes(first!.metadata.name));
    const step = (pred: (w: Write) => boolean) => mine.findIndex(pred);
    const deleted = step(
      (w) => w.controller === 'kcp' && w.verb === 'DELETE' && w.path.endsWith(`/machines/${first!.metadata.name}`),
    );
    const waiting = step(
      (w) =>
        w.controller === 'capi' &&
        w.path.endsWith('/status') &&
        cond(w.body as KubeObject, 'Deleting')?.reason === 'WaitingForPreTerminateHook',
    );
    const hookRemoved = step(
      (w) =>
        w.controller === 'kcp' &&
        w.verb === 'PATCH' &&
        field<Record<string, unknown>>(w.body, 'metadata', 'annotations')?.[HOOK] === null,
    );
    const infraDeleted = step(
      (w) => w.controller === 'capi' && w.verb === 'DELETE' && w.path.includes('/metal3machines/'),
    );
    // KCP deletes, the Machine controller waits on the hook, KCP lets go, then the infrastructure goes.
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect([deleted, waiting, hookRemoved, infraDeleted].every((i) => i >= 0)).toBe(true);
    expect(waiting).toBeGreaterThan(deleted);
    expect(hookRemoved).toBeGreaterThan(waiting);
    expect(infraDeleted).toBeGreaterThan(hookRemoved);
    // The Cluster stays, so its Node goes too (isDeleteNodeAllowed).
    await until(
      'the deleted Machine’s Node gone',
      async () => !(await workloadClient.get(objectPath(R.node, first!.metadata.name))),
    );
    expect(peakMachines).toBe(2);
  }, 120_000);

  it('a spec.version change rolls with maxSurge 1: the new Machine first, then the oldest outdated goes', async () => {
    const [old] = await settled(1);
    const started = writes.length;
    peakMachines = 0;
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), { spec: { version: 'v1.34.2' } });
    const [fresh] = await until('the rolled Machine', async () => {
      const list = await settled(1);
      return list[0]!.metadata.name !== old!.metadata.name ? list : undefined;
    });
    expect(field(fresh, 'spec', 'version')).toBe('v1.34.2');
    const kcpWrites = writes.slice(started).filter((w) => w.controller === 'kcp' && w.status < 300);
    const created = kcpWrites.findIndex((w) => w.verb === 'POST' && w.path.endsWith('/machines'));
    const deleted = kcpWrites.findIndex(
      (w) => w.verb === 'DELETE' && w.path.endsWith(`/machines/${old!.metadata.name}`),
    );
    expect(created).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeGreaterThan(created);
    expect(peakMachines).toBe(2); // replicas + maxSurge, never more
  }, 120_000);

  it('a kubeadmConfigSpec change rolls the same way, and the new KubeadmConfig carries it', async () => {
    const [old] = await settled(1);
    const started = writes.length;
    peakMachines = 0;
    await client.mergePatch(objectPath(R.kcp, CLUSTER, NS), {
      spec: { kubeadmConfigSpec: { preKubeadmCommands: ['echo rolled'] } },
    });
    const [fresh] = await until('the rolled Machine', async () => {
      const list = await settled(1);
      return list[0]!.metadata.name !== old!.metadata.name ? list : undefined;
    });
    const config = await client.get(objectPath(R.kubeadmConfig, fresh!.metadata.name, NS));
    expect(field(config, 'spec', 'preKubeadmCommands')).toEqual(['echo rolled']);
    const kcpWrites = writes.slice(started).filter((w) => w.controller === 'kcp' && w.status < 300);
    const created = kcpWrites.findIndex((w) => w.verb === 'POST' && w.path.endsWith('/machines'));
    const deleted = kcpWrites.findIndex(
      (w) => w.verb === 'DELETE' && w.path.endsWith(`/machines/${old!.metadata.name}`),
    );
    expect(deleted).toBeGreaterThan(created);
    expect(created).toBeGreaterThanOrEqual(0);
    expect(peakMachines).toBe(2);
    // Settled: nothing is left to roll.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await machines()).map((m) => m.metadata.name)).toEqual([fresh!.metadata.name]);
  }, 120_000);
});
