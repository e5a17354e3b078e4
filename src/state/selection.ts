// Which clusters a selection means ("all", "last", "batch b-3", test-3..test-40, names):
// the one answer, used by the engine's delete and by the UI's confirm dialog, so what the
// dialog names is exactly what the engine deletes. Only clusters the store tracks count.
import type { ClusterRecord, ClusterSelection } from '../core/types.js';
import type { ScaleState } from './store.js';

/** The clusters `sel` names, in cluster-number order. */
export function resolveSelection(s: Pick<ScaleState, 'batches' | 'clusters'>, sel: ClusterSelection): ClusterRecord[] {
  const all = Object.values(s.clusters).sort((a, b) => a.number - b.number);
  switch (sel.kind) {
    case 'all':
      return all;
    case 'names': {
      const wanted = new Set(sel.names);
      return all.filter((c) => wanted.has(c.name));
    }
    case 'range':
      return all.filter((c) => c.number >= sel.from && c.number <= sel.to);
    case 'batch':
      return all.filter((c) => c.batchId === sel.batchId);
    case 'last-batch': {
      // No batch yet (a fresh session that only adopted clusters) means nothing to delete.
      const last = s.batches.at(-1);
      return last ? all.filter((c) => c.batchId === last.id) : [];
    }
  }
}
