// Every key the UI answers, in one table: the footer, the help overlay and the tests read it.

export interface KeyHelp {
  keys: string;
  action: string;
  /** Shown in the footer when there is room (most useful first). */
  footer?: string;
}

export const KEYS: KeyHelp[] = [
  { keys: '?', action: 'help: this list', footer: 'help' },
  { keys: 'a', action: 'add a batch (count, backing cluster or auto)', footer: 'add' },
  { keys: 'd', action: 'delete: the selected cluster, a range, the last batch or all (asks first)', footer: 'delete' },
  { keys: 'c', action: 'concurrency flags of the selected controller', footer: 'concurrency' },
  { keys: 'r', action: 'client QPS and burst of the selected controller', footer: 'rate' },
  { keys: 'p', action: 'pause or resume the batch queue', footer: 'pause' },
  {
    keys: ':',
    action: 'command: create 100 | delete test-1..test-50 | tune kcp concurrency=100 qps=200 burst=300',
    footer: 'cmd',
  },
  { keys: '/', action: 'filter the cluster list (name, phase, backing, reason)', footer: 'filter' },
  { keys: 'l', action: 'engine log', footer: 'log' },
  { keys: 'tab 1-4', action: 'focus a pane: 1 progress, 2 controllers, 3 throttling, 4 backing', footer: 'focus' },
  { keys: 'enter', action: 'zoom the focused pane to full screen (again to return)', footer: 'zoom' },
  { keys: '↑↓ j k PgUp PgDn', action: 'move in the cluster list or the controller list' },
  { keys: 'esc', action: 'back: close a dialog or overlay, clear the filter, leave zoom', footer: 'back' },
  { keys: 'q', action: 'quit (asks while a batch runs; the run resumes on the next start)', footer: 'quit' },
];

/** "?:help a:add …" cut to what fits. */
export function footerText(width: number): string {
  let out = '';
  for (const k of KEYS) {
    if (!k.footer) continue;
    const item = `${k.keys.split(' ')[0]}:${k.footer}`;
    const next = out ? `${out}  ${item}` : item;
    if (next.length > width) break;
    out = next;
  }
  return out;
}
