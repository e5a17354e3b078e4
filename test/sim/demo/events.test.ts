// The demo's emulated controllers write core/v1 Events where the pinned upstream ones do,
// so the detail page's Events section is no longer always empty in the demo:
// - CAPI's Cluster controller (recorder "cluster-controller"): InfrastructureReady,
//   ControlPlaneInitialized and one per phase change, named "<object>.<hex ns>";
// - BMO's BareMetalHost controller (BareMetalHost.NewEvent): Registered, BMCAccessValidated,
//   InspectionComplete, ProvisioningComplete, named "<Reason>-xxxxx", with the consumer as
//   `related`, and a "publishing event" log line each.
// And the embedded API server takes them as kube-apiserver does (legacy Event validation:
// no name check, the namespace must be the involved object's).
import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/core/kube/client.js';
import type { DemoWorld } from '../../../src/demo/run.js';
import { createDescriber } from '../../../src/engine/describe/describe.js';
import { type ApiError, RestClient } from '../../../src/sim/controllers/rest.js';
import { oneClusterDemo } from '../../support/demo.js';

interface EventObj {
  metadata: { name: string; namespace: string };
  involvedObject: { kind: string; name: string; namespace: string; uid: string; apiVersion: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  source: { component: string };
  reportingComponent: string;
  firstTimestamp: string;
  lastTimestamp: string;
  related?: { kind?: string; name?: string };
}

const demo = oneClusterDemo();
let world: DemoWorld | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('demo: Events from the emulated controllers', () => {
  it('a created cluster has the Cluster and BareMetalHost events upstream records, and the detail adapter lists them', async () => {
    world = await demo.start();
    const batch = await world.engine.addBatch({ count: 1 });
    expect(batch.ready).toBe(1);
    const rec = Object.values(world.store.getState().clusters)[0]!;
    const client = KubeClient.from({ kubeconfigYaml: world.sim.management.kubeconfigYaml });
    const wanted = [
      'Provisioned',
      'InfrastructureReady',
      'ControlPlaneInitialized',
      'ProvisioningComplete',
      'SuccessfulSetNodeRef',
    ];
    let events: EventObj[] = [];
    const end = Date.now() + 20_000;
    do {
      events = (await client.list('v1', 'Event', { namespace: rec.namespace })) as unknown as EventObj[];
      if (wanted.every((r) => events.some((e) => e.reason === r))) break;
      await sleep(250);
    } while (Date.now() < end);

    const byReason = (reason: string) => events.filter((e) => e.reason === reason);
    // CAPI's recorder.
    const provisioned = byReason('Provisioned');
    expect(provisioned).toHaveLength(1);
    expect(provisioned[0]).toMatchObject({
      type: 'Normal',
      count: 1,
      message: `Cluster ${rec.name} is Provisioned`,
      source: { component: 'cluster-controller' },
      reportingComponent: 'cluster-controller',
      involvedObject: {
        kind: 'Cluster',
        name: rec.name,
        namespace: rec.namespace,
        apiVersion: 'cluster.x-k8s.io/v1beta2',
      },
    });
    expect(provisioned[0]!.metadata.name).toMatch(new RegExp(`^${rec.name}\\.[0-9a-f]+$`));
    expect(provisioned[0]!.firstTimestamp).toBe(provisioned[0]!.lastTimestamp);
    expect(byReason('InfrastructureReady')[0]?.message).toBe(
      `Cluster ${rec.name} InfrastructureProvisioned is now True`,
    );
    // The Machine controller's, when the Machine first gets its Node.
    expect(byReason('SuccessfulSetNodeRef')[0]).toMatchObject({
      source: { component: 'machine-controller' },
      involvedObject: { kind: 'Machine', namespace: rec.namespace },
    });
    expect(byReason('ControlPlaneInitialized')[0]?.message).toBe(
      `Cluster ${rec.name} ControlPlaneInitialized is now True`,
    );
    // BMO's own events on the host that was provisioned for the cluster.
    const host = byReason('ProvisioningComplete')[0];
    expect(host).toMatchObject({
      type: 'Normal',
      count: 1,
      message: 'Image provisioning completed',
      source: { component: 'metal3-baremetal-controller' },
      reportingComponent: 'metal3.io/baremetal-controller',
      involvedObject: { kind: 'BareMetalHost', apiVersion: 'metal3.io/v1alpha1', namespace: rec.namespace },
      related: { kind: 'Metal3Machine' },
    });
    expect(host!.metadata.name).toMatch(/^ProvisioningComplete-[a-z0-9]{5}$/);
    expect(host!.involvedObject.uid).not.toBe('');
    const hostName = host!.involvedObject.name;
    const ofHost = events.filter((e) => e.involvedObject.name === hostName).map((e) => e.reason);
    // Registered and the rest may predate this cluster (hosts are registered when the pool is made).
    for (const r of ['Registered', 'BMCAccessValidated', 'InspectionComplete', 'ProvisioningComplete'])
      expect(ofHost, r).toContain(r);
    // BMO logs each event it publishes.
    const bmoLog = world.store.getState().controllerLogs.bmo ?? [];
    const published = () =>
      (world!.store.getState().controllerLogs.bmo ?? []).some(
        (l) => l.text.includes('"publishing event"') && l.text.includes(`baremetalhost="${rec.namespace}/${hostName}"`),
      );
    const logEnd = Date.now() + 5_000;
    while (!published() && Date.now() < logEnd) await sleep(200);
    expect(published(), `bmo log (${bmoLog.length} lines)`).toBe(true);

    // The detail page's adapter reads them.
    const d = await createDescriber(client).describe(rec.name, rec.namespace);
    expect(d.events.map((e) => e.reason)).toEqual(expect.arrayContaining(wanted));
    expect(d.events.find((e) => e.reason === 'Provisioned')?.object).toBe(`Cluster/${rec.name}`);
  }, 90_000);

  it('the embedded API server takes a legacy Event as kube-apiserver does: any name, namespace of the involved object', async () => {
    const rest = new RestClient(KubeClient.from({ kubeconfigYaml: world!.sim.management.kubeconfigYaml }).config);
    const ns = Object.values(world!.store.getState().clusters)[0]!.namespace;
    const events = `/api/v1/namespaces/${ns}/events`;
    const base = {
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: { kind: 'BareMetalHost', name: 'h', namespace: ns, apiVersion: 'metal3.io/v1alpha1' },
      reason: 'Registered',
      message: 'Registered new host',
      type: 'Normal',
      count: 1,
    };
    try {
      const made = await rest.request<{ metadata: { name: string } }>('POST', events, {
        ...base,
        metadata: { generateName: 'Registered-', namespace: ns },
      });
      expect(made.metadata.name).toMatch(/^Registered-[a-z0-9]{5}$/);
      const refused = await rest
        .request('POST', events, {
          ...base,
          metadata: { name: 'x.1', namespace: ns },
          involvedObject: { ...base.involvedObject, namespace: 'elsewhere' },
        })
        .then(
          () => undefined,
          (err: ApiError) => err,
        );
      expect(refused?.status).toBe(422);
      expect(refused?.message).toMatch(/does not match event\.namespace/);
      // Other kinds keep their name check.
      const upper = await rest
        .request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'Upper', namespace: ns },
        })
        .then(
          () => undefined,
          (err: ApiError) => err,
        );
      expect(upper?.status).toBe(422);
    } finally {
      rest.close();
    }
  }, 30_000);
});
