// The panes as pure functions: (store snapshot, view state, size) -> lines, one file per
// pane beside this one. The Ink components only draw lines, so tests can check any
// terminal size without a terminal.
import type { PaneId } from '../model/layout.js';
import type { Line } from '../model/text.js';
import { backingPane } from './backing.js';
import type { PaneArgs } from './common.js';
import { controllersPane } from './controllers.js';
import { progressPane } from './progress.js';
import { throttlingPane } from './throttling.js';

export type { PaneArgs } from './common.js';
export { collapsedLine } from './collapsed.js';
export { headerLines } from './header.js';
export { backingPane, controllersPane, progressPane, throttlingPane };

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
