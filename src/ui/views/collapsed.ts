// One line per collapsed pane (small terminals): its number, title and the number that matters most.
import type { ScaleState } from '../../state/store.js';
import { counts, readyRatePerMinute } from '../model/derive.js';
import { last, millicores } from '../model/format.js';
import { PANE_TITLES, PANES, type PaneId } from '../model/layout.js';
import { controllerList } from '../model/selection.js';
import { box, line, seg, type Line } from '../model/text.js';

function summary(id: PaneId, state: ScaleState, now: number): string {
  if (id === 'progress') {
    const c = counts(state.clusters);
    return `ready ${c.ready}/${c.desired}, ${c.inProgress} in progress, ${c.failed} failed, ${readyRatePerMinute(state.clusters, now).toFixed(1)}/min`;
  }
  if (id === 'controllers')
    return (
      controllerList(state)
        .map((c) => `${c.id} ${millicores(last(c.cpuMillicores))}`)
        .join('  ') || 'none read yet'
    );
  if (id === 'throttling') {
    const per = Object.entries(state.throttling.perController);
    return per.length ? per.map(([k, s]) => `${k} ${s.perMinute.toFixed(0)}/min`).join('  ') : 'none seen';
  }
  const list = Object.values(state.backing);
  return list.length
    ? `${list.filter((b) => b.healthy).length}/${list.length} healthy, ${list.reduce((n, b) => n + b.tenants, 0)} tenants`
    : 'none';
}

export function collapsedLine(id: PaneId, state: ScaleState, focused: boolean, now: number, width: number): Line[] {
  return box(
    [
      line(
        seg(`${PANES.indexOf(id) + 1} ${PANE_TITLES[id]}`, { inverse: focused, bold: true }),
        seg(`  ${summary(id, state, now)}`, { dim: true }),
      ),
    ],
    width,
    1,
  );
}
