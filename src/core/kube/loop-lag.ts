// Deadlines that do not blame the server for our own stalls.
// A request deadline is a wall-clock timer, but the answer it waits for is read by this
// process's event loop. When the process is starved (a busy test VM, the demo's API server,
// controllers and engine sharing one loop) the timer and the bytes that would have met it are
// handled in the same late turn, and the timer runs first: "no connection within 10 s" for a
// server that answered in milliseconds. The deadline here counts only the time the loop was
// running on time: lateness of a 50 ms heartbeat is subtracted. It still fires after at most
// MAX_STRETCH times its length, so a dead peer is reported even on a loop that never recovers.
const TICK_MS = 50;
const MAX_STRETCH = 3;

let lagMs = 0;
let last = 0;
let heartbeat: NodeJS.Timeout | undefined;
let armed = 0;

function sample(): void {
  const now = performance.now();
  const late = now - last - TICK_MS;
  if (late > 0) lagMs += late;
  last = now;
}

/** Total heartbeat lateness so far (ms): the time this process's loop was not keeping up. */
export function loopLagMs(): number {
  if (heartbeat) {
    // Count lateness accrued since the last heartbeat too, without moving the heartbeat.
    const pending = performance.now() - last - TICK_MS;
    return lagMs + Math.max(0, pending);
  }
  return lagMs;
}

function acquire(): void {
  armed++;
  if (heartbeat) return;
  last = performance.now();
  heartbeat = setInterval(sample, TICK_MS);
  heartbeat.unref();
}

function release(): void {
  armed--;
  if (armed > 0 || !heartbeat) return;
  clearInterval(heartbeat);
  heartbeat = undefined;
}

export interface Deadline {
  clear(): void;
}

/**
 * Calls `fire` once `ms` of on-time loop running have passed since now, or after
 * MAX_STRETCH × `ms` of wall time, whichever comes first.
 */
export function loopDeadline(ms: number, fire: () => void): Deadline {
  acquire();
  const start = performance.now();
  const lag0 = loopLagMs();
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    release();
  };
  const check = (): void => {
    const wall = performance.now() - start;
    const running = wall - (loopLagMs() - lag0);
    if (running >= ms || wall >= ms * MAX_STRETCH) {
      finish();
      fire();
      return;
    }
    timer = setTimeout(check, Math.max(1, Math.min(ms - running, ms * MAX_STRETCH - wall)));
  };
  timer = setTimeout(check, ms);
  return { clear: finish };
}
