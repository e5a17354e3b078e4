// The two header rows: context, topology, run, uptime; counts, rate, pause, versions.
import type { ScaleState } from '../../state/store.js';
import { duration } from '../model/format.js';
import { counts, readyRatePerMinute } from '../model/derive.js';
import { box, line, seg, type Line } from '../model/text.js';

export function headerLines(
  state: ScaleState,
  now: number,
  title: string,
  width: number,
  height: number,
  readOnly = false,
): Line[] {
  const run = state.run;
  const c = counts(state.clusters);
  const rate = readyRatePerMinute(state.clusters, now);
  const first = line(
    seg(title, { bold: true, color: 'accent' }),
    readOnly ? seg(' [read-only]', { bold: true, color: 'warn' }) : '',
    `  ${run ? run.context : readOnly ? 'no run yet' : 'no run yet: a adds a batch'}`,
    run ? `  topology ${run.topology}` : '',
    run ? `  run ${run.runId}` : '',
    run ? `  up ${duration(now - run.startedAt)}` : '',
  );
  const second = line(
    `desired ${c.desired}  `,
    seg(`ready ${c.ready}`, { color: 'ok' }),
    `  in progress ${c.inProgress}  `,
    seg(`failed ${c.failed}`, { color: c.failed ? 'error' : undefined }),
    `  deleting ${c.deleting}  rate ${rate.toFixed(1)}/min`,
    state.queue.paused ? seg('  PAUSED', { color: 'warn', bold: true }) : '',
    run
      ? `  ${Object.entries(run.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(' ')}`
      : '',
  );
  return box(height >= 2 ? [first, second] : [[...first.slice(0, 1), ...second]], width, height);
}
