// What the keys act on: the cluster list as shown (filtered and sorted), the selected
// cluster and controller. One place, so the cursor, `d`, `enter` and the pane agree.
import { CONTROLLER_IDS, type ClusterRecord } from '../../core/types.js';
import { CONTROLLERS } from '../../core/tune/flags.js';
import type { ControllerStatus, ScaleState } from '../../state/store.js';
import { CLUSTER_COLUMNS, CONTROLLER_COLUMNS, sortRows } from './columns.js';
import { sortedClusters } from './derive.js';
import type { ViewState } from './view-state.js';

/** The cluster list as the progress pane shows it. */
export function listedClusters(
  state: ScaleState,
  view: Pick<ViewState, 'filter' | 'sort'>,
  now: number,
): readonly ClusterRecord[] {
  const filtered = sortedClusters(state.clusters, view.filter);
  const s = view.sort.clusters;
  return s.column === 'cluster' && !s.desc ? filtered : sortRows([...filtered], CLUSTER_COLUMNS, s, now);
}

/** Controllers in the table's order: the known ones first by default, then the rest. */
export function controllerList(state: ScaleState, view?: Pick<ViewState, 'sort'>, now = 0): ControllerStatus[] {
  const known = CONTROLLER_IDS.map((id) => state.controllers[id]).filter((c): c is ControllerStatus => c !== undefined);
  const rest = Object.values(state.controllers).filter((c) => !(CONTROLLER_IDS as readonly string[]).includes(c.id));
  const all = [...known, ...rest];
  const s = view?.sort.controllers;
  return !s || (s.column === 'controller' && !s.desc) ? all : sortRows(all, CONTROLLER_COLUMNS, s, now);
}

export function selectedCluster(view: ViewState, state: ScaleState, now: number): ClusterRecord | undefined {
  const list = listedClusters(state, view, now);
  return list[Math.min(view.clusterCursor, list.length - 1)];
}

export function selectedController(view: ViewState, state: ScaleState, now: number): ControllerStatus | undefined {
  const list = controllerList(state, view, now);
  return list[Math.min(view.controllerCursor, list.length - 1)];
}

/**
 * The flag the `c` dialog sets: the controller's own reconciler (what `tune --concurrency`
 * sets), not every flag; a status row for an id outside the table falls back to its first.
 */
export function mainConcurrencyFlag(c: Pick<ControllerStatus, 'id' | 'supportedConcurrencyFlags'>): string {
  const main = (CONTROLLERS as Record<string, { mainConcurrencyFlag: string } | undefined>)[c.id]?.mainConcurrencyFlag;
  if (main !== undefined && c.supportedConcurrencyFlags.includes(main)) return main;
  return c.supportedConcurrencyFlags[0] ?? '';
}
