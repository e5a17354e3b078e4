// One farm per state dir: the engine's background farm (a real detached `scale-tui farm
// serve --background`) is found again instead of started twice; a farm in this process is
// refused while it runs, or takes its place when asked (what a foreground `farm serve`
// does); a lock left by a killed farm is taken over; a foreground farm is never stopped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireFarmLock,
  ensureLocalFarm,
  farmLockHolder,
  stopBackgroundFarm,
} from '../../../src/engine/topology/farm-process.js';
import { serveFarm } from '../../../src/engine/topology/farm-serve.js';
import { freePortBlock } from '../../support/ports.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'farm-process-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) {
    await stopBackgroundFarm(d).catch(() => undefined);
    rmSync(d, { recursive: true, force: true });
  }
}, 60_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local farm process', () => {
  it('starts one background farm, finds it again, refuses a second, and a takeover replaces it', async () => {
    const dir = tempDir();
    const basePort = await freePortBlock(4);
    const first = await ensureLocalFarm({ dir, host: '127.0.0.1', basePort, capacity: 2 });
    expect(first).toMatchObject({ started: true, background: true });
    expect(first.pid).not.toBe(process.pid);
    for (const f of ['serve.lock', 'serve.log', 'control.json', 'control-token'])
      expect({ f, mode: statSync(join(dir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const again = await ensureLocalFarm({ dir, host: '127.0.0.1', basePort, capacity: 2 });
    expect(again).toMatchObject({ started: false, pid: first.pid, url: first.url });

    // A second farm on the same state dir (and so the same ports) is refused...
    await expect(
      serveFarm({ stateDir: dir, host: '127.0.0.1', basePort, controlPort: 0, capacity: 2 }),
    ).rejects.toThrow(`another farm (pid ${first.pid}, in the background) serves ${dir}`);
    expect(alive(first.pid)).toBe(true);

    // ...unless it takes the background farm's place, as a foreground `farm serve` does.
    const fg = await serveFarm({
      stateDir: dir,
      host: '127.0.0.1',
      basePort,
      controlPort: 0,
      capacity: 2,
      takeOver: true,
    });
    try {
      expect(fg.tookOverFrom).toBe(first.pid);
      // It was this process's child: gone once reaped (a zombie still answers kill(0)).
      for (let i = 0; i < 50 && alive(first.pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(first.pid)).toBe(false);
      expect(farmLockHolder(dir)).toEqual({ pid: process.pid, background: false });
      // A foreground farm is the user's: stop leaves it alone, the engine uses it as it is.
      expect(await stopBackgroundFarm(dir)).toBe(false);
      const used = await ensureLocalFarm({ dir, host: '127.0.0.1', basePort, capacity: 2 });
      expect(used).toMatchObject({ started: false, pid: process.pid, background: false, url: fg.controlUrl });
    } finally {
      await fg.close();
    }
    expect(existsSync(join(dir, 'serve.lock'))).toBe(false);
    expect(existsSync(join(dir, 'control.json'))).toBe(false);
  }, 90_000);

  it('a lock left by a killed farm is taken; a live one is not', () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    expect(alive(gone)).toBe(false);
    writeFileSync(join(dir, 'serve.lock'), JSON.stringify({ pid: gone, background: true }), { mode: 0o600 });
    const release = acquireFarmLock(dir, false);
    expect(JSON.parse(readFileSync(join(dir, 'serve.lock'), 'utf8'))).toEqual({ pid: process.pid, background: false });
    expect(() => acquireFarmLock(dir, false)).toThrow(`another farm (pid ${process.pid}) serves ${dir}`);
    release();
    expect(existsSync(join(dir, 'serve.lock'))).toBe(false);
  });

  it('a farm that holds the lock but has not answered yet is waited for, not doubled', async () => {
    const dir = tempDir();
    const release = acquireFarmLock(dir, false);
    try {
      await expect(
        ensureLocalFarm({ dir, host: '127.0.0.1', basePort: 20000, capacity: 1, startMs: 700 }),
      ).rejects.toThrow(`the farm serving ${dir} (pid ${process.pid}) did not answer within 0.7 s`);
      // Nothing was started beside it.
      expect(existsSync(join(dir, 'serve.log'))).toBe(false);
    } finally {
      release();
    }
  });
});
