// Certificates and tokens never reach the engine log, the store or the journal, even when an
// error message carries them (an etcd or API error echoing a key, a kubeconfig in a dump).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { configSchema } from '../../src/engine/config/schema.js';
import type { EtcdTenantAdmin } from '../../src/engine/topology/types.js';
import { createScaleStore } from '../../src/state/store.js';
import { worldForSuite } from '../support/fake-controllers.js';
import { freePortBlock } from '../support/ports.js';

const world = worldForSuite();

describe('engine log and journal carry no secrets', () => {
  it('redacts a key and a token inside a step failure', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const body = pem.split('\n')[1]!;
    const token = /token: (\S+)/.exec(world().management.kubeconfigYaml)?.[1] ?? 'x'.repeat(40);
    const real = world().management.etcd;
    let calls = 0;
    // The second tenant fails with an error that quotes a key and a bearer token.
    const leaky: EtcdTenantAdmin = {
      ensureTenant: async (c) => {
        if (++calls === 2)
          throw new Error(`etcdserver: bad request for ${c}: key ${pem} with Authorization: Bearer ${token}`);
        return real.ensureTenant(c);
      },
      deleteTenant: (c) => real.deleteTenant(c),
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'logsec-'));
    const store = createScaleStore();
    let engine: Engine | undefined;
    try {
      engine = await createEngine({
        config: configSchema.parse({ topology: 'dedicated', batch: { concurrency: 1 }, naming: { prefix: 'ls' } }),
        store,
        management: { kubeconfigYaml: world().management.kubeconfigYaml },
        managementEtcd: leaky,
        stateDir,
        reach: { mode: 'port-forward', host: '127.0.0.1', basePort: await freePortBlock(4) },
        timeouts: { controllerMs: 60_000, apiMs: 30_000, deleteMs: 60_000 },
      });
      const sum = await engine.addBatch({ count: 3 });
      expect(sum.failed).toBe(1);
      const failure = sum.failures[0]!;
      // The reason still says what went wrong, without the secret.
      expect(failure.reason).toMatch(/etcdserver: bad request/);
      const journals = readdirSync(stateDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
      expect(journals.length).toBeGreaterThan(0);
      const everything = [
        JSON.stringify(store.getState().log),
        JSON.stringify(store.getState().clusters),
        JSON.stringify(sum),
        ...journals,
      ].join('\n');
      expect(everything).toContain('etcdserver: bad request');
      expect(everything).not.toContain('-----BEGIN');
      expect(everything).not.toContain(body);
      expect(everything).not.toContain(token);
      await engine.deleteClusters({ kind: 'all' });
    } finally {
      await engine?.shutdown();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
