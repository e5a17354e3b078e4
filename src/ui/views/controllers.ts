// Controllers: CPU and memory with sparklines, concurrency/QPS/burst flags, workqueue depth,
// rollout state. Rows are ordered by the sort column (model/columns.ts CONTROLLER_COLUMNS).
import { bytes, last, millicores, sparkline } from '../model/format.js';
import { controllerList } from '../model/selection.js';
import { box, line, padEnd, padStart, seg, type Line } from '../model/text.js';
import { type PaneArgs, title } from './common.js';

export function controllersPane({ state, view, width, height, now }: PaneArgs, focused: boolean): Line[] {
  const sort = view.sort.controllers;
  const sorted = sort.column === 'controller' && !sort.desc ? '' : `  sorted by ${sort.column}${sort.desc ? '↓' : '↑'}`;
  const out: Line[] = [title('controllers', focused, ` c: concurrency  r: QPS/burst${sorted}`)];
  const list = controllerList(state, view, now);
  if (list.length === 0) out.push(line(seg('no controller Deployments read yet', { dim: true })));
  // Sparklines get what is left after the flags' room, so the flags stay readable.
  const spark = Math.max(0, Math.min(16, Math.floor((width - 75) / 2)));
  out.push(
    line(
      seg(
        `${padEnd('controller', 18)}${padStart('cpu', 6)} ${padEnd('', spark)} ${padStart('mem', 7)} ${padEnd('', spark)}  flags`,
        { dim: true },
      ),
    ),
  );
  for (const [i, c] of list.entries()) {
    const selected = focused && i === Math.min(view.controllerCursor, list.length - 1);
    const conc =
      Object.entries(c.flags.concurrency)
        .map(([k, v]) => `${k.replace(/-concurrency$/, '')}=${v}`)
        .join(',') || 'defaults';
    const rateFlags = c.supportsRateFlags
      ? `qps=${c.flags.qps ?? 'default'} burst=${c.flags.burst ?? 'default'}`
      : 'no qps/burst flags';
    const rollout =
      c.rollout === 'rolling'
        ? seg(' rolling out…', { color: 'warn' })
        : c.rollout === 'failed'
          ? seg(' rollout failed', { color: 'error' })
          : '';
    const queue =
      (c.workqueueDepth !== undefined ? ` queue ${c.workqueueDepth}` : '') +
      (c.reconcilesPerSecond !== undefined ? ` ${c.reconcilesPerSecond.toFixed(1)} rec/s` : '');
    out.push(
      line(
        seg(padEnd(String(c.id), 18), { inverse: selected, bold: true }),
        padStart(millicores(last(c.cpuMillicores)), 6),
        ' ',
        seg(padEnd(sparkline(c.cpuMillicores, spark), spark), { color: 'cpu' }),
        ' ',
        padStart(bytes(last(c.memoryBytes)), 7),
        ' ',
        seg(padEnd(sparkline(c.memoryBytes, spark), spark), { color: 'mem' }),
        `  ${conc} ${rateFlags}${queue}`,
        rollout,
        view.wide ? seg(`  ${c.namespace}/${c.deployment}`, { dim: true }) : '',
        c.metricsNote ? seg(` (${c.metricsNote})`, { dim: true }) : '',
      ),
    );
  }
  const queueNote = list.find((c) => c.workqueueNote)?.workqueueNote;
  if (queueNote && list.every((c) => c.workqueueDepth === undefined))
    out.push(line(seg(`workqueue depth: ${queueNote}`, { dim: true })));
  return box(out, width, height);
}
