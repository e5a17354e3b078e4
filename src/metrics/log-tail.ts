// The followed controller logs reach the store in batches: ten controllers writing a
// thousand lines a second each would otherwise mean ten thousand store writes (and UI
// redraws) a second. Every line goes to its controller's buffer (the log viewer's
// controller sources, the detail page's namespace mentions); throttling lines also go to
// the throttling tail. What waits between flushes is bounded like the buffers themselves,
// so a burst can never hold more than the store would keep anyway.
//
// A pod that was already running when sampling began is followed from that moment (so
// throttling counts start with the run), which would leave its log view empty of what it
// said before, "Starting workers" included. Its last lines are read once for the buffer
// only (podBacklog), and the follow's first lines, which repeat them, are not buffered twice.
import type { KubeConfig } from '@kubernetes/client-node';
import { getText } from './sources/raw.js';
import {
  type ControllerLogLine,
  pushLogTail,
  type ScaleStore,
  THROTTLE_TAIL_LIMIT,
  type ThrottleLine,
} from '../state/store.js';

/** The last `limit` lines a pod's container wrote, read once (10 s deadline). */
export async function podBacklog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  limit: number,
): Promise<string[]> {
  const q = new URLSearchParams({ container, tailLines: String(limit) });
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${q}`;
  const text = await getText(kc, path, { accept: 'text/plain', timeoutMs: 10_000 });
  return text.split('\n').filter((l) => l.length > 0);
}

/** The follow's first lines that repeat the backlog's last ones; false from the first new line on. */
export class BacklogOverlap {
  private seen: Set<string> | undefined;

  constructor(lines: readonly string[]) {
    this.seen = lines.length > 0 ? new Set(lines) : undefined;
  }

  repeats(line: string): boolean {
    if (this.seen?.has(line)) return true;
    this.seen = undefined;
    return false;
  }
}

export class LogTailBatcher {
  private throttle: ThrottleLine[] = [];
  private byController: Record<string, ControllerLogLine[]> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ScaleStore,
    /** Lines kept per controller in the store (and at most waiting here). */
    readonly controllerLimit: number,
    private readonly flushMs: number,
  ) {}

  controllerLine(controller: string, line: ControllerLogLine): void {
    let pending = this.byController[controller];
    if (!pending) {
      pending = [];
      this.byController[controller] = pending;
    }
    pending.push(line);
    // Older waiting lines would be cut by the store's bound at the flush: cut them now.
    if (pending.length > 2 * this.controllerLimit) this.byController[controller] = pending.slice(-this.controllerLimit);
    this.schedule();
  }

  throttleLine(line: ThrottleLine): void {
    this.throttle.push(line);
    if (this.throttle.length > 2 * THROTTLE_TAIL_LIMIT) this.throttle = this.throttle.slice(-THROTTLE_TAIL_LIMIT);
    this.schedule();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = { throttle: this.throttle, controller: this.byController };
    this.throttle = [];
    this.byController = {};
    pushLogTail(this.store, batch, this.controllerLimit);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref();
  }
}
