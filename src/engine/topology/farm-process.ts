// The local farm as a process of its own: one farm per state dir, held by a lock file, and
// the background farm the engine starts for the `farm` topology so the workload clusters stay
// reachable after the command that created them exits.
//
// Why a background process started up front (not a hand-over when `create` exits): CAPI
// probes every workload API every 10 s, so the clusters must be served the whole time. A
// hand-over at exit leaves every cluster dark while the new process restores them (seconds
// for 1000), and a `create` killed with SIGKILL hands nothing over. A farm started before
// the first cluster is registered is never interrupted by the engine's own exit, crash or
// kill; every engine (create, delete, the TUI) is a client of it through its control API,
// as it is of a remote farm. The farm stops when `delete --all` leaves it empty.
//
// Files under the farm's state dir (0700): `serve.lock` (0600, `{pid, background}`, made by
// an atomic link so two starters cannot both win), `control.json` (URL and pid, written by
// the farm), `control-token` (0600) and `serve.log` (0600, the background farm's output).
// Nothing secret goes on the command line: the token is the farm's own file, and cluster
// CAs reach it in /register bodies.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';

export const FARM_LOCK = 'serve.lock';
export const FARM_CONTROL = 'control.json';
export const FARM_LOG = 'serve.log';
const TOKEN = 'control-token';

export interface FarmLockHolder {
  pid: number;
  /** Started by the engine (`farm serve --background`): it may be stopped or taken over. */
  background: boolean;
}

/** A farm serving a state dir on this machine, found through its lock and control files. */
export interface LocalFarm extends FarmLockHolder {
  url: string;
  token?: string;
  log?: string;
}

