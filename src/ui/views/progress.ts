// Creation progress: batch bar and ETA, phase funnel, rate, time per 100, the ready-per-
// minute chart on tall panes, the first failures, and the sortable cluster list.
import { secondsText } from '../../core/phase-quantiles.js';
import { selectStepQuantiles } from '../../state/selectors.js';
import { barChart } from '../model/chart.js';
import { CLUSTER_COLUMNS } from '../model/columns.js';
import { counts, currentBatch, etaMs, failures, funnel, readyRatePerMinute } from '../model/derive.js';
import { bar, duration } from '../model/format.js';
import { listedClusters } from '../model/selection.js';
import { box, line, seg, type Line } from '../model/text.js';
import { type PaneArgs, tableHeader, tableRow, title } from './common.js';

export function progressPane({ state, view, width, height, now, readOnly }: PaneArgs, focused: boolean): Line[] {
  const out: Line[] = [];
  const b = currentBatch(state);
  const c = counts(state.clusters);
  const rate = readyRatePerMinute(state.clusters, now);
  out.push(
    title(
      'progress',
      focused,
      ` concurrency ${state.queue.concurrency}, in flight ${state.queue.inFlight}, queued ${state.queue.pending}`,
    ),
  );
  if (b) {
    const frac = b.requested ? (b.ready + b.failed) / b.requested : 0;
    const barWidth = Math.max(10, Math.min(40, width - 48));
    const eta = etaMs(b.requested - b.ready - b.failed, rate);
    out.push(
      line(
        `batch ${b.id} `,
        seg(bar(frac, barWidth), { color: 'ok' }),
        ` ${b.ready}/${b.requested} ready${b.failed ? `, ${b.failed} failed` : ''}  ETA ${b.done ? 'done' : duration(eta)}`,
      ),
    );
  } else {
    out.push(line(seg(readOnly ? 'no batch yet' : 'no batch yet: press a to add one', { dim: true })));
  }
  out.push(
    line(
      ...funnel(state.clusters).flatMap(({ phase, count }) => [
        seg(`${phase} `, { dim: true }),
        seg(String(count), { bold: count > 0 }),
        '  ',
      ]),
    ),
  );
  out.push(line(`rate ${rate.toFixed(1)} ready/min   ready ${c.ready}   failed ${c.failed}`));
  if (state.timing.length) {
    out.push(
      line(seg('per 100: ', { dim: true }), state.timing.map((t) => `0→${t.upTo} ${t.minutes.toFixed(1)}m`).join('  ')),
    );
  }
  // Phase quantiles (issue 17): seconds from a cluster's creation to its API and to ready.
  const steps = selectStepQuantiles(state.clusters).filter((q) => /^step:(api-up|ready)$/.test(q.phase));
  if (steps.length)
    out.push(
      line(
        seg('p50/p90/p99 from create: ', { dim: true }),
        steps.map((q) => `${q.phase.slice(5)} ${[q.p50, q.p90, q.p99].map(secondsText).join('/')}`).join('  '),
      ),
    );
  // Tall panes (zoomed, or a big terminal) get the throughput chart.
  const perMinute = state.readyPerMinute ?? [];
  if (height >= 30 && perMinute.length > 0) {
    const chartWidth = Math.max(10, Math.min(width - 12, 120));
    out.push(
      line(seg(`ready per minute (max ${Math.max(...perMinute)}, last ${perMinute.length} min)`, { dim: true })),
    );
    for (const row of barChart(perMinute, chartWidth, 5)) out.push(line('          ', seg(row, { color: 'ok' })));
  }
  const failed = failures(state.clusters);
  for (const f of failed.slice(0, 3))
    out.push(line(seg(`✗ ${f.name} `, { color: 'error' }), `${f.failure?.step ?? ''}: ${f.failure?.reason ?? ''}`));
  if (failed.length > 3)
    out.push(line(seg(`  … ${failed.length - 3} more failed (filter with /failed)`, { dim: true })));

  const list = listedClusters(state, view, now);
  const header = line(
    tableHeader(CLUSTER_COLUMNS, view.sort.clusters, view.wide),
    view.filter ? seg(`filter: ${view.filter} (${list.length})`, { color: 'warn' }) : '',
  );
  const room = height - out.length - 1;
  if (room > 0) {
    out.push(header);
    const cursor = Math.min(view.clusterCursor, Math.max(0, list.length - 1));
    const start = Math.max(0, Math.min(cursor - Math.floor(room / 2), list.length - room));
    for (const [i, cl] of list.slice(start, start + room).entries())
      out.push(tableRow(CLUSTER_COLUMNS, cl, view.wide, now, focused && start + i === cursor));
  }
  return box(out, width, height);
}
