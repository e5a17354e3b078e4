// No hard-coded etcd root password: each backing cluster's setup generates its own, keeps it
// only in the etcd-root Secret (the seed used `rootpw` everywhere), and hands it to the admin.
import { describe, expect, it } from 'vitest';
import { readRootPassword, setupBackingEtcd } from '../../src/engine/backing/setup.js';
import { createEtcdPki } from '../../src/engine/backing/etcd-pki.js';
import { ETCD } from '../../src/engine/backing/etcd-objects.js';
import { MemoryEtcd } from '../../src/sim/etcd-memory/memory-etcd.js';
import { MemoryKube } from '../engine/backing/memory-kube.js';

describe('etcd root credentials', () => {
  it('are generated per run, differ between runs, and live in the etcd-root Secret', async () => {
    const pki = createEtcdPki();
    const runs = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const kube = new MemoryKube();
        let given = '';
        const r = await setupBackingEtcd({
          kube,
          pki,
          ownership: { runId: `r${i}` },
          adminFor: (pw) => {
            given = pw;
            return new MemoryEtcd();
          },
          pollMs: 1,
        });
        const secret = (await kube.get('v1', 'Secret', 'etcd-root', ETCD.namespace)) as unknown as {
          data: Record<string, string>;
        };
        return {
          password: r.rootPassword,
          given,
          stored: await readRootPassword(kube),
          user: Buffer.from(secret.data.username ?? '', 'base64').toString(),
        };
      }),
    );
    for (const r of runs) {
      expect(r.password.length).toBeGreaterThanOrEqual(32);
      expect(r.given).toBe(r.password);
      expect(r.stored).toBe(r.password);
      expect(r.user).toBe('root');
      expect(r.password).not.toMatch(/rootpw|password|changeme/i);
    }
    expect(new Set(runs.map((r) => r.password)).size).toBe(3);
  });
});
