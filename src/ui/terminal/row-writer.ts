// The TUI's output stage. Ink used to lay out and re-tokenise all 60 ANSI rows of a 200x60
// screen on every frame (33-45 ms a frame at 1000 clusters, issue 18) although the screen
// is already composed as rows of strings (rows.ts). This writer sends those rows to the
// terminal itself and keeps Ink for input only:
// - only the rows that differ from the last frame are rewritten, each at its own absolute
//   position (CUP), erased first (EL 2), so nothing depends on where the cursor was left;
// - the first frame, a new terminal size, or invalidate() repaints everything;
// - each frame sits inside a synchronized update (DEC mode 2026: terminals and tmux that
//   know it show the frame at once, the rest ignore the private mode), with autowrap off
//   while it is written, so a row one cell too wide is clipped instead of scrolling the
//   screen, and the cursor hidden.
// A frame of no changed row writes nothing, which keeps an idle screen silent over SSH.

const CSI = '\u001b[';
export const SYNC_BEGIN = `${CSI}?2026h`;
export const SYNC_END = `${CSI}?2026l`;
export const AUTOWRAP_OFF = `${CSI}?7l`;
export const AUTOWRAP_ON = `${CSI}?7h`;
export const CURSOR_HIDE = `${CSI}?25l`;
export const CURSOR_SHOW = `${CSI}?25h`;
const RESET = `${CSI}0m`;
const CLEAR_SCREEN = `${CSI}H${CSI}2J`;
const ERASE_LINE = `${CSI}2K`;
const at = (row: number): string => `${CSI}${row + 1};1H`;

export interface FrameStats {
  /** Rows rewritten (all of them on a full repaint). */
  rowsWritten: number;
  full: boolean;
}

export class RowWriter {
  private shown: readonly string[] = [];
  private cols = -1;
  private rows = -1;
  private repaint = true;
  /** What the last frame() did, for the benches and tests. */
  last: FrameStats = { rowsWritten: 0, full: false };

  /** The terminal's content is unknown (someone else wrote to it): the next frame repaints all. */
  invalidate(): void {
    this.repaint = true;
  }

  /**
   * The bytes that turn the screen last drawn into `next` on a terminal of `cols` x
   * `termRows`; '' when no row changed. Rows past the terminal's height are not drawn.
   */
  frame(next: readonly string[], cols: number, termRows: number): string {
    const count = Math.min(next.length, Math.max(0, termRows));
    const full = this.repaint || cols !== this.cols || termRows !== this.rows;
    let body = '';
    let written = 0;
    if (full) {
      body = `${CURSOR_HIDE}${RESET}${CLEAR_SCREEN}`;
      for (let i = 0; i < count; i++) body += `${at(i)}${next[i]}`;
      written = count;
    } else {
      for (let i = 0; i < count; i++) {
        if (next[i] === this.shown[i]) continue;
        body += `${at(i)}${ERASE_LINE}${next[i]}`;
        written++;
      }
      // A shorter frame than the last: the rows it no longer covers are erased.
      for (let i = count; i < this.shown.length; i++) body += `${at(i)}${ERASE_LINE}`;
    }
    this.shown = next.slice(0, count);
    this.cols = cols;
    this.rows = termRows;
    this.repaint = false;
    this.last = { rowsWritten: written, full };
    if (body === '') return '';
    return `${SYNC_BEGIN}${AUTOWRAP_OFF}${body}${RESET}${AUTOWRAP_ON}${SYNC_END}`;
  }
}

/** What the TUI writes when it ends: cursor back, autowrap on, colours reset. */
export const RESTORE_TERMINAL = `${RESET}${AUTOWRAP_ON}${CURSOR_SHOW}`;
