// The panes as pure functions: (store snapshot, view state, size) -> lines. The Ink
// components only draw these, so tests can check any terminal size without a terminal.
import type { ScaleState } from '../../state/store.js';
import { bar, bytes, duration, last, millicores, sparkline } from '../model/format.js';
import { barChart } from '../model/chart.js';
import { counts, currentBatch, etaMs, failures, funnel, readyRatePerMinute, sortedClusters } from '../model/derive.js';
import { PANE_TITLES, type PaneId } from '../model/layout.js';
import { box, line, padEnd, padStart, seg, type Line } from '../model/text.js';
import { controllerList, type ViewState } from '../model/view.js';

export interface PaneArgs {
  state: ScaleState;
  view: ViewState;
  width: number;
  height: number;
  now: number;
}

export function headerLines(state: ScaleState, now: number, title: string, width: number, height: number): Line[] {
  const run = state.run;
  const c = counts(state.clusters);
  const rate = readyRatePerMinute(state.clusters, now);
  const first = line(
    seg(title, { bold: true, color: 'cyan' }),
    `  ${run ? run.context : 'no run yet: a adds a batch'}`,
    run ? `  topology ${run.topology}` : '',
    run ? `  run ${run.runId}` : '',
    run ? `  up ${duration(now - run.startedAt)}` : '',
  );
  const second = line(
    `desired ${c.desired}  `,
    seg(`ready ${c.ready}`, { color: 'green' }),
    `  in progress ${c.inProgress}  `,
    seg(`failed ${c.failed}`, { color: c.failed ? 'red' : undefined }),
    `  deleting ${c.deleting}  rate ${rate.toFixed(1)}/min`,
    state.queue.paused ? seg('  PAUSED', { color: 'yellow', bold: true }) : '',
    run
      ? `  ${Object.entries(run.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(' ')}`
      : '',
  );
  return box(height >= 2 ? [first, second] : [[...first.slice(0, 1), ...second]], width, height);
}

function title(id: PaneId, focused: boolean, extra = ''): Line {
  return line(seg(` ${PANE_TITLES[id]} `, { inverse: focused, bold: true }), seg(extra, { dim: true }));
}

export function progressPane({ state, view, width, height, now }: PaneArgs, focused: boolean): Line[] {
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
        seg(bar(frac, barWidth), { color: 'green' }),
        ` ${b.ready}/${b.requested} ready${b.failed ? `, ${b.failed} failed` : ''}  ETA ${b.done ? 'done' : duration(eta)}`,
      ),
    );
  } else {
    out.push(line(seg('no batch yet: press a to add one', { dim: true })));
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
  // Tall panes (zoomed, or a big terminal) get the throughput chart.
  const perMinute = state.readyPerMinute ?? [];
  if (height >= 30 && perMinute.length > 0) {
    const chartWidth = Math.max(10, Math.min(width - 12, 120));
    out.push(
      line(seg(`ready per minute (max ${Math.max(...perMinute)}, last ${perMinute.length} min)`, { dim: true })),
    );
    for (const row of barChart(perMinute, chartWidth, 5)) out.push(line('          ', seg(row, { color: 'green' })));
  }
  const failed = failures(state.clusters);
  for (const f of failed.slice(0, 3))
    out.push(line(seg(`✗ ${f.name} `, { color: 'red' }), `${f.failure?.step ?? ''}: ${f.failure?.reason ?? ''}`));
  if (failed.length > 3)
    out.push(line(seg(`  … ${failed.length - 3} more failed (filter with /failed)`, { dim: true })));

  const list = sortedClusters(state.clusters, view.filter);
  const header = line(
    seg(`${padEnd('cluster', 14)}${padEnd('phase', 16)}${padEnd('age', 8)}${padEnd('backing', 14)}`, { dim: true }),
    view.filter ? seg(`filter: ${view.filter} (${list.length})`, { color: 'yellow' }) : '',
  );
  const room = height - out.length - 1;
  if (room > 0) {
    out.push(header);
    const cursor = Math.min(view.clusterCursor, Math.max(0, list.length - 1));
    const start = Math.max(0, Math.min(cursor - Math.floor(room / 2), list.length - room));
    for (const [i, cl] of list.slice(start, start + room - 0).entries()) {
      const selected = focused && start + i === cursor;
      const color =
        cl.phase === 'ready' ? 'green' : cl.phase === 'failed' ? 'red' : cl.phase === 'deleting' ? 'yellow' : undefined;
      const age = duration(now - (cl.transitions.queued ?? now));
      out.push(
        line(
          seg(`${padEnd(cl.name, 14)}${padEnd(cl.phase, 16)}${padEnd(age, 8)}${padEnd(cl.placement ?? '', 14)}`, {
            color,
            inverse: selected,
          }),
        ),
      );
    }
  }
  return box(out, width, height);
}

