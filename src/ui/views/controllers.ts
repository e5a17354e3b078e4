// Controllers: CPU and memory with sparklines, concurrency/QPS/burst flags, workqueue depth,
// rollout state: a table over model/columns.ts CONTROLLER_COLUMNS (sparklines are a column
// kind there), so the header, the rows, sorting and wide mode read one list of columns.
import { CONTROLLER_COLUMNS, fitSparklines } from '../model/columns.js';
import { controllerList } from '../model/selection.js';
import { box, line, seg, type Line } from '../model/text.js';
import { type PaneArgs, tableHeader, tableRow, title } from './common.js';

/** What the sparklines leave to the other columns, so the flags stay readable. */
const FIXED_ROOM = 75;

export function controllersPane({ state, view, width, height, now }: PaneArgs, focused: boolean): Line[] {
  const sort = view.sort.controllers;
  const natural = sort.column === 'controller' && !sort.desc;
  const sorted = natural ? '' : `  sorted by ${sort.column}${sort.desc ? '↓' : '↑'}`;
  const out: Line[] = [title('controllers', focused, ` c: concurrency  r: QPS/burst${sorted}`)];
  const list = controllerList(state, view, now);
  if (list.length === 0) out.push(line(seg('no controller Deployments read yet', { dim: true })));
  const cols = fitSparklines(CONTROLLER_COLUMNS, width, FIXED_ROOM);
  out.push(line(tableHeader(cols, sort, view.wide, false)));
  const cursor = Math.min(view.controllerCursor, list.length - 1);
  for (const [i, c] of list.entries()) out.push(tableRow(cols, c, view.wide, now, focused && i === cursor));
  const queueNote = list.find((c) => c.workqueueNote)?.workqueueNote;
  if (queueNote && list.every((c) => c.workqueueDepth === undefined))
    out.push(line(seg(`workqueue depth: ${queueNote}`, { dim: true })));
  return box(out, width, height);
}
