// Informers in one process share one parsed copy of each object version (src/core/kube/
// shared-objects.ts): the demo runs the engine and every emulated controller in one process,
// and each cache used to hold its own JSON.parse of the same watch line. The table that
// makes the copies shared holds them weakly, so it must end empty after a churn.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { Informer } from '../../src/core/kube/informer.js';
import { liveSharedObjects, sharedObject, sharedObjectEntries } from '../../src/core/kube/shared-objects.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function configMap(name: string, uid: string, rv: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid, resourceVersion: rv },
    data,
  } as KubeObject;
}

/** A ConfigMap to create (the server sets uid and resourceVersion). */
function fresh(name: string, n: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n } } as KubeObject;
}

describe('one copy of an object version per process', () => {
  it('gives the second holder of a version the first one’s copy, and keeps versions and apiVersions apart', () => {
    const a = configMap('a', 'u-1', '10', { k: 'v' });
    expect(sharedObject(a)).toBe(a);
    expect(sharedObject(configMap('a', 'u-1', '10', { k: 'v' }))).toBe(a);
    const next = configMap('a', 'u-1', '11', { k: 'w' });
    expect(sharedObject(next)).toBe(next);
    const other = { ...configMap('a', 'u-1', '10', { k: 'v' }), apiVersion: 'v2' } as KubeObject;
    expect(sharedObject(other)).toBe(other);
    // Without a uid or resourceVersion nothing is shared.
    const bare = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } } as KubeObject;
    expect(sharedObject({ ...bare })).not.toBe(sharedObject({ ...bare }));
  });

  it('ends empty after 1000 object versions are held and dropped', async () => {
    const before = sharedObjectEntries();
    let held: KubeObject[] = [];
    for (let i = 0; i < 1000; i++) held.push(sharedObject(configMap(`c${i}`, `churn-${i}`, '1', { i: String(i) })));
    expect(sharedObjectEntries()).toBeGreaterThanOrEqual(before + 1000);
    expect(held).toHaveLength(1000);
    held = [];
    await until('the table to drop the collected objects', () => {
      gc();
      return liveSharedObjects() === 0 && sharedObjectEntries() === 0;
    });
  });

  describe('two informers on one API server', () => {
    let api: ApiServerHandle;
    beforeAll(async () => {
      api = await startApiServer({ builtinCrds: false });
    });
    afterAll(async () => {
      await api?.stop();
    });

    it('hold the same object for the same version, listed or watched', async () => {
      const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
      await client.createOrSkip(fresh('listed', '0'));
      const informers = [new Informer(client, 'v1', 'ConfigMap'), new Informer(client, 'v1', 'ConfigMap')];
      try {
        await Promise.all(informers.map((i) => i.start()));
        const [a, b] = informers as [Informer, Informer];
        expect(a.get('default', 'listed')).toBeDefined();
        expect(a.get('default', 'listed')).toBe(b.get('default', 'listed'));
        await client.createOrSkip(fresh('watched', '1'));
        await until(
          'both informers to see the new object',
          () => !!a.get('default', 'watched') && !!b.get('default', 'watched'),
        );
        expect(a.get('default', 'watched')).toBe(b.get('default', 'watched'));
        expect((a.get('default', 'watched') as KubeObject & { data: { n: string } }).data.n).toBe('1');
      } finally {
        for (const i of informers) i.stop();
      }
    });
  });
});
