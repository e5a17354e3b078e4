// Farm faults on one cluster of this run, for the TUI's detail page and cluster list (`x`,
// `X`): take the cluster's API down or bring it back, slow it or make it fast again, or read
// what is in force. The cluster's placement names the farm that serves it; the change goes
// to that farm's control API (src/engine/topology/farm.ts, every call with a deadline).
//
// Why read-then-write: the farm's PUT replaces a cluster's faults as a whole, so a change to
// one fault (down) must carry the others (latency, error rate) along, the way
// `scale-tui farm fault` merges its flags into what the farm reports.
import { UserError } from '../../core/errors.js';
import type { ScaleStore } from '../../state/store.js';
import type { FarmFault } from './farm.js';
import { FarmTopology } from './farm-topology.js';
import type { TopologyStrategy } from './types.js';

/** What one key press asks for; `toggle-*` picks the opposite of what is in force. */
export type FarmFaultChange = 'api-down' | 'api-up' | 'api-slow' | 'api-fast' | 'clear' | 'toggle-down' | 'toggle-slow';

/** The latency `X` adds: enough to show in CAPI's probes and the controllers' queues. */
export const SLOW_API_MS = 200;

/** The part of the engine's scope this needs (the engine passes its own). */
export interface FarmFaultScope {
  topology: TopologyStrategy;
  store: ScaleStore;
}

/** The faults after `change` applied to `now` (pure; the caller writes them). */
export function nextFault(now: FarmFault, change: FarmFaultChange): FarmFault {
  switch (change) {
    case 'clear':
      return {};
    case 'api-down':
    case 'api-up':
      return { ...now, down: change === 'api-down' };
    case 'api-slow':
    case 'api-fast':
      return { ...now, latencyMs: change === 'api-slow' ? SLOW_API_MS : 0 };
    case 'toggle-down':
      return nextFault(now, now.down ? 'api-up' : 'api-down');
    case 'toggle-slow':
      return nextFault(now, (now.latencyMs ?? 0) > 0 ? 'api-fast' : 'api-slow');
  }
}

/** One line for the page and the footer: what is in force on the cluster's API. */
export function faultText(f: FarmFault | undefined): string {
  if (!f) return 'not on the farm';
  const parts = [
    f.down ? 'API down (connections refused)' : '',
    f.latencyMs ? `latency ${f.latencyMs} ms` : '',
    f.errorRate ? `${Math.round(f.errorRate * 100)}% of requests answered 503` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'none';
}

/**
 * Applies `change` to the cluster's faults on its farm and answers the faults now in force;
 * without a change, only reads them. Refuses (UserError) outside the farm topology and for
 * a cluster that is not in this run or has no farm yet.
 */
export async function farmFault(scope: FarmFaultScope, cluster: string, change?: FarmFaultChange): Promise<FarmFault> {
  const topology = scope.topology;
  if (!(topology instanceof FarmTopology))
    throw new UserError(
      `farm faults need the farm topology; this run uses ${topology.name}`,
      'set `topology: farm` in the experiment config to inject faults into cluster APIs',
    );
  const rec = scope.store.getState().clusters[cluster];
  if (!rec) throw new UserError(`cluster ${cluster} is not in this run`, 'pick a cluster from the cluster list');
  if (!rec.placement)
    throw new UserError(
      `cluster ${cluster} has no farm yet (it is ${rec.phase})`,
      'wait until it is allocated, then try again',
    );
  const client = topology.client(rec.placement);
  const now = await client.faultOf(rec.name, rec.namespace);
  if (!now)
    throw new UserError(
      `farm ${rec.placement} does not serve ${rec.namespace}/${rec.name}`,
      '`scale-tui farm status` lists what it serves; the cluster may not be registered yet',
    );
  return change ? client.setFault(rec.name, rec.namespace, nextFault(now, change)) : now;
}
