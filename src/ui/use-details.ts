// The detail page's data: while a cluster's page is on top, its namespace is read through
// the engine's describe adapter every few seconds (one read at a time, each with the
// adapter's deadline); pages closed are forgotten so nothing grows over a long session.
import { useEffect, useRef, useState } from 'react';
import type { ClusterDescription } from '../engine/describe/types.js';
import type { ScaleStore } from '../state/store.js';
import type { Effect, ViewState } from './model/view-state.js';
import { topPage } from './model/view-state.js';
import type { DetailData } from './views/detail.js';

export interface DetailActions {
  describe?: (cluster: string, namespace: string) => Promise<ClusterDescription>;
  /** Re-runs failed clusters (the engine's resume); resolves to a note for the footer. */
  retry?: (cluster: string) => Promise<string>;
  /** Farm topology faults on one cluster's API; absent elsewhere. */
  fault?: (fault: 'api-down' | 'api-slow', cluster: string) => Promise<string>;
  faults?: ReadonlyArray<'api-down' | 'api-slow'>;
}

const REFRESH_MS = 3000;

export function useDetails(
  store: ScaleStore,
  view: ViewState,
  actions: DetailActions | undefined,
): {
  data: ReadonlyMap<string, DetailData>;
  open: (cluster: string) => void;
  act: (e: Extract<Effect, { type: 'retry' | 'fault' }>) => Promise<string>;
} {
  const [data, setData] = useState<ReadonlyMap<string, DetailData>>(new Map());
  const busy = useRef(false);
  const page = topPage(view);
  const shown = page?.kind === 'detail' ? page.cluster : undefined;

  const load = (cluster: string): void => {
    const rec = store.getState().clusters[cluster];
    if (!actions?.describe) {
      setData(new Map([[cluster, { loading: false, error: 'this session has no describe adapter' }]]));
      return;
    }
    if (busy.current) return;
    busy.current = true;
    setData((m) => new Map([[cluster, { ...(m.get(cluster) ?? {}), loading: true }]]));
    actions
      .describe(cluster, rec?.namespace ?? cluster)
      .then(
        (description) => setData(new Map([[cluster, { loading: false, description }]])),
        (err: Error) =>
          setData((m) => new Map([[cluster, { ...(m.get(cluster) ?? {}), loading: false, error: err.message }]])),
      )
      .finally(() => {
        busy.current = false;
      });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: load reads only refs and the props of this render
  useEffect(() => {
    if (!shown) {
      setData(new Map());
      return;
    }
    const timer = setInterval(() => load(shown), REFRESH_MS);
    return () => clearInterval(timer);
  }, [shown]);

  return {
    data,
    open: load,
    act: async (e) => {
      if (e.type === 'retry') {
        if (!actions?.retry) throw new Error('this session cannot retry clusters');
        return actions.retry(e.cluster);
      }
      if (!actions?.fault) throw new Error('the topology has no fault switch');
      return actions.fault(e.fault, e.cluster);
    },
  };
}
