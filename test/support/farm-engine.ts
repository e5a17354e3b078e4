// The end of a test that runs a real engine on the farm topology, passed or not. The
// engine's farm is a detached process (`farm serve` in the background), so a test that
// fails half-way would otherwise leave it serving, holding ports and its lock, for the next
// suite to trip on. It runs in a `finally`, where a throw would hide the assertion that
// failed, so deleting leftovers and stopping the farm are best effort; a failing shutdown
// still throws, but only after the farm is stopped and the state removed.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src/engine/engine.js';
import { stopBackgroundFarm } from '../../src/engine/topology/farm-process.js';

/**
 * Deletes whatever clusters `engine` still holds, shuts it down, stops the background farm
 * under `<stateDir>/farm` and removes `stateDir`.
 */
export async function tearDownFarmEngine(engine: Engine | undefined, stateDir: string): Promise<void> {
  try {
    if (engine && (await engine.status().catch(() => ({ clusters: [] }))).clusters.length)
      await engine.deleteClusters({ kind: 'all' }).catch(() => undefined);
    await engine?.shutdown();
  } finally {
    await stopBackgroundFarm(join(stateDir, 'farm')).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}
