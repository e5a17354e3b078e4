// The milestone recorder: which condition or state of which object counts as which phase,
// once per cluster, only for the engine's clusters, and not again after a resume.
import { describe, expect, it } from 'vitest';
import type { Informer } from '../../../src/core/kube/informer.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { type MilestoneWatches, milestonesOf, recordMilestones } from '../../../src/engine/watch/milestones.js';

type Obj = KubeObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };
const label = { 'cluster.x-k8s.io/cluster-name': 'c1' };
const cond = (...types: string[]) => types.map((type) => ({ type, status: 'True' }));

/** The two Informer methods the recorder uses, driven by hand. */
class FakeInformer {
  private listeners: Array<(type: 'add' | 'update' | 'delete', o: KubeObject) => void> = [];
  constructor(private readonly items: KubeObject[] = []) {}
  list(): KubeObject[] {
    return this.items;
  }
  on(l: (type: 'add' | 'update' | 'delete', o: KubeObject) => void): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }
  emit(type: 'add' | 'update' | 'delete', o: Obj): void {
    for (const l of this.listeners) l(type, o);
  }
}

describe('milestonesOf', () => {
  it('reads v1beta2 conditions per kind', () => {
    expect(
      milestonesOf('cluster', {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'c1' },
        status: {
          conditions: [
            ...cond('InfrastructureReady', 'ControlPlaneInitialized'),
            { type: 'Available', status: 'False' },
          ],
        },
      } as Obj),
    ).toEqual({
      cluster: 'c1',
      reached: ['cluster:created', 'cluster:InfrastructureReady', 'cluster:ControlPlaneInitialized'],
    });
    expect(
      milestonesOf('machine', {
        apiVersion: 'x',
        kind: 'Machine',
        metadata: { name: 'm', labels: label },
        status: { conditions: cond('BootstrapConfigReady', 'NodeHealthy') },
      } as Obj).reached,
    ).toEqual(['machine:BootstrapConfigReady', 'machine:NodeHealthy']);
    expect(
      milestonesOf('kcp', {
        apiVersion: 'x',
        kind: 'KubeadmControlPlane',
        metadata: { name: 'k', labels: label },
        status: { initialization: { controlPlaneInitialized: true } },
      } as Obj).reached,
    ).toEqual(['kcp:Initialized']);
    expect(
      milestonesOf('m3m', {
        apiVersion: 'x',
        kind: 'Metal3Machine',
        metadata: { name: 'x', labels: label },
        spec: { providerID: 'metal3://a' },
      } as Obj).reached,
    ).toEqual(['m3m:associated']);
    expect(
      milestonesOf('bmh', {
        apiVersion: 'x',
        kind: 'BareMetalHost',
        metadata: { name: 'h', labels: { 'scale-tui.metal3.io/cluster': 'c1' } },
        status: { provisioning: { state: 'inspecting' } },
      } as Obj),
    ).toEqual({ cluster: 'c1', reached: ['bmh:inspecting'] });
  });

  it('reads v1beta1 clusters (deprecated conditions, ControlPlaneReady)', () => {
    const o = {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'c1' },
      status: { deprecated: { v1beta1: { conditions: cond('ControlPlaneReady') } } },
    } as Obj;
    expect(milestonesOf('cluster', o).reached).toContain('cluster:ControlPlaneAvailable');
  });
});

describe('recordMilestones', () => {
  it('records each milestone once, for tracked clusters, skipping ones already journalled', () => {
    const fakes = {
      cluster: new FakeInformer([{ apiVersion: 'x', kind: 'Cluster', metadata: { name: 'c1' } }]),
      kcp: new FakeInformer(),
      machine: new FakeInformer(),
      m3m: new FakeInformer(),
      bmh: new FakeInformer(),
    };
    const got: string[] = [];
    const rec = recordMilestones(
      fakes as unknown as MilestoneWatches & Record<string, Informer>,
      (c) => c === 'c1',
      (c, m) => got.push(`${c} ${m}`),
      [['c1', 'machine:BootstrapConfigReady']],
    );
    expect(got).toEqual(['c1 cluster:created']);
    const machine = (conds: string[]): Obj =>
      ({
        apiVersion: 'x',
        kind: 'Machine',
        metadata: { name: 'm', labels: label },
        status: { conditions: cond(...conds) },
      }) as Obj;
    fakes.machine.emit('update', machine(['BootstrapConfigReady', 'InfrastructureReady']));
    fakes.machine.emit('update', machine(['BootstrapConfigReady', 'InfrastructureReady', 'NodeHealthy']));
    fakes.machine.emit('update', machine(['NodeHealthy']));
    fakes.machine.emit('update', {
      ...machine(['NodeHealthy']),
      metadata: { name: 'x', labels: { 'cluster.x-k8s.io/cluster-name': 'not-ours' } },
    } as Obj);
    fakes.machine.emit('delete', machine(['InfrastructureReady']));
    expect(got).toEqual(['c1 cluster:created', 'c1 machine:InfrastructureReady', 'c1 machine:NodeHealthy']);
    rec.stop();
    fakes.bmh.emit('add', {
      apiVersion: 'x',
      kind: 'BareMetalHost',
      metadata: { name: 'h', labels: { 'scale-tui.metal3.io/cluster': 'c1' } },
      status: { provisioning: { state: 'available' } },
    } as Obj);
    expect(got).toHaveLength(3);
  });
});

describe('recordMilestones with the engine’s whole informer set', () => {
  it('reads only the milestone kinds when handed more informers than it has rules for', () => {
    // The engine passes every informer it runs; one more (here namespaces) made milestonesOf
    // return nothing and the recorder threw on its first event (seen in the lab at delete).
    const ns = new FakeInformer();
    const bmh = new FakeInformer();
    const watches = {
      cluster: new FakeInformer(),
      kcp: new FakeInformer(),
      machine: new FakeInformer(),
      m3m: new FakeInformer(),
      bmh,
      namespace: ns,
    } as unknown as MilestoneWatches;
    const got: string[] = [];
    const rec = recordMilestones(
      watches,
      () => true,
      (c, m) => got.push(`${c} ${m}`),
    );
    ns.emit('add', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test-1' } } as Obj);
    bmh.emit('update', {
      apiVersion: 'metal3.io/v1alpha1',
      kind: 'BareMetalHost',
      metadata: { name: 'h', labels: label },
      status: { provisioning: { state: 'provisioned' } },
    } as Obj);
    rec.stop();
    expect(got).toEqual(['c1 bmh:provisioned']);
  });
});
