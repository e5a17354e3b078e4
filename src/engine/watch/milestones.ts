// Per-cluster phase latencies need the moment each CAPI / CAPM3 / BMO condition first
// turned True, not only scale-tui's own pipeline steps. The engine already watches every
// object that carries those conditions (Cluster, KCP, Machine, Metal3Machine, BMH), so
// this module listens on the same informers and journals a 'milestone' event the first time
// each one is seen True for a cluster of this run. Nothing is polled and nothing is read
// twice: an informer event costs one pass over a handful of conditions.
//
// Milestones are named `<kind>:<what>` (e.g. `machine:NodeHealthy`, `bmh:provisioned`) so the
// report can group them by object kind and the thresholds can name them.
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CLUSTER } from '../../manifests/labels.js';
import { associatedHost, clusterLabel, conditionTrue, kcpInitialized, machineProviderId } from './capi-state.js';
import type { Informer } from '../../core/kube/informer.js';

type Obj = KubeObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };

export interface MilestoneWatches {
  cluster: Informer;
  kcp: Informer;
  machine: Informer;
  m3m: Informer;
  bmh: Informer;
}

/**
 * The kinds read, named once: the engine hands over its whole set of informers (a
 * structural superset of MilestoneWatches), so walking that object's keys would visit
 * informers this module has no rules for.
 */
const MILESTONE_KINDS: ReadonlyArray<keyof MilestoneWatches> = ['cluster', 'kcp', 'machine', 'm3m', 'bmh'];

/** What is True on one object now, as milestone names, with the cluster it belongs to. */
export function milestonesOf(kind: keyof MilestoneWatches, o: Obj): { cluster?: string; reached: string[] } {
  const reached: string[] = [];
  switch (kind) {
    case 'cluster': {
      reached.push('cluster:created');
      for (const c of ['InfrastructureReady', 'ControlPlaneInitialized', 'ControlPlaneAvailable', 'Available'])
        if (conditionTrue(o, c)) reached.push(`cluster:${c}`);
      // v1beta1 clusters report ControlPlaneReady instead of ControlPlaneAvailable.
      if (conditionTrue(o, 'ControlPlaneReady')) reached.push('cluster:ControlPlaneAvailable');
      return { cluster: o.metadata.name, reached };
    }
    case 'kcp':
      if (kcpInitialized(o)) reached.push('kcp:Initialized');
      if (conditionTrue(o, 'Available') || conditionTrue(o, 'Ready')) reached.push('kcp:Available');
      return { cluster: clusterLabel(o), reached };
    case 'machine':
      for (const c of ['BootstrapConfigReady', 'InfrastructureReady', 'NodeHealthy'])
        if (conditionTrue(o, c)) reached.push(`machine:${c}`);
      return { cluster: clusterLabel(o), reached };
    case 'm3m': {
      const ready = (o.status as { ready?: boolean } | undefined)?.ready === true;
      if (associatedHost(o) || machineProviderId(o) || ready) reached.push('m3m:associated');
      return { cluster: clusterLabel(o), reached };
    }
    case 'bmh': {
      const state = (o.status?.provisioning as { state?: string } | undefined)?.state;
      if (state) reached.push(`bmh:${state}`);
      return { cluster: o.metadata.labels?.[LABEL_CLUSTER] ?? clusterLabel(o), reached };
    }
  }
}

export interface MilestoneRecorder {
  stop(): void;
}

/**
 * Calls `record` once per (cluster, milestone), for clusters `isTracked` accepts. Objects
 * already in the caches are read at once (a resumed run keeps its earlier milestones in the
 * journal; `seen` lets the engine pass those so they are not written again).
 */
export function recordMilestones(
  watches: MilestoneWatches,
  isTracked: (cluster: string) => boolean,
  record: (cluster: string, milestone: string) => void,
  seen: Iterable<[string, string]> = [],
): MilestoneRecorder {
  const done = new Set<string>();
  for (const [c, m] of seen) done.add(`${c}\u0000${m}`);
  const visit = (kind: keyof MilestoneWatches, o: KubeObject): void => {
    const { cluster, reached } = milestonesOf(kind, o as Obj);
    if (!cluster || reached.length === 0 || !isTracked(cluster)) return;
    for (const m of reached) {
      const key = `${cluster}\u0000${m}`;
      if (done.has(key)) continue;
      done.add(key);
      record(cluster, m);
    }
  };
  const offs: Array<() => void> = [];
  for (const kind of MILESTONE_KINDS) {
    const inf = watches[kind];
    for (const o of inf.list()) visit(kind, o);
    offs.push(
      inf.on((type, o) => {
        if (type !== 'delete') visit(kind, o);
      }),
    );
  }
  return {
    stop: () => {
      for (const off of offs) off();
    },
  };
}
