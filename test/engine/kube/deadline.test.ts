// Every request the engine makes has a deadline (issue 14, "Silent hangs"): a peer that
// accepts the connection and then says nothing (a half-open connection to a suspended VM,
// a frozen server) fails the request by its deadline, with an error naming the server and
// the verb and path, instead of holding the caller (and every cluster waiting on it) forever.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig } from '../../../src/core/kube/client.js';
import { explainKubeError } from '../../../src/core/kube/explain.js';
import { DEFAULT_DEADLINES, KubeRequestError } from '../../../src/core/kube/http.js';
import { DEFAULT_RETRY } from '../../../src/core/kube/retry.js';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { startBlackhole, type Blackhole } from '../../support/blackhole.js';
import { insecureKubeconfig } from '../../support/test-cluster.js';

// Short deadlines so the test takes seconds; the bounds asserted below are generous.
const deadlines = { requestMs: 1_500, connectMs: 800 };
const SLOW_BOUND_MS = 8_000;

async function failure(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const t0 = Date.now();
  // Bounded: without deadlines these requests never settle, and the test must say so.
  const never = new Promise((resolve) => setTimeout(() => resolve('still pending after 20 s'), 20_000).unref());
  const err = await Promise.race([
    p.then(
      () => 'resolved',
      (e: unknown) => e,
    ),
    never,
  ]);
  return { err, ms: Date.now() - t0 };
}

describe('the default deadlines', () => {
  it('exist, and connecting gets less time than the whole request', () => {
    expect(DEFAULT_DEADLINES.requestMs).toBe(30_000);
    expect(DEFAULT_DEADLINES.connectMs).toBeLessThan(DEFAULT_DEADLINES.requestMs);
    const c = KubeClient.from({ kubeconfigYaml: insecureKubeconfig('https://127.0.0.1:1') });
    expect(c.deadlines).toEqual(DEFAULT_DEADLINES);
  });
});

describe('a half-open connection (black-hole proxy in front of an API server)', () => {
  let api: ApiServerHandle;
  let hole: Blackhole;
  let client: KubeClient;
  beforeAll(async () => {
    api = await startApiServer({ builtinCrds: false });
    hole = await startBlackhole(api.port);
    const yaml = api.kubeconfigYaml.replace(api.url, `https://127.0.0.1:${hole.port}`);
    const target = { kubeconfigYaml: yaml, role: 'backing cluster b1' };
    client = new KubeClient(loadKubeConfig(target), DEFAULT_RETRY, { deadlines, target });
  });
  afterAll(async () => {
    await hole?.stop();
    await api?.stop();
  });

  it('fails requests by their deadline while frozen, naming server, verb and path; works again after', async () => {
    expect((await client.list('v1', 'Namespace')).length).toBeGreaterThan(0);
    hole.freeze();
    try {
      // Connections are kept alive: of two calls at once, one goes out on the connection the
      // first list left open and waits for an answer that never comes (the request deadline);
      // the other needs a new connection, which never completes (the connect deadline).
      const both = await Promise.all([
        failure(client.list('v1', 'ConfigMap', { namespace: 'default' })),
        failure(client.list('v1', 'ConfigMap', { namespace: 'default' })),
      ]);
      // Which call gets the open connection is the agent's choice: tell them by their reason.
      const isConnect = (f: { err: unknown }) => /no connection within/.test(String((f.err as Error)?.message));
      const reused = both.find((f) => !isConnect(f))!;
      const fresh = both.find(isConnect)!;
      expect(fresh).toBeDefined();
      expect(reused).toBeDefined();
      expect(reused.err).toBeInstanceOf(KubeRequestError);
      expect((reused.err as KubeRequestError).code).toBe('ETIMEDOUT');
      expect((reused.err as KubeRequestError).message).toMatch(/no complete answer within 1\.5 s/);
      expect(reused.ms).toBeGreaterThanOrEqual(deadlines.requestMs - 50);
      expect(reused.ms).toBeLessThan(SLOW_BOUND_MS);
      const { err, ms } = fresh;
      expect(err).toBeInstanceOf(KubeRequestError);
      const e = err as KubeRequestError;
      expect(e.code).toBe('ETIMEDOUT');
      expect(e.server).toBe(`https://127.0.0.1:${hole.port}`);
      expect(e.message).toMatch(new RegExp(`^GET https://127\\.0\\.0\\.1:${hole.port}/api/v1`));
      expect(e.message).toMatch(/no connection within 800 ms/);
      expect(ms).toBeGreaterThanOrEqual(deadlines.connectMs - 50);
      expect(ms).toBeLessThan(SLOW_BOUND_MS);
      // The CLI's one-line explanation names the cluster and what to check.
      const user = explainKubeError(err);
      expect(user?.message).toMatch(new RegExp(`^the backing cluster b1 at https://127\\.0\\.0\\.1:${hole.port} `));
      expect(user?.message).toMatch(/did not answer: no connection within 800 ms/);
      expect(user?.hint).toMatch(/Is the backing cluster b1 running\?/);
    } finally {
      hole.resume();
    }
    expect((await client.list('v1', 'Namespace')).length).toBeGreaterThan(0);
  });
});

describe('a server that accepts and then never answers', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      // /api/v1 (discovery) answers, so the list itself is what stalls.
      if (req.url === '/api/v1') {
        res.setHeader('Content-Type', 'application/json');
        const resources = [
          { name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['list'] },
          { name: 'secrets', namespaced: true, kind: 'Secret', verbs: ['list'] },
        ];
        res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources }));
        return;
      }
      // ConfigMaps: headers and half a body, then silence. Secrets: not even headers.
      if (req.url?.startsWith('/api/v1/configmaps')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it.each([
    ['no response headers', 'Secret', '/api/v1/secrets'],
    ['a body that stops half-way', 'ConfigMap', '/api/v1/configmaps'],
  ])('%s: the request fails by its request deadline, not never', async (_what, kind, path) => {
    const kc = loadKubeConfig({ kubeconfigYaml: insecureKubeconfig(url) });
    const client = new KubeClient(kc, DEFAULT_RETRY, { deadlines });
    const { err, ms } = await failure(client.list('v1', kind));
    expect(err).toBeInstanceOf(KubeRequestError);
    expect((err as Error).message).toBe(`GET ${url}${path}: no complete answer within 1.5 s`);
    expect(ms).toBeGreaterThanOrEqual(deadlines.requestMs - 50);
    expect(ms).toBeLessThan(SLOW_BOUND_MS);
  });
});
