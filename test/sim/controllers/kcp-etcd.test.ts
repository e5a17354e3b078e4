// The emulated KCP looks into farm-served workload clusters the way upstream KCP v1.14 does:
// etcd through pods/portforward to etcd-<node>:2379 with a client certificate from the
// `<cluster>-etcd` CA (MemberList, AlarmList, Status), and the API server's serving
// certificate through pods/portforward to kube-apiserver-<node>:6443 (the
// certificates-expiry annotation on the KubeadmConfig). Three clusters on one farm, all
// with stacked etcd: one healthy, one whose farm serves etcd from another CA (KCP's client
// certificate is refused), one whose API is then taken down through a farm fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { CERTIFICATES_EXPIRY_ANNOTATION } from '../../../src/sim/controllers/kcp.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../../src/sim/cost-model/model.js';
import type { Farm } from '../../../src/sim/farm/farm.js';
import { createCA } from '../../../src/core/pki/index.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { clusterObjects, clusterPki, type ClusterPki } from './fixtures.js';
import { type FlowWorld, pathOf, startFlowWorld, until as flowUntil } from './flow-support.js';

const MODEL = withTimeScale(DEFAULT_COST_MODEL, 0.02);
const GOOD = 'kcpe-good';
const OTHER_CA = 'kcpe-otherca';

let world: FlowWorld | undefined;
let client: RestClient;
let farm: Farm;
const pkis = new Map<string, ClusterPki>();
const machines = new Map<string, string>();

type Cond = { type: string; status: string; reason: string; message?: string };

/** Up to 40 s a wait, as this suite has always allowed (the shared helper's default is 30 s). */
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 40_000): Promise<T> =>
  flowUntil(what, fn, timeoutMs);

const conditionOf = (o: KubeObject | undefined, type: string): Cond | undefined =>
  ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const kcpCondition = async (ns: string, type: string) => conditionOf(await client.get(objectPath(R.kcp, ns, ns)), type);

/** The fixture's cluster with stacked etcd (the fixture's KCP uses external etcd). */
function stackedEtcd(objects: KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'KubeadmControlPlane') return o;
    const copy = structuredClone(o) as KubeObject & {
      spec: { kubeadmConfigSpec: { clusterConfiguration: { etcd?: unknown } } };
    };
    copy.spec.kubeadmConfigSpec.clusterConfiguration.etcd = { local: {} };
    return copy;
  });
}

/** Registers the cluster on the farm and creates its management objects; resolves its Machine once the host is provisioned. */
async function createCluster(name: string, farmEtcdCa: 'same' | 'other'): Promise<void> {
  const pki = await clusterPki();
  pkis.set(name, pki);
  const reg = await farm.register({
    cluster: name,
    namespace: name,
    ca: pki.ca,
    etcdCa: farmEtcdCa === 'same' ? pki.etcdCa : createCA('some-other-etcd-ca'),
  });
  for (const o of stackedEtcd(clusterObjects(name, name, reg.Port, pki)).filter(
    (o) => o.metadata.name !== `${name}-apiserver-etcd-client`,
  ))
    await client.create(pathOf(o), o);
  const bmh = await until(`${name}: host provisioned`, async () => {
    const h = await client.get(objectPath(R.bmh, 'worker-1', name));
    return (h?.status as { provisioning?: { state?: string } } | undefined)?.provisioning?.state === 'provisioned'
      ? h
      : undefined;
  });
  const machine = await until(`${name}: Machine`, async () => {
    const list = (await client.list(collectionPath(R.machine, name))).items;
    return list[0];
  });
  machines.set(name, machine.metadata.name);
  farm.updateNode({
    cluster: name,
    namespace: name,
    nodeName: machine.metadata.name,
    uuid: (bmh.metadata as unknown as { uid: string }).uid,
  });
}

beforeAll(async () => {
  // On its own embedded server whatever SCALE_TUI_TEST_KUBECONFIG says, as this suite always ran.
  world = await startFlowWorld({
    name: 'kcp-etcd',
    model: MODEL,
    management: 'embedded',
    external: false,
    farmPorts: 4,
  });
  client = world.client;
  farm = world.farm!;
  await Promise.all([createCluster(GOOD, 'same'), createCluster(OTHER_CA, 'other')]);
}, 90_000);