/** The lock is held by a live farm process. */
export class FarmBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: FarmLockHolder,
  ) {
    super(`another farm (pid ${holder.pid}${holder.background ? ', in the background' : ''}) serves ${dir}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock holder still runs. A background farm must also still be a `farm serve`
 * (Linux: its command line), so a pid reused by another program after a SIGKILL is not
 * mistaken for the farm and never signalled.
 */
function running(h: FarmLockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // An exited child its parent has not reaped yet still answers kill(0): a zombie is gone.
    const stat = readFileSync(`/proc/${h.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
  } catch {
    // no /proc (not Linux), or the process is gone: kill(0) above has answered
  }
  if (!h.background) return true;
  try {
    const argv = readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('farm') && argv.includes('serve');
  } catch {
    return process.platform !== 'linux';
  }
}

/** The live holder of a state dir's farm lock, if any. */
export function farmLockHolder(dir: string): FarmLockHolder | undefined {
  const h = readJson<FarmLockHolder>(join(dir, FARM_LOCK));
  return h && Number.isInteger(h.pid) && running(h) ? h : undefined;
}

/**
 * Takes the state dir's farm lock for this process; throws FarmBusyError when a live farm
 * holds it. A lock left by a dead process (SIGKILL) is removed and taken. Answers release().
 */
export function acquireFarmLock(dir: string, background: boolean): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FARM_LOCK);
  const mine: FarmLockHolder = { pid: process.pid, background };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(mine)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // link() fails if the lock exists and makes it whole at once: no reader sees half a file.
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
        const holder = readJson<FarmLockHolder>(path);
        if (holder && running(holder)) throw new FarmBusyError(dir, holder);
        rmSync(path, { force: true });
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  return () => {
    if (readJson<FarmLockHolder>(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/** The farm serving `dir` on this machine, if one runs and has written its control URL. */
export function findLocalFarm(dir: string): LocalFarm | undefined {
  const holder = farmLockHolder(dir);
  if (!holder) return undefined;
  const control = readJson<{ url?: string; pid?: number; log?: string }>(join(dir, FARM_CONTROL));
  if (!control?.url || control.pid !== holder.pid) return undefined;
  let token: string | undefined;
  try {
    token = readFileSync(join(dir, TOKEN), 'utf8').trim();
  } catch {
    token = undefined;
  }
  return { ...holder, url: control.url, token, log: control.log };
}

/** The CLI this module belongs to (the background farm is `scale-tui farm serve`). */
function cliEntry(): string {
  const path = fileURLToPath(new URL('../../../bin/scale-tui.js', import.meta.url));
  if (!existsSync(path))
    throw new UserError(
      `cannot start the background farm: ${path} is missing`,
      'run scale-tui from its installed tree, or start the farm yourself with `scale-tui farm serve` and add it with `scale-tui farm add`',
    );
  return path;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

async function answers(url: string, token: string | undefined): Promise<boolean> {
  try {
    const res = await fetch(`${url}/clusters`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export interface BackgroundFarmOptions {
  dir: string;
  host: string;
  basePort: number;
  capacity: number;
  kubernetesVersion?: string;
  /** How long the farm may take to restore and answer (default 60 s). */
  startMs?: number;
  /** The control API's port (default 0: any free one); a restart asks for the one it had. */
  controlPort?: number;
}

/**
 * The farm serving `o.dir`: the one already running, else a detached `scale-tui farm serve
 * --background` started now, waited for until its control API answers. If another starter
 * wins the lock meanwhile, that farm is used.
 */
export async function ensureLocalFarm(o: BackgroundFarmOptions): Promise<LocalFarm & { started: boolean }> {
  const found = findLocalFarm(o.dir);
  if (found) return { ...found, started: false };
  const startMs = o.startMs ?? 60_000;
  const holder = farmLockHolder(o.dir);
  if (holder) {
    // A farm still restoring its clusters holds the lock before it answers: wait for it.
    const deadline = Date.now() + startMs;
    while (Date.now() < deadline && running(holder)) {
      const farm = findLocalFarm(o.dir);
      if (farm && (await answers(farm.url, farm.token))) return { ...farm, started: false };
      await sleep(100);
    }
    if (running(holder))
      throw new UserError(
        `the farm serving ${o.dir} (pid ${holder.pid}) did not answer within ${startMs / 1000} s`,
        `see ${join(o.dir, FARM_LOG)}, or stop that farm (\`scale-tui farm stop\` for a background one)`,
      );
  }
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  chmodSync(o.dir, 0o700);
  const log = join(o.dir, FARM_LOG);
  const fd = openSync(log, 'a', 0o600);
  chmodSync(log, 0o600);
  const args = [
    cliEntry(),
    'farm',
    'serve',
    '--background',
    '--state-dir',
    o.dir,
    '--host',
    o.host,
    '--base-port',
    String(o.basePort),
    '--control-port',
    String(o.controlPort ?? 0),
    '--capacity',
    String(o.capacity),
    ...(o.kubernetesVersion ? ['--kubernetes-version', o.kubernetesVersion] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.unref();
  const deadline = Date.now() + startMs;
  while (Date.now() < deadline) {
    const farm = findLocalFarm(o.dir);
    if (farm && (await answers(farm.url, farm.token))) return { ...farm, started: farm.pid === child.pid };
    if (exited && !farmLockHolder(o.dir))
      throw new UserError(
        `the background farm for ${o.dir} exited at start: ${logTail(log)}`,
        `see ${log}; start it in the foreground with \`scale-tui farm serve --state-dir ${o.dir}\` to see why`,
      );
    await sleep(100);
  }
  if (!exited) child.kill('SIGTERM');
  throw new UserError(
    `the background farm for ${o.dir} did not answer within ${startMs / 1000} s: ${logTail(log)}`,
    `see ${log}`,
  );
}

/** Signals a process that may have exited meanwhile (then there is nothing to do). */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Stops the background farm serving `dir` (SIGTERM, then SIGKILL after 20 s) and waits until
 * it is gone. A foreground `farm serve` is a user's own and is never stopped: answers false.
 */
export async function stopBackgroundFarm(dir: string, timeoutMs = 30_000): Promise<boolean> {
  const holder = farmLockHolder(dir);
  if (!holder?.background) return false;
  signal(holder.pid, 'SIGTERM');
  const killAt = Date.now() + Math.min(20_000, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (running(holder)) {
    if (Date.now() > deadline)
      throw new UserError(
        `the background farm (pid ${holder.pid}) did not stop within ${timeoutMs / 1000} s`,
        `stop it with \`kill ${holder.pid}\``,
      );
    if (Date.now() > killAt) signal(holder.pid, 'SIGKILL');
    await sleep(100);
  }
  // A SIGKILLed farm leaves its lock and control file: they name a process that is gone.
  for (const f of [FARM_LOCK, FARM_CONTROL])
    if (readJson<{ pid?: number }>(join(dir, f))?.pid === holder.pid) rmSync(join(dir, f), { force: true });
  return true;
}
