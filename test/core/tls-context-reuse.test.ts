// A client's TLS connections share one secure context. Node builds a context per connection
// when it is given only the CA, certificate and key: each parses them again into native
// memory that V8 does not see and frees only when a GC finds the dead socket. In the demo
// (engine, controllers and API servers in one process) that was native memory growing with
// connection churn (2000 connections: +74 MiB RSS, +38 MiB with one context). Both clients
// are checked: the engine's (kept-alive agent pool) and the emulated controllers' RestClient.
import tls from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { RestClient } from '../../src/sim/controllers/rest.js';
import { sharedSecureContext, sharedSecureContextEntries } from '../../src/core/kube/secure-contexts.js';
import { createLocalCa } from '../../src/sim/apiserver/tls.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let api: ApiServerHandle;
beforeAll(async () => {
  api = await startApiServer({ builtinCrds: false });
});
afterAll(async () => {
  await api?.stop();
  vi.restoreAllMocks();
});

/** How many secure contexts `run` made (Node's tls.connect calls tls.createSecureContext). */
async function contextsMadeBy(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(tls, 'createSecureContext');
  try {
    await run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('one TLS context per client identity', () => {
  it("the engine's client: 8 calls in flight open 8 connections and make at most one context", async () => {
    const client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    const made = await contextsMadeBy(() =>
      Promise.all(Array.from({ length: 8 }, () => client.list('v1', 'Namespace'))),
    );
    expect(made).toBeLessThanOrEqual(1);
  });

  it("the emulated controllers' RestClients: three clients of one cluster, 8 calls each in flight, make at most one context", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfigYaml);
    const made = await contextsMadeBy(async () => {
      // CAPI, KCP and CAPM3 each build a client from the same `<cluster>-kubeconfig`.
      const clients = [new RestClient(kc), new RestClient(kc), new RestClient(kc)];
      try {
        const lists = await Promise.all(
          clients.flatMap((c) => Array.from({ length: 8 }, () => c.list('/api/v1/namespaces'))),
        );
        expect(lists.every((l) => Array.isArray(l.items) && l.items.length > 0)).toBe(true);
      } finally {
        for (const c of clients) c.close();
      }
    });
    expect(made).toBeLessThanOrEqual(1);
  });

  it('the shared context table ends empty once its clients are gone', async () => {
    const before = sharedSecureContextEntries();
    // 20 distinct identities (a bundle of 1..20 copies of one CA: distinct material, cheap).
    const ca = createLocalCa('churn').certPem;
    let contexts = Array.from({ length: 20 }, (_, i) => sharedSecureContext({ ca: Array(i + 1).fill(ca) }));
    expect(sharedSecureContext({ ca: [ca, ca] })).toBe(contexts[1]);
    expect(sharedSecureContextEntries()).toBe(before + 20);
    expect(contexts).toHaveLength(20);
    contexts = [];
    const end = Date.now() + 10_000;
    while (sharedSecureContextEntries() > before) {
      if (Date.now() > end) throw new Error(`${sharedSecureContextEntries() - before} contexts still in the table`);
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
