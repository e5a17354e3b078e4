// Keeps the local background farm serving while an engine runs: a farm process that dies
// mid-run (SIGKILL, OOM, a crash) is started again from its state dir, so its clusters answer
// again on the same ports with the same certificates and objects, without waiting for the
// next engine to find it gone.
//
// Why a probe and not the child's exit event: the farm is detached and usually started by an
// earlier engine (it outlives `create`), so this process is often not its parent. Each probe
// reads the lock (is its holder alive?) and asks the control API `GET /healthz` with a
// deadline. A dead holder whose lock is still there crashed: restart. No lock at all means the
// farm was stopped on purpose (`farm stop`, `delete --all`, SIGTERM): it is left stopped. A
// holder that runs but has not answered for `hungMs` is stopped (SIGTERM, then SIGKILL) and
// restarted, if it is a background farm; a user's foreground `farm serve` is never signalled.
// Restarts are bounded (`maxRestarts` in a run) with a doubling wait between them; each is
// logged and counted in `supervisor.json` (0600) beside the farm's state, where `status`
// reads it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/pki/index.js';
import {
  FARM_LOCK,
  type BackgroundFarmOptions,
  type LocalFarm,
  ensureLocalFarm,
  farmLockHolder,
  findLocalFarm,
  stopBackgroundFarm,
} from './farm-process.js';

export const FARM_SUPERVISOR = 'supervisor.json';

export interface FarmRestarts {
  /** Restarts by any engine's supervisor since the farm's state dir was made. */
  count: number;
  lastAt?: string;
  lastReason?: string;
  /** Set when a supervisor stopped trying (maxRestarts reached). */
  gaveUp?: boolean;
}

export interface FarmSupervisorOptions {
  /** How the farm is started again (the same dir, host, ports and capacity). */
  start: BackgroundFarmOptions;
  /** The farm as the engine found or started it. */
  current: LocalFarm;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** A restarted (or taken-over) farm: its control URL and token may have changed. */
  onChange(farm: LocalFarm): void;
  /** Between probes (default 2000 ms). */
  intervalMs?: number;
  /** Deadline of one probe (default 2000 ms). */
  probeMs?: number;
  /** A running farm unanswered this long is hung (default 30 s). */
  hungMs?: number;
  /** Restarts one supervisor makes at most (default 5). */
  maxRestarts?: number;
  /** Wait before the first restart, doubled for each next one up to 30 s (default 500 ms). */
  backoffMs?: number;
}

export interface FarmSupervisor {
  /** Restarts this supervisor made. */
  readonly restarts: number;
  /** Still probing: false once stopped, after a stop on purpose was seen, or after giving up. */
  readonly active: boolean;
  stop(): void;
}

/** What `supervisor.json` says (zero restarts when there is none). */
export function readFarmRestarts(dir: string): FarmRestarts {
  try {
    const r = JSON.parse(readFileSync(join(dir, FARM_SUPERVISOR), 'utf8')) as FarmRestarts;
    return Number.isInteger(r.count) ? r : { count: 0 };
  } catch {
    return { count: 0 };
  }
}

function noteRestart(dir: string, change: Partial<FarmRestarts>): void {
  const prev = readFarmRestarts(dir);
  writePrivateFile(join(dir, FARM_SUPERVISOR), `${JSON.stringify({ ...prev, ...change })}\n`);
}

async function healthy(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const { requestBuffered } = await import('../../core/kube/http.js');
    const res = await requestBuffered({
      method: 'GET',
      url: `${url}/healthz`,
      headers: {},
      deadlines: { requestMs: timeoutMs, connectMs: timeoutMs },
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

function controlPortOf(url: string): number {
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : 0;
}

export function superviseLocalFarm(o: FarmSupervisorOptions): FarmSupervisor {
  const dir = o.start.dir;
  const intervalMs = o.intervalMs ?? 2000;
  const probeMs = o.probeMs ?? 2000;
  const hungMs = o.hungMs ?? 30_000;
  const maxRestarts = o.maxRestarts ?? 5;
  let current = o.current;
  let lastAnswer = Date.now();
  let restarts = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  const restart = async (reason: string, attempt = 0): Promise<void> => {
    if (restarts >= maxRestarts) {
      o.log('error', `farm: the background farm ${reason}; not restarted again (${maxRestarts} restarts this run)`);
      noteRestart(dir, { gaveUp: true });
      stopped = true;
      return;
    }
    const wait = Math.min(30_000, (o.backoffMs ?? 500) * 2 ** restarts);
    restarts++;
    o.log('warn', `farm: the background farm (pid ${current.pid}) ${reason}; restarting it in ${wait} ms`);
    await new Promise((r) => setTimeout(r, wait).unref());
    if (stopped) return;
    // The same control port keeps every client's URL; if it was taken meanwhile, any port.
    const port = attempt === 0 ? controlPortOf(current.url) : 0;
    try {
      const next = await ensureLocalFarm({ ...o.start, controlPort: port });
      const old = current.pid;
      current = next;
      lastAnswer = Date.now();
      noteRestart(dir, {
        count: readFarmRestarts(dir).count + 1,
        lastAt: new Date().toISOString(),
        lastReason: reason,
        gaveUp: false,
      });
      o.onChange(next);
      o.log(
        'info',
        `farm: restarted the background farm (pid ${old} -> ${next.pid}, control API ${next.url}); it serves its clusters again from ${dir}`,
      );
    } catch (err) {
      o.log('warn', `farm: restarting the background farm failed: ${(err as Error).message.split('\n')[0]}`);
      return restart(reason, attempt + 1);
    }
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    const holder = farmLockHolder(dir);
    if (!holder) {
      if (!existsSync(join(dir, FARM_LOCK))) {
        o.log('info', `farm: the farm serving ${dir} was stopped; it is not restarted`);
        stopped = true;
        return;
      }
      // A lock whose holder is gone: the farm died without its shutdown (SIGKILL, crash).
      if (!current.background) {
        o.log('warn', `farm: the foreground farm (pid ${current.pid}) is gone; start it again with \`farm serve\``);
        stopped = true;
        return;
      }
      await restart('exited without stopping');
    } else if (holder.pid !== current.pid) {
      // Another engine restarted it, or `farm serve --take-over` replaced it.
      const found = findLocalFarm(dir);
      if (found && found.url !== current.url) o.onChange(found);
      if (found) current = found;
      lastAnswer = Date.now();
    } else if (await healthy(current.url, probeMs)) {
      lastAnswer = Date.now();
    } else if (Date.now() - lastAnswer > hungMs && holder.background) {
      const pid = holder.pid;
      await stopBackgroundFarm(dir).catch((err: Error) => o.log('warn', `farm: stopping pid ${pid}: ${err.message}`));
      await restart(`did not answer for ${Math.round(hungMs / 1000)} s`);
    }
    schedule(intervalMs);
  };

  schedule(intervalMs);
  return {
    get restarts() {
      return restarts;
    },
    get active() {
      return !stopped;
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
