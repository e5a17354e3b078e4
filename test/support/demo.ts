// The smallest whole demo a test can look through: one workload cluster, one backing
// cluster, headless, on a free node-port block so suites in parallel lanes do not collide.
// The suite that asks for it gets it stopped in its afterAll, started or not, so a test that
// fails half-way leaves no API servers, controllers or farm listeners behind.
import { afterAll } from 'vitest';
import { type DemoWorld, startDemoWorld } from '../../src/demo/run.js';
import { freePortBlock } from './ports.js';

/** Call at the top of a suite; `start()` (in a test) brings the demo up, afterAll stops it. */
export function oneClusterDemo(): { start(): Promise<DemoWorld> } {
  let world: DemoWorld | undefined;
  afterAll(async () => {
    await world?.stop();
  });
  return {
    start: async () => {
      world = await startDemoWorld({
        clusters: 1,
        backing: 1,
        headless: true,
        nodePortBase: await freePortBlock(1, 'nodeport'),
      });
      return world;
    },
  };
}
