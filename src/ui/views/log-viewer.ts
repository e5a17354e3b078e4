// The log viewer page: title with the source and toggles, the window of lines, and a
// marker when the view is not at the live end (k9s's autoscroll off).
import type { ScaleState } from '../../state/store.js';
import { logEntries, logWindow, SINCE_RANGES, sourceTitle, visibleEntries } from '../model/logview.js';
import { box, line, seg, type Line } from '../model/text.js';
import type { LogViewState } from '../model/view-state.js';

export function logViewerLines(
  state: ScaleState,
  v: LogViewState,
  now: number,
  width: number,
  height: number,
  keysHint: string,
): Line[] {
  const all = logEntries(state, v.source);
  const shown = visibleEntries(all, v, now);
  const since = SINCE_RANGES.find((r) => r.ms === v.sinceMs)?.label ?? `${Math.round(v.sinceMs / 60000)}m`;
  const flags = [
    v.follow ? 'follow' : 'paused',
    v.wrap ? 'wrap' : 'nowrap',
    v.timestamps ? 'time' : 'notime',
    `since ${since}`,
    v.filter ? `filter "${v.filter}"` : '',
    `${shown.length}/${all.length} lines`,
  ].filter(Boolean);
  const head = line(
    seg(` ${sourceTitle(v.source)} `, { inverse: true, bold: true }),
    seg(`  ${flags.join('  ')}`, { color: 'accent' }),
    seg(`  ${keysHint}`, { dim: true }),
  );
  const win = logWindow(shown, v, width, Math.max(0, height - 2));
  const marker =
    win.below > 0 || !v.follow
      ? line(
          seg(
            ` ⏸ not at the live end: ${win.below} newer line${win.below === 1 ? '' : 's'} below; G or f follows again `,
            { inverse: true, color: 'warn' },
          ),
        )
      : line(seg(' ● live ', { color: 'ok' }));
  const pad: Line[] = [];
  while (win.rows.length + pad.length < height - 2) pad.push([]);
  return box([head, ...pad, ...win.rows, marker], width, height);
}
