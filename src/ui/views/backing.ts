// Backing clusters: health, tenants, API server pods, etcd size, node CPU/memory, endpoint;
// a table over model/columns.ts BACKING_COLUMNS, sortable like the others.
import { BACKING_COLUMNS, sortRows } from '../model/columns.js';
import { box, line, seg, type Line } from '../model/text.js';
import { type PaneArgs, tableHeader, tableRow, title } from './common.js';
import { farmRows } from './farm.js';

export function backingPane({ state, view, width, height, now }: PaneArgs, focused: boolean): Line[] {
  const out: Line[] = [title('backing', focused)];
  const byName = Object.values(state.backing).sort((a, b) => a.name.localeCompare(b.name));
  const list = sortRows(byName, BACKING_COLUMNS, view.sort.backing, now);
  if (list.length === 0)
    out.push(line(seg('none registered (the topology places workload APIs elsewhere)', { dim: true })));
  else out.push(line(tableHeader(BACKING_COLUMNS, view.sort.backing, view.wide)));
  for (const b of list) {
    out.push([
      ...tableRow(BACKING_COLUMNS, b, view.wide, now),
      ...(b.message ? [seg(`  ${b.message}`, { color: 'error' })] : []),
    ]);
  }
  out.push(...farmRows(state));
  return box(out, width, height);
}
