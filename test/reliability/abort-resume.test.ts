// Seeded graceful aborts (engine.abort(), in-process: not a SIGKILL) during create and delete,
// then resume; short CI variant (20 seeds x 50 clusters is test/soak/abort-resume.soak.test.ts).
// Tenants live in a real etcd when one is installed. SIGKILLs of the real binary are
// kill-matrix.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdAdmin } from '../../src/core/etcd/admin.js';
import { startRootedEtcd } from '../support/cli-world.js';
import { requireEtcd, type TestEtcd } from '../support/etcd-server.js';
import { startWorld, type World } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';
import { abortRound } from './abort-harness.js';

const noEtcd = requireEtcd();
let world: World;
let etcd: TestEtcd | undefined;
let admin: EtcdAdmin;

beforeAll(async () => {
  world = await startWorld();
  if (noEtcd) {
    admin = world.management.etcd;
    return;
  }
  ({ etcd, admin } = await startRootedEtcd());
}, 90_000);
afterAll(async () => {
  await world?.stop();
  await etcd?.stop();
}, 120_000);

const SEEDS = [11, 29, 47];
const COUNT = 12;

describe('graceful abort (engine.abort) at random points of create and delete, resume, nothing lost or left', () => {
  it.each(SEEDS)(
    'seed %i',
    async (seed) => {
      const r = await abortRound(world, admin, seed, COUNT, await freePortBlock(COUNT));
      expect(r.leftovers).toEqual([]);
      expect(r.ready + r.failed).toBe(COUNT);
      // The fake controllers never fail a cluster: a failure here would be the abort's doing.
      expect(r.failures).toEqual([]);
    },
    180_000,
  );
});
