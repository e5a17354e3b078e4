// A client's TLS connections share one secure context. Node builds a context per connection
// when it is given only the CA, certificate and key: each parses them again into native
// memory that V8 does not see and frees only when a GC finds the dead socket. In the demo
// (engine, controllers and API servers in one process) that was native memory growing with
// connection churn (2000 connections: +74 MiB RSS, +38 MiB with one context). Both clients
// are checked: the engine's (kept-alive agent pool) and the emulated controllers' RestClient.
import tls from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { RestClient } from '../../src/sim/controllers/rest.js';

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

  it("the emulated controllers' RestClient: 8 calls in flight make at most one context", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfigYaml);
    const made = await contextsMadeBy(async () => {
      const client = new RestClient(kc);
      try {
        const lists = await Promise.all(Array.from({ length: 8 }, () => client.list('/api/v1/namespaces')));
        expect(lists.every((l) => Array.isArray(l.items) && l.items.length > 0)).toBe(true);
      } finally {
        client.close();
      }
    });
    expect(made).toBeLessThanOrEqual(1);
  });
});
