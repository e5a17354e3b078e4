// The workload-API farms (topology farm) as rows under the backing clusters: clusters served
// of capacity, listeners down or faulted, requests/s and health probes/s, latency p50/p99,
// port-forward sessions. One line per farm, so it costs the backing pane little height.
import type { FarmStatusView, ScaleState } from '../../state/store.js';
import { line, seg, type Line } from '../model/text.js';

function farmLine(f: FarmStatusView): Line {
  if (!f.reachable)
    return line(seg(`farm ${f.name}`, { bold: true }), seg(`  not answering at ${f.url}`, { color: 'error' }));
  return line(
    seg(`farm ${f.name}`, { bold: true }),
    `  ${f.clusters}/${f.capacity} clusters`,
    f.down > 0 ? seg(`  ${f.down} down`, { color: 'error' }) : '',
    f.faulted > 0 ? seg(`  ${f.faulted} faulted`, { color: 'warn' }) : '',
    `  ${f.requestsPerSecond.toFixed(0)} req/s  probes ${f.healthProbesPerSecond.toFixed(0)}/s`,
    `  p50 ${f.p50Ms.toFixed(1)} ms  p99 ${f.p99Ms.toFixed(1)} ms`,
    f.errors > 0 ? seg(`  ${f.errors} errors`, { color: 'warn' }) : '',
    `  port-forward ${f.portForwardActive} open / ${f.portForwardSessions}`,
    f.restarts ? seg(`  restarted ${f.restarts}x`, { color: 'warn' }) : '',
  );
}

/** Lines for every farm in the store (none when the topology uses no farm). */
export function farmRows(state: Pick<ScaleState, 'farms'>): Line[] {
  return Object.values(state.farms ?? {})
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(farmLine);
}
