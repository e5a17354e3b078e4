// A port-forward dies and comes back; the engine quits (TUI closed, SSH dropped) and a new
// one on the same state dir shows the same run and brings the forwards back.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.js';
import { configSchema } from '../../src/engine/config/schema.js';
import { ForwardSupervisor } from '../../src/engine/forward/supervisor.js';
import { KubeClient } from '../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { createScaleStore, type ScaleStore } from '../../src/state/store.js';
import { worldForSuite } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

describe('port-forward supervisor', () => {
  let api: ApiServerHandle;
  beforeAll(async () => {
    api = await startApiServer({ builtinCrds: false });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('restarts a forward whose listener died; the API answers through it again', async () => {
    const events: string[] = [];
    const sup = new ForwardSupervisor(
      () => '127.0.0.1',
      (m) => events.push(m),
    );
    const port = (await freePortBlock(1)) + 1;
    try {
      await sup.ensure('c1', port, async () => connect(api.port, '127.0.0.1'));
      const viaForward = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml.replace(`:${api.port}`, `:${port}`) });
      expect((await viaForward.list('v1', 'Namespace')).length).toBeGreaterThan(0);

      // The listener dies under us (not a supervised stop), and with it the connections it
      // accepted: the client keeps its connection alive, and a listener's close completes
      // only once they are gone. The next call then needs the restarted listener.
      const f = sup.get('c1')!;
      const inner = f as unknown as { server: Server; sockets: Set<Duplex> };
      const closed = new Promise<void>((r) => inner.server.close(() => r()));
      for (const s of inner.sockets) s.destroy();
      await closed;
      expect(f.stats.listening).toBe(false);
      while (!f.stats.listening) await new Promise((r) => setTimeout(r, 25));
      expect(f.stats.restarts).toBeGreaterThanOrEqual(1);
      expect((await viaForward.list('v1', 'Namespace')).length).toBeGreaterThan(0);
      expect(sup.size).toBe(1);
    } finally {
      await sup.stopAll();
    }
  });
});

describe('engine state survives a quit', () => {
  const world = worldForSuite();

  function options(stateDir: string, store: ScaleStore, basePort: number): EngineOptions {
    return {
      config: configSchema.parse({ topology: 'dedicated', batch: { concurrency: 4 }, naming: { prefix: 'quit' } }),
      store,
      management: { kubeconfigYaml: world().management.kubeconfigYaml },
      managementEtcd: world().management.etcd,
      stateDir,
      reach: { mode: 'port-forward', host: '127.0.0.1', basePort },
      timeouts: { controllerMs: 90_000, apiMs: 60_000, deleteMs: 90_000 },
    };
  }

  it('a new engine on the same state dir shows the same run and restores the forwards', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'quit-'));
    const basePort = await freePortBlock(6);
    let engine: Engine | undefined;
    try {
      engine = await createEngine(options(stateDir, createScaleStore(), basePort));
      const sum = await engine.addBatch({ count: 4 });
      expect(sum.ready).toBe(4);
      const before = await engine.status();
      expect(before.forwarders).toBe(4);
      await engine.shutdown();

      const store = createScaleStore();
      engine = await createEngine(options(stateDir, store, basePort));
      const after = await engine.status();
      const view = (s: typeof before) => s.clusters.map((c) => `${c.name}#${c.number}:${c.phase}:${c.batchId}`).sort();
      expect(view(after)).toEqual(view(before));
      expect(after.namespaces).toEqual(before.namespaces);

      // Resuming adds nothing and re-opens every forward (CAPI dials them).
      const resumed = await engine.resumeRun();
      expect(resumed.requested).toBe(0);
      expect((await engine.status()).forwarders).toBe(4);
      expect(Object.values(store.getState().clusters).every((c) => c.phase === 'ready')).toBe(true);
      const del = await engine.deleteClusters({ kind: 'all' });
      expect(del.failed).toEqual([]);
    } finally {
      await engine?.shutdown();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});