export function controllersPane({ state, view, width, height }: PaneArgs, focused: boolean): Line[] {
  const out: Line[] = [title('controllers', focused, ' c: concurrency  r: QPS/burst')];
  const list = controllerList(state);
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
        ? seg(' rolling out…', { color: 'yellow' })
        : c.rollout === 'failed'
          ? seg(' rollout failed', { color: 'red' })
          : '';
    const queue =
      (c.workqueueDepth !== undefined ? ` queue ${c.workqueueDepth}` : '') +
      (c.reconcilesPerSecond !== undefined ? ` ${c.reconcilesPerSecond.toFixed(1)} rec/s` : '');
    out.push(
      line(
        seg(padEnd(String(c.id), 18), { inverse: selected, bold: true }),
        padStart(millicores(last(c.cpuMillicores)), 6),
        ' ',
        seg(padEnd(sparkline(c.cpuMillicores, spark), spark), { color: 'cyan' }),
        ' ',
        padStart(bytes(last(c.memoryBytes)), 7),
        ' ',
        seg(padEnd(sparkline(c.memoryBytes, spark), spark), { color: 'magenta' }),
        `  ${conc} ${rateFlags}${queue}`,
        rollout,
        c.metricsNote ? seg(` (${c.metricsNote})`, { dim: true }) : '',
      ),
    );
  }
  const queueNote = list.find((c) => c.workqueueNote)?.workqueueNote;
  if (queueNote && list.every((c) => c.workqueueDepth === undefined))
    out.push(line(seg(`workqueue depth: ${queueNote}`, { dim: true })));
  return box(out, width, height);
}

export function throttlingPane({ state, width, height }: PaneArgs, focused: boolean): Line[] {
  const out: Line[] = [title('throttling', focused)];
  const per = Object.entries(state.throttling.perController).sort(([a], [b]) => a.localeCompare(b));
  if (per.length) {
    out.push(
      line(
        ...per.flatMap(([id, s]) => [
          seg(id, { bold: true }),
          ` ${s.perMinute.toFixed(0)}/min p95 ${duration(s.p95Ms).replace(/^0s$/, `${Math.round(s.p95Ms)}ms`)}   `,
        ]),
      ),
    );
  } else {
    out.push(line(seg('no client-side throttling seen', { dim: true })));
  }
  const room = Math.max(0, height - out.length);
  for (const t of state.throttling.recent.slice(-room)) {
    out.push(
      line(
        seg(padEnd(t.controller, 12), { color: 'yellow' }),
        padStart(`${Math.round(t.waitMs)}ms`, 8),
        ` ${t.verb} ${t.path}`,
      ),
    );
  }
  return box(out, width, height);
}

export function backingPane({ state, width, height }: PaneArgs, focused: boolean): Line[] {
  const out: Line[] = [title('backing', focused)];
  const list = Object.values(state.backing).sort((a, b) => a.name.localeCompare(b.name));
  if (list.length === 0)
    out.push(line(seg('none registered (the topology places workload APIs elsewhere)', { dim: true })));
  else
    out.push(
      line(
        seg(
          `${padEnd('name', 12)}${padEnd('health', 10)}${padStart('tenants', 12)}${padStart('apiservers', 12)}${padStart('etcd db', 9)}${padStart('cpu', 7)}${padStart('mem', 8)}  endpoint`,
          { dim: true },
        ),
      ),
    );
  for (const b of list) {
    out.push(
      line(
        padEnd(b.name, 12),
        seg(padEnd(b.healthy ? 'healthy' : 'DOWN', 10), { color: b.healthy ? 'green' : 'red' }),
        padStart(`${b.tenants}/${b.capacity}`, 12),
        padStart(`${b.apiserverPodsReady}/${b.apiserverPods}`, 12),
        padStart(bytes(b.etcdDbBytes), 9),
        padStart(millicores(b.nodeCpuMillicores), 7),
        padStart(bytes(b.nodeMemoryBytes), 8),
        `  ${b.endpoint}`,
        b.message ? seg(`  ${b.message}`, { color: 'red' }) : '',
      ),
    );
  }
  return box(out, width, height);
}

/** One line per collapsed pane: its title and the number that matters most. */
export function collapsedLine(id: PaneId, state: ScaleState, focused: boolean, now: number, width: number): Line[] {
  let summary = '';
  if (id === 'progress') {
    const c = counts(state.clusters);
    summary = `ready ${c.ready}/${c.desired}, ${c.inProgress} in progress, ${c.failed} failed, ${readyRatePerMinute(state.clusters, now).toFixed(1)}/min`;
  } else if (id === 'controllers') {
    summary =
      controllerList(state)
        .map((c) => `${c.id} ${millicores(last(c.cpuMillicores))}`)
        .join('  ') || 'none read yet';
  } else if (id === 'throttling') {
    const per = Object.entries(state.throttling.perController);
    summary = per.length ? per.map(([k, s]) => `${k} ${s.perMinute.toFixed(0)}/min`).join('  ') : 'none seen';
  } else {
    const list = Object.values(state.backing);
    summary = list.length
      ? `${list.filter((b) => b.healthy).length}/${list.length} healthy, ${list.reduce((n, b) => n + b.tenants, 0)} tenants`
      : 'none';
  }
  return box(
    [
      line(
        seg(`${id === 'progress' ? 1 : id === 'controllers' ? 2 : id === 'throttling' ? 3 : 4} ${PANE_TITLES[id]}`, {
          inverse: focused,
          bold: true,
        }),
        seg(`  ${summary}`, { dim: true }),
      ),
    ],
    width,
    1,
  );
}

export function paneLines(id: PaneId, args: PaneArgs, focused: boolean): Line[] {
  switch (id) {
    case 'progress':
      return progressPane(args, focused);
    case 'controllers':
      return controllersPane(args, focused);
    case 'throttling':
      return throttlingPane(args, focused);
    case 'backing':
      return backingPane(args, focused);
  }
}
