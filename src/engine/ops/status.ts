// `scale-tui status`: the run as the journal tells it, plus the labelled namespaces each
// site still holds. Read-only; a backing cluster that does not answer is reported beside
// the rest instead of failing the whole status.
import { replay } from '../../core/journal/replay.js';
import type { ClusterRecord } from '../../core/types.js';
import { LABEL_CLUSTER, MANAGED_SELECTOR } from '../../manifests/labels.js';
import { FarmTopology } from '../topology/farm-topology.js';
import type { Site } from '../topology/types.js';
import { allJournalEvents } from './adopt.js';
import type { EngineScope } from './scope.js';

export interface StatusReport {
  clusters: ClusterRecord[];
  /** Labelled namespaces still present, per site. */
  namespaces: Record<string, string[]>;
  /** Backing clusters that did not answer, with why: status still reports the rest. */
  unreachable: Record<string, string>;
  forwarders: number;
  /** The farm topology's local farm, when one runs (it outlives the command that started it). */
  farm?: LocalFarmStatus;
}

export interface LocalFarmStatus {
  pid: number;
  url: string;
  background: boolean;
  /** Clusters it serves; absent when its control API did not answer. */
  clusters?: number;
  log?: string;
  /** Restarts after it died (engine/topology/farm-supervisor.ts); absent when none. */
  restarts?: { count: number; lastAt?: string; lastReason?: string; gaveUp?: boolean };
}

export async function status(scope: EngineScope): Promise<StatusReport> {
  const namespaces: Record<string, string[]> = {};
  const unreachable: Record<string, string> = {};
  for (const site of scope.sites.values()) {
    // The management cluster must answer (its failure is the command's error); a backing
    // cluster that does not is reported, and the rest of the status still is.
    if (site === scope.management) {
      namespaces[site.name] = await runNamespaces(site);
      continue;
    }
    try {
      namespaces[site.name] = await runNamespaces(site);
    } catch (err) {
      unreachable[site.name] = (err as Error).message.split('\n')[0] ?? 'no answer';
    }
  }
  const state = replay(allJournalEvents(scope));
  const clusters = [...state.clusters.values()];
  const farm = scope.topology instanceof FarmTopology ? await scope.topology.localFarm() : undefined;
  return { clusters, namespaces, unreachable, forwarders: scope.forwards.size, ...(farm ? { farm } : {}) };
}

/** A run's namespaces carry their cluster's name; setup's own (etcd-system) does not and is no run's leftover. */
async function runNamespaces(site: Site): Promise<string[]> {
  const selector = `${MANAGED_SELECTOR},${LABEL_CLUSTER}`;
  return (await site.client.list('v1', 'Namespace', { labelSelector: selector })).map((n) => n.metadata.name).sort();
}
