// Client-side throttling: per-controller waits per minute and p95, then the live tail
// (the log viewer, `l` then tab, scrolls and filters the whole tail).
import { duration } from '../model/format.js';
import { box, line, padEnd, padStart, seg, type Line } from '../model/text.js';
import { type PaneArgs, title } from './common.js';

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
        seg(padEnd(t.controller, 12), { color: 'warn' }),
        padStart(`${Math.round(t.waitMs)}ms`, 8),
        ` ${t.verb} ${t.path}`,
      ),
    );
  }
  return box(out, width, height);
}
