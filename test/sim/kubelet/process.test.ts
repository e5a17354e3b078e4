// The processes the simulated kubelet starts (etcd, exec'd commands) do not outlive it: an
// orderly stop ends the whole process group, and a SIGKILLed kubelet takes them along
// through the parent-death signal (setpriv --pdeathsig), even a child that never writes.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pdeathsigAvailable, spawnGuarded, stopGuarded, exitCodeOf } from '../../../src/sim/kubelet/process.js';

/** Whether the process exists and has not exited (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('guarded processes', () => {
  it('stopGuarded ends the command and what it forked', async () => {
    const env = { PATH: process.env.PATH };
    const stdio: ['ignore', 'pipe', 'ignore'] = ['ignore', 'pipe', 'ignore'];
    const child = spawnGuarded(['sh', '-c', 'sleep 600 & echo $!; wait'], { env, stdio });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout!.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))),
    );
    expect(alive(grandchild)).toBe(true);
    await stopGuarded(child, 2000);
    expect(alive(child.pid!)).toBe(false);
    await until('the forked sleep gone', () => !alive(grandchild), 2000);
  });

  it.skipIf(!pdeathsigAvailable())('a quiet child dies at once when its parent is SIGKILLed', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'guarded-sleep.ts');
    const parent = spawn(process.execPath, ['bin/run-ts.js', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no pid from the fixture')), 30_000);
        parent.stdout.once('data', (c: Buffer) => {
          clearTimeout(timer);
          resolve((JSON.parse(c.toString()) as { pid: number }).pid);
        });
      });
      expect(alive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      // `sleep` writes nothing, so no broken pipe could end it: only the parent-death signal.
      await until('sleep gone with its parent', () => !alive(pid), 2000);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('reports exit codes as a shell does', () => {
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, 'SIGKILL')).toBe(137);
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143);
  });
});
