// A backing cluster becomes unreachable mid-batch (its API behind a proxy we cut): the
// clusters placed on it end failed with a reason, the other backing cluster's clusters go
// on to ready, and once it answers again resuming the run finishes its failed clusters and
// the engine works with it (clean delete, new batch).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { configSchema } from '../../src/engine/config/schema.js';
import { createScaleStore } from '../../src/state/store.js';
import { startWorld, type World } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

/** A TCP proxy that can be cut (listener closed, live connections reset) and restored on the same port. */
class Cuttable {
  private server?: Server;
  private socks = new Set<Socket>();
  port = 0;
  constructor(private readonly upstream: number) {}
  async open(): Promise<void> {
    const server = createServer((s) => {
      const up = connect(this.upstream, '127.0.0.1');
      for (const x of [s, up]) {
        this.socks.add(x);
        x.on('close', () => this.socks.delete(x));
        x.on('error', () => {
          s.destroy();
          up.destroy();
        });
      }
      s.pipe(up).pipe(s);
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    const server = this.server;
    for (const s of this.socks) s.resetAndDestroy();
    if (server) await new Promise((r) => server.close(r));
  }
}

let world: World;
let proxy: Cuttable;
beforeAll(async () => {
  world = await startWorld({ backing: 2 });
  const port = Number(/server: https:\/\/127\.0\.0\.1:(\d+)/.exec(world.backing[1]!.kubeconfigYaml)![1]);
  proxy = new Cuttable(port);
  await proxy.open();
}, 60_000);
afterAll(async () => {
  await proxy?.cut();
  await world?.stop();
}, 120_000);

describe('backing cluster outage', () => {
  it('marks its clusters, lets the others finish, and works with it again once it is back', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'outage-'));
    const store = createScaleStore();
    const [b0, b1] = world.backing as [World['backing'][0], World['backing'][0]];
    const b1Yaml = b1.kubeconfigYaml.replace(/(server: https:\/\/127\.0\.0\.1:)\d+/, `$1${proxy.port}`);
    let engine: Engine | undefined;
    try {
      engine = await createEngine({
        config: configSchema.parse({ topology: 'backing', batch: { concurrency: 10 }, naming: { prefix: 'out' } }),
        store,
        management: { kubeconfigYaml: world.management.kubeconfigYaml },
        managementEtcd: world.management.etcd,
        backing: [
          { name: b0.name, target: { kubeconfigYaml: b0.kubeconfigYaml }, capacity: 6, etcd: b0.etcd },
          { name: b1.name, target: { kubeconfigYaml: b1Yaml }, capacity: 6, etcd: b1.etcd },
        ],
        stateDir,
        reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(20) },
        timeouts: { controllerMs: 30_000, apiMs: 20_000, deleteMs: 30_000 },
      });
      // Cut b1 as soon as its first cluster has a namespace there: the rest of its work is mid-flight.
      let cut: Promise<void> | undefined;
      const off = store.subscribe((s) => {
        if (
          !cut &&
          Object.values(s.clusters).some((c) => c.placement === b1.name && c.transitions.objects !== undefined)
        )
          cut = proxy.cut();
      });
      const sum = await engine.addBatch({ count: 12 });
      off();
      await cut;
      const cs = Object.values(store.getState().clusters);
      const on = (name: string) => cs.filter((c) => c.placement === name);
      expect(on(b0.name)).toHaveLength(6);
      expect(on(b1.name)).toHaveLength(6);
      expect(on(b0.name).every((c) => c.phase === 'ready')).toBe(true);
      const failed = on(b1.name).filter((c) => c.phase === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      for (const c of failed) expect(c.failure?.reason, c.name).toBeTruthy();
      expect(sum.ready + sum.failed).toBe(12);

      // b1 answers again: resuming the run finishes its failed clusters...
      await proxy.open();
      const again = await engine.resumeRun();
      expect(again.failures).toEqual([]);
      const after = Object.values(store.getState().clusters).filter((c) => c.placement === b1.name);
      expect(after.map((c) => c.phase)).toEqual(after.map(() => 'ready'));
      // ...they are removed cleanly, and it takes new ones.
      const del = await engine.deleteClusters({ kind: 'names', names: on(b1.name).map((c) => c.name) });
      expect(del.failed).toEqual([]);
      expect((await engine.addBatch({ count: 2, backing: b1.name })).ready).toBe(2);
      const all = await engine.deleteClusters({ kind: 'all' });
      expect(all.failed).toEqual([]);
      expect((await b1.etcd.status()).tenants).toEqual([]);
    } finally {
      await engine?.shutdown();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 240_000);
});
