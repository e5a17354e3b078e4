// Processes the simulated kubelet starts on its node (real etcd containers, exec'd
// commands), started so that none outlives the kubelet:
// - each runs in a process group of its own (detached), so stop() signals the command and
//   whatever it forked (`sh -c '...'`) at once, and a Ctrl-C meant for the kubelet's
//   terminal group does not reach them before the kubelet has decided what to do;
// - each is started through util-linux `setpriv --pdeathsig KILL`, which sets the Linux
//   parent-death signal and then execs the command (same pid, no wrapper process left):
//   if the kubelet dies, even by SIGKILL, the kernel kills the command. The signal is tied to
//   the thread that forked it; Node forks from its main thread, which lives as long as the
//   process. It covers the direct child only: grandchildren of a `sh -c` exec are reached by
//   the group kill of an orderly stop, not by a SIGKILL of the kubelet.
// Without setpriv (not Linux, util-linux < 2.33), commands start directly and only an
// orderly stop ends them; pdeathsigAvailable() says which applies.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';

let setpriv: boolean | undefined;

/** Whether `setpriv --pdeathsig` exists here (checked once per process). */
export function pdeathsigAvailable(): boolean {
  if (setpriv === undefined) {
    const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
    setpriv = r.status === 0;
  }
  return setpriv;
}

export interface GuardedSpawnOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
}

/** Starts argv as a guarded process (see the file comment). Listen for 'error' (e.g. ENOENT). */
export function spawnGuarded(argv: string[], opts: GuardedSpawnOptions): ChildProcess {
  const [cmd, ...args] = pdeathsigAvailable() ? ['setpriv', '--pdeathsig', 'KILL', '--', ...argv] : argv;
  if (!cmd) throw new Error('empty command');
  return spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: opts.stdio, detached: true });
}

/** Signals the child's whole process group; a group already gone is not an error. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: every member has exited.
  }
}

/** Whether the process has not yet been reaped by Node. */
export function running(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM to the group, SIGKILL after graceMs; resolves once the child has exited. */
export async function stopGuarded(child: ChildProcess, graceMs: number): Promise<void> {
  // A leader reaped long ago is left alone: its group id could, in principle, name a newer group.
  if (!running(child)) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      // Synchronously at the reap: members the leader forked go with it.
      signalGroup(child, 'SIGKILL');
      resolve();
    }),
  );
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The exit code a shell would report: the code, or 128 + the signal number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (n ?? 9);
}