afterAll(async () => {
  await world?.stop();
});

describe('KCP inspects etcd and certificates through port-forward on a farm cluster', () => {
  it('EtcdClusterHealthy and ControlPlaneComponentsHealthy are True when etcd answers KCP', async () => {
    await until(
      'EtcdClusterHealthy True',
      async () => (await kcpCondition(GOOD, 'EtcdClusterHealthy'))?.status === 'True',
    );
    expect(await kcpCondition(GOOD, 'EtcdClusterHealthy')).toMatchObject({ status: 'True', reason: 'Healthy' });
    await until(
      'ControlPlaneComponentsHealthy True',
      async () => (await kcpCondition(GOOD, 'ControlPlaneComponentsHealthy'))?.status === 'True',
    );
    const machine = await client.get(objectPath(R.machine, machines.get(GOOD)!, GOOD));
    expect(conditionOf(machine, 'EtcdMemberHealthy')).toMatchObject({ status: 'True', reason: 'Healthy' });
  }, 60_000);

  it('writes the certificates-expiry annotation equal to the serving certificate notAfter', async () => {
    const configName = await until('Machine bootstrap config', async () => {
      const m = await client.get(objectPath(R.machine, machines.get(GOOD)!, GOOD));
      return (m?.spec as { bootstrap?: { configRef?: { name?: string } } } | undefined)?.bootstrap?.configRef?.name;
    });
    const annotation = await until('certificates-expiry annotation', async () => {
      const c = await client.get(objectPath(R.kubeadmConfig, configName, GOOD));
      return c?.metadata.annotations?.[CERTIFICATES_EXPIRY_ANNOTATION];
    });
    const notAfter = new Date(new X509Certificate(farm.record(GOOD, GOOD).serving.certPem).validTo);
    expect(annotation).toBe(notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }, 60_000);

  it('etcd served from another CA refuses KCP: EtcdClusterHealthy not True, with upstream reasons', async () => {
    // Wait for the connection's verdict: before the Node exists the same condition briefly
    // reads "Waiting for a Node to host the etcd member" (also not True), which is not the
    // state under test.
    const cond = await until('EtcdClusterHealthy with the connection failure', async () => {
      const c = await kcpCondition(OTHER_CA, 'EtcdClusterHealthy');
      return c && c.status !== 'True' && c.reason !== 'NotHealthy' && c.message?.includes('Failed to connect')
        ? c
        : undefined;
    });
    // Upstream: a failed connection is InspectionFailed (Unknown) on the Machine, HealthUnknown on KCP.
    expect(cond).toMatchObject({ status: 'Unknown', reason: 'HealthUnknown' });
    expect(cond.message).toContain('Failed to connect to etcd');
    const machine = await client.get(objectPath(R.machine, machines.get(OTHER_CA)!, OTHER_CA));
    expect(conditionOf(machine, 'EtcdMemberHealthy')).toMatchObject({ status: 'Unknown', reason: 'InspectionFailed' });
    expect(conditionOf(machine, 'EtcdMemberHealthy')?.message).toMatch(/Failed to connect to etcd: .*etcd TLS/);
    // Its components are fine: only etcd is refused.
    await until(
      'components healthy',
      async () => (await kcpCondition(OTHER_CA, 'ControlPlaneComponentsHealthy'))?.status === 'True',
    );
  }, 60_000);

  it('the cluster API taken down through a farm fault: ControlPlaneComponentsHealthy False', async () => {
    await farm.setFault(GOOD, GOOD, { down: true });
    // A healthy KCP waits for events: one arrives (a label on the KCP), as a watch would bring.
    await client.mergePatch(objectPath(R.kcp, GOOD, GOOD), { metadata: { labels: { poke: '1' } } });
    await until(
      'ControlPlaneComponentsHealthy False',
      async () => (await kcpCondition(GOOD, 'ControlPlaneComponentsHealthy'))?.status === 'False',
    );
    expect(await kcpCondition(GOOD, 'ControlPlaneComponentsHealthy')).toMatchObject({ reason: 'NotHealthy' });
    await farm.setFault(GOOD, GOOD, {});
  }, 60_000);
});
