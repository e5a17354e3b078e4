// The in-memory backend's per-phase times (VM 10 s; node, etcd and API server 2 s; up to
// +20 % jitter: inmemorymachine_backend.go at CAPI v1.14.0) are applied in the emulated flow:
// the host's provisioning stands for the VM, and CAPM3 takes the Node only once the node
// (and, on a control-plane machine, etcd and the API server) would have booted. The Node
// here exists before the host is even provisioned, so without those times CAPM3 would set
// the providerID as soon as the host is provisioned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import {
  DEFAULT_COST_MODEL,
  bootAfterHostMs,
  jittered,
  withTimeScale,
  type CostModel,
} from '../../../src/sim/cost-model/model.js';
import type { Farm } from '../../../src/sim/farm/farm.js';
import { clusterObjects, clusterPki } from './fixtures.js';
import { type FlowWorld, pathOf, startFlowWorld, until, type Write } from './flow-support.js';

// Node 40 s, etcd 30 s, API server 40 s at 1/50: at least 0.8 s + 0.8 s after the host is
// provisioned, long beside the few milliseconds CAPM3 needs to see the host's change.
const MODEL: CostModel = {
  ...withTimeScale(DEFAULT_COST_MODEL, 0.02),
  provisioning: { ...DEFAULT_COST_MODEL.provisioning, nodeMs: 40_000, etcdMs: 30_000, apiServerMs: 40_000 },
};
const NAME = 'ptimes';

let world: FlowWorld | undefined;
let client: RestClient;
let farm: Farm;
let writes: Write[] = [];

beforeAll(async () => {
  // On its own embedded server whatever SCALE_TUI_TEST_KUBECONFIG says, as this suite always ran.
  world = await startFlowWorld({
    name: 'ptimes',
    model: MODEL,
    management: 'embedded',
    external: false,
    farmPorts: 2,
    record: (w) => w.verb !== 'GET' && w.status < 300,
  });
  ({ client, writes } = world);
  farm = world.farm!;
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

describe('in-memory backend provisioning times', () => {
  it('a step takes its duration plus 0-20 % jitter, scaled; a control-plane machine adds etcd/API server to the node', () => {
    const m = withTimeScale(DEFAULT_COST_MODEL, 0.1);
    expect(jittered(m, 2_000, () => 0)).toBeCloseTo(200);
    expect(jittered(m, 2_000, () => 1)).toBeCloseTo(240);
    expect(bootAfterHostMs(m, false, () => 0)).toBeCloseTo(200);
    expect(bootAfterHostMs(m, true, () => 0)).toBeCloseTo(400);
    expect(bootAfterHostMs(m, true, () => 1)).toBeCloseTo(480);
  });

  it('CAPM3 takes the Node only node + API server time after the host is provisioned', async () => {
    const pki = await clusterPki();
    const reg = await farm.register({ cluster: NAME, namespace: NAME, ca: pki.ca, etcdCa: pki.etcdCa });
    for (const o of clusterObjects(NAME, NAME, reg.Port, pki)) await client.create(pathOf(o), o);
    const host = await until('host', async () => client.get(objectPath(R.bmh, 'worker-1', NAME)));
    // The Node is there from the start, labelled with the host's UID as CAPM3 looks for it.
    const uid = (host.metadata as unknown as { uid: string }).uid;
    farm.updateNode({ cluster: NAME, namespace: NAME, nodeName: 'ptimes-cp', uuid: uid });
    const m3m = await until(
      'Metal3Machine with a providerID',
      async () =>
        (await client.list(collectionPath(R.metal3Machine, NAME))).items.find(
          (m) => (m.spec as { providerID?: string } | undefined)?.providerID,
        ),
      30_000,
    );
    const provisionedAt = writes.find(
      (w) =>
        w.controller === 'bmo' &&
        w.path.endsWith('/baremetalhosts/worker-1/status') &&
        (w.body as { status?: { provisioning?: { state?: string } } }).status?.provisioning?.state === 'provisioned',
    )?.at;
    const providerIdAt = writes.find(
      (w) =>
        w.controller === 'capm3' &&
        w.path.endsWith(`/metal3machines/${m3m.metadata.name}`) &&
        (w.body as { spec?: { providerID?: string } }).spec?.providerID,
    )?.at;
    expect(provisionedAt).toBeDefined();
    expect(providerIdAt).toBeDefined();
    const p = MODEL.provisioning;
    // A control-plane machine: node, then etcd and the API server side by side; never less.
    const least = (p.nodeMs + Math.max(p.etcdMs, p.apiServerMs)) * MODEL.timeScale;
    expect(providerIdAt! - provisionedAt!).toBeGreaterThanOrEqual(least);
  }, 45_000);
});
