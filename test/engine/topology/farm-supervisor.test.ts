// The local farm's supervisor decides from the farm's own files and its control API: a farm
// stopped on purpose (no lock left) is not started again; a background farm that holds its
// lock but has stopped answering is stopped and a real one started in its place; a farm that
// cannot be started again is retried a bounded number of times and then given up, in the log
// and in supervisor.json.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { farmLockHolder, stopBackgroundFarm, type LocalFarm } from '../../../src/engine/topology/farm-process.js';
import { readFarmRestarts, superviseLocalFarm } from '../../../src/engine/topology/farm-supervisor.js';
import { freePortBlock } from '../../support/ports.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farm-supervisor-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) {
    await stopBackgroundFarm(d).catch(() => undefined);
    rmSync(d, { recursive: true, force: true });
  }
}, 60_000);

type Line = { level: string; message: string };
const logger = (lines: Line[]) => (level: string, message: string) => void lines.push({ level, message });

/** A process that looks like a background farm to the lock check (`farm serve` in its argv) and does nothing. */
function fakeFarmProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'farm', 'serve'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function holdLock(dir: string, pid: number, url: string): void {
  writeFileSync(join(dir, 'serve.lock'), `${JSON.stringify({ pid, background: true })}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'control.json'), `${JSON.stringify({ url, pid, background: true })}\n`, { mode: 0o600 });
}

describe('the local farm supervisor', () => {
  it('leaves a farm stopped on purpose (no lock) stopped', async () => {
    const dir = tempDir();
    const lines: Line[] = [];
    const current: LocalFarm = { pid: 999_999, background: true, url: 'http://127.0.0.1:1' };
    const sup = superviseLocalFarm({
      start: { dir, host: '127.0.0.1', basePort: 1, capacity: 1 },
      current,
      log: logger(lines),
      onChange: () => undefined,
      intervalMs: 50,
    });
    await expect
      .poll(() => lines.map((l) => l.message), { timeout: 5000 })
      .toContainEqual(`farm: the farm serving ${dir} was stopped; it is not restarted`);
    sup.stop();
    expect(sup.restarts).toBe(0);
    expect(farmLockHolder(dir)).toBeUndefined();
  });

  it('a background farm that holds its lock but does not answer is stopped and started again', async () => {
    const dir = tempDir();
    // A control API that accepts and never answers.
    const mute = http.createServer(() => undefined);
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const muteUrl = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
    const hung = fakeFarmProcess();
    holdLock(dir, hung.pid!, muteUrl);
    expect(farmLockHolder(dir)?.pid).toBe(hung.pid);
    const lines: Line[] = [];
    const changes: LocalFarm[] = [];
    const sup = superviseLocalFarm({
      start: { dir, host: '127.0.0.1', basePort: await freePortBlock(2), capacity: 1 },
      current: { pid: hung.pid!, background: true, url: muteUrl },
      log: logger(lines),
      onChange: (f) => void changes.push(f),
      intervalMs: 100,
      probeMs: 200,
      hungMs: 500,
      backoffMs: 10,
    });
    try {
      await expect.poll(() => changes.length, { timeout: 60_000, interval: 200 }).toBe(1);
      expect(hung.exitCode !== null || hung.signalCode !== null).toBe(true);
      const next = farmLockHolder(dir);
      expect(next?.pid).toBe(changes[0]!.pid);
      expect(next?.pid).not.toBe(hung.pid);
      const res = await fetch(`${changes[0]!.url}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(lines.some((l) => l.message.includes(`(pid ${hung.pid}) did not answer for 1 s`))).toBe(true);
      expect(readFarmRestarts(dir)).toMatchObject({ count: 1, lastReason: 'did not answer for 1 s' });
    } finally {
      sup.stop();
      mute.closeAllConnections();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  }, 90_000);

  it('gives up after its bounded restarts when the farm cannot start, and says so', async () => {
    const dir = tempDir();
    // The lock of a farm that died (this pid does not run).
    const dead = fakeFarmProcess();
    const pid = dead.pid!;
    dead.kill('SIGKILL');
    await new Promise((r) => dead.once('exit', r));
    holdLock(dir, pid, 'http://127.0.0.1:1');
    const lines: Line[] = [];
    const sup = superviseLocalFarm({
      // Not an address: every `farm serve` started from this exits at once.
      start: { dir, host: 'not-an-address.invalid', basePort: 20_000, capacity: 1, startMs: 20_000 },
      current: { pid, background: true, url: 'http://127.0.0.1:1' },
      log: logger(lines),
      onChange: () => undefined,
      intervalMs: 50,
      maxRestarts: 2,
      backoffMs: 10,
    });
    try {
      await expect
        .poll(() => lines.filter((l) => l.level === 'error').map((l) => l.message), { timeout: 60_000, interval: 200 })
        .toEqual([`farm: the background farm exited without stopping; not restarted again (2 restarts this run)`]);
      expect(lines.filter((l) => l.message.startsWith('farm: restarting the background farm failed'))).toHaveLength(2);
      expect(sup.restarts).toBe(2);
      expect(readFarmRestarts(dir)).toMatchObject({ count: 0, gaveUp: true });
    } finally {
      sup.stop();
    }
  }, 90_000);
});
