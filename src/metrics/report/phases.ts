// Phase latencies: for every cluster, seconds from its creation to the first True of each
// CAPI / CAPM3 / BMO condition (journal 'milestone' events, engine/watch/milestones.ts) and
// to each of scale-tui's own pipeline steps ('phase' events), then P50/P90/P99/max per
// phase over the run, and the same quantiles per slice of clusters in creation order, which
// shows how each phase degrades as the cluster count grows.
//
// Creation is the moment the engine's informers first saw any of the cluster's objects
// (scale-tui writes the BareMetalHosts before the Cluster, so that is usually the first
// BMH, not the Cluster object); journals written before milestones existed fall back to
// the 'objects' step, then to allocation.
// Quantiles are nearest-rank (the value at rank ceil(p/100 * n)), the definition the rest
// of the report uses, so a hand-computed fixture gives exact numbers.
import { type PhaseQuantiles, quantiles, secondsText } from '../../core/phase-quantiles.js';
import type { JournalEvent } from '../../core/types.js';
import { CREATE_PHASES } from '../../core/types.js';

export { type PhaseQuantiles, quantiles, secondsText };

export interface ClusterLatencies {
  cluster: string;
  /** Epoch ms the cluster was created (see the file comment). */
  createdAt: number;
  /** Phase name -> seconds from creation. */
  seconds: Map<string, number>;
}

/** scale-tui's own steps, as phase names in the report (queued is the origin's fallback, not a phase). */
export const STEP_PHASES = CREATE_PHASES.filter((p) => p !== 'queued').map((p) => `step:${p}`);

const CONDITION_ORDER = [
  'bmh:registering',
  'bmh:inspecting',
  'bmh:preparing',
  'bmh:available',
  'bmh:provisioning',
  'bmh:provisioned',
  'cluster:InfrastructureReady',
  'machine:BootstrapConfigReady',
  'm3m:associated',
  'machine:InfrastructureReady',
  'kcp:Initialized',
  'cluster:ControlPlaneInitialized',
  'machine:NodeHealthy',
  'kcp:Available',
  'cluster:ControlPlaneAvailable',
  'cluster:Available',
];

/** Known phases first in the order a cluster passes them, then any other BMH state alphabetically, then the steps. */
export function phaseOrder(a: string, b: string): number {
  const rank = (p: string): number => {
    const i = CONDITION_ORDER.indexOf(p);
    if (i >= 0) return i;
    const s = STEP_PHASES.indexOf(p);
    if (s >= 0) return 1000 + s;
    return 500;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Per cluster, seconds from creation to each phase it reached; in creation order. */
export function clusterLatencies(events: readonly JournalEvent[]): ClusterLatencies[] {
  const allocated = new Map<string, number>();
  const created = new Map<string, number>();
  const objects = new Map<string, number>();
  const reached = new Map<string, Map<string, number>>();
  const first = (cluster: string, phase: string, t: number): void => {
    let m = reached.get(cluster);
    if (!m) {
      m = new Map();
      reached.set(cluster, m);
    }
    if (!m.has(phase)) m.set(phase, t);
  };
  for (const e of events) {
    if (e.type === 'allocated' && !allocated.has(e.cluster)) allocated.set(e.cluster, e.t);
    if (e.type === 'milestone') {
      // The earliest object seen is the cluster's creation; 'cluster:created' only marks that moment.
      const seen = created.get(e.cluster);
      if (seen === undefined || e.t < seen) created.set(e.cluster, e.t);
      if (e.milestone !== 'cluster:created') first(e.cluster, e.milestone, e.t);
    }
    if (e.type === 'phase' && (CREATE_PHASES as readonly string[]).includes(e.phase) && e.phase !== 'queued') {
      if (e.phase === 'objects' && !objects.has(e.cluster)) objects.set(e.cluster, e.t);
      first(e.cluster, `step:${e.phase}`, e.t);
    }
  }
  const out: ClusterLatencies[] = [];
  for (const [cluster, at] of allocated) {
    const createdAt = created.get(cluster) ?? objects.get(cluster) ?? at;
    const seconds = new Map<string, number>();
    for (const [phase, t] of reached.get(cluster) ?? []) seconds.set(phase, Math.max(0, t - createdAt) / 1000);
    out.push({ cluster, createdAt, seconds });
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || a.cluster.localeCompare(b.cluster));
}

/** P50/P90/P99/max per phase over `clusters`, phases in the order clusters pass them. */
export function phaseQuantiles(clusters: readonly ClusterLatencies[]): PhaseQuantiles[] {
  const byPhase = new Map<string, number[]>();
  for (const c of clusters)
    for (const [phase, s] of c.seconds) {
      let xs = byPhase.get(phase);
      if (!xs) {
        xs = [];
        byPhase.set(phase, xs);
      }
      xs.push(s);
    }
  return [...byPhase.keys()].sort(phaseOrder).map((p) => quantiles(p, byPhase.get(p)!));
}

export interface ScaleSlice {
  /** Clusters from+1 .. to in creation order. */
  from: number;
  to: number;
  phases: PhaseQuantiles[];
}

/** The same quantiles per `size` clusters in creation order: phase latency against cluster count. */
export function phaseQuantilesByScale(clusters: readonly ClusterLatencies[], size: number): ScaleSlice[] {
  const out: ScaleSlice[] = [];
  for (let from = 0; from < clusters.length; from += size) {
    const slice = clusters.slice(from, from + size);
    out.push({ from, to: from + slice.length, phases: phaseQuantiles(slice) });
  }
  return out;
}
