// The API server sheds load (429/500/503) and drops watches: the engine's client retries with
// capped, jittered backoff and a bounded number of tries; informers back off, re-watch from
// their resourceVersion after a drop, re-list only on 410 Gone, and never hot-loop.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, statusCode } from '../../src/core/kube/client.js';
import { backoffMs, DEFAULT_RETRY } from '../../src/core/kube/retry.js';
import { Informer } from '../../src/core/kube/informer.js';
import { loadKubeConfig } from '../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { prng } from './prng.js';

let api: ApiServerHandle;
beforeAll(async () => {
  api = await startApiServer({ builtinCrds: false });
});
afterAll(async () => {
  await api?.stop();
});

const cm = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { k: name },
});

describe('backoff', () => {
  it('is jittered inside [0, min(cap, base*2^n)] and spreads clients out', () => {
    const rand = prng(7);
    for (let n = 0; n < 12; n++) {
      const ceiling = Math.min(DEFAULT_RETRY.capMs, DEFAULT_RETRY.baseMs * 2 ** n);
      const samples = Array.from({ length: 200 }, () => backoffMs(DEFAULT_RETRY, n, rand));
      expect(Math.max(...samples)).toBeLessThanOrEqual(ceiling);
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      // Jitter: 200 clients do not all pick the same delay.
      expect(new Set(samples).size).toBeGreaterThan(50);
    }
  });
});

describe('client retries transient answers, boundedly', () => {
  it.each([429, 500, 503])('rides out %i: the call succeeds once the server recovers', async (status) => {
    let seen = 0;
    // The fault lifts after 3 faulted requests: counted, not timed.
    api.faults.set({
      errorRate: 1,
      statuses: [status],
      paths: /\/configmaps/,
      onRequest: () => {
        if (++seen === 3) api.faults.set({ paths: /\/configmaps/, onRequest: () => void ++seen });
      },
    });
    const c = new KubeClient(loadKubeConfig({ kubeconfigYaml: api.kubeconfigYaml }), {
      attempts: 6,
      baseMs: 20,
      capMs: 200,
    });
    expect(await c.createOrSkip(cm(`ride-${status}`))).toBe(true);
    api.faults.clear();
    // 3 refused + 1 that worked: no request more.
    expect(seen).toBe(4);
  });

  it('gives up after the policy attempts with the server status, not a hang or a loop', async () => {
    let seen = 0;
    api.faults.set({ errorRate: 1, statuses: [503], paths: /\/configmaps/, onRequest: () => void ++seen });
    const c = new KubeClient(loadKubeConfig({ kubeconfigYaml: api.kubeconfigYaml }), {
      attempts: 4,
      baseMs: 10,
      capMs: 50,
    });
    const err = await c.list('v1', 'ConfigMap', { namespace: 'default' }).catch((e: unknown) => e);
    api.faults.clear();
    expect(statusCode(err)).toBe(503);
    expect(seen).toBe(4);
  });

  it('does not retry what a retry cannot fix (404 read, 409 create, 422)', async () => {
    let seen = 0;
    api.faults.set({ paths: /\/configmaps/, onRequest: () => void ++seen });
    const c = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    expect(await c.get('v1', 'ConfigMap', 'nope', 'default')).toBeUndefined();
    await c.createOrSkip(cm('once'));
    expect(await c.createOrSkip(cm('once'))).toBe(false);
    api.faults.clear();
    expect(seen).toBe(3);
  });
});

describe('informer under dropped watches', () => {
  it('re-watches without re-listing, backs off, and still sees every change', async () => {
    let requests = 0;
    // Every watch is cut 20 ms after it opens: a hot loop would reconnect hundreds of times.
    api.faults.set({ paths: /^\/api\/v1\/configmaps/, dropWatchesAfterMs: 20, onRequest: () => void ++requests });
    const inf = new Informer(KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml }), 'v1', 'ConfigMap', {
      retryMs: 100,
    });
    try {
      await inf.start();
      const c = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
      // Wait for 6 watch (re)starts, creating an object after each: each must reach the cache.
      for (let i = 0; i < 6; i++) {
        await c.createOrSkip(cm(`drop-${i}`));
        await new Promise<void>((resolve) => {
          const off = inf.on((_t, o) => {
            if (o.metadata.name === `drop-${i}`) {
              off();
              resolve();
            }
          });
          if (inf.get('default', `drop-${i}`)) {
            off();
            resolve();
          }
        });
      }
      // One list at start; drops are resumed from the resourceVersion, never by re-listing.
      expect(inf.counters.lists).toBe(1);
      expect(inf.counters.gone).toBe(0);
      // Backoff: each young drop doubles the wait (100, 200, 400 ... ms), so six objects
      // arriving need only a handful of reconnects; a fixed short retry would need far more.
      expect(inf.counters.watches).toBeLessThanOrEqual(12);
      expect(requests).toBe(inf.counters.lists + inf.counters.watches);
    } finally {
      inf.stop();
      api.faults.clear();
    }
  });
});

describe('informer on 410 Gone', () => {
  let server: Server;
  let url = '';
  const calls: string[] = [];
  let listRound = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      calls.push(`${u.pathname}${u.searchParams.get('watch') ? '?watch' : ''}`);
      res.setHeader('Content-Type', 'application/json');
      if (u.pathname === '/api/v1') {
        res.end(
          JSON.stringify({
            kind: 'APIResourceList',
            groupVersion: 'v1',
            resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['list', 'watch'] }],
          }),
        );
        return;
      }
      if (u.pathname === '/api/v1/configmaps' && u.searchParams.get('watch')) {
        // The first watch is too old (410 as an ERROR event, like kube-apiserver); later ones stay open.
        if (u.searchParams.get('resourceVersion') === '5') {
          res.end(
            `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 5 (9)' } })}\n`,
          );
        } else res.flushHeaders();
        return;
      }
      if (u.pathname === '/api/v1/configmaps') {
        listRound++;
        const items = listRound === 1 ? ['a'] : ['a', 'b'];
        res.end(
          JSON.stringify({
            kind: 'ConfigMapList',
            apiVersion: 'v1',
            metadata: { resourceVersion: listRound === 1 ? '5' : '9' },
            items: items.map((n) => ({
              metadata: { name: n, namespace: 'default', resourceVersion: n === 'a' ? '3' : '8' },
            })),
          }),
        );
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('re-lists once, picks up what it missed, then watches again', async () => {
    const yaml = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
    const inf = new Informer(KubeClient.from({ kubeconfigYaml: yaml }), 'v1', 'ConfigMap', { retryMs: 20 });
    try {
      await inf.start();
      await new Promise<void>((resolve, reject) => {
        setTimeout(() => reject(new Error(`calls: ${calls.join(' ')}`)), 5000).unref();
        if (inf.get('default', 'b')) return resolve();
        inf.on((_t, o) => o.metadata.name === 'b' && resolve());
      });
      // then the second watch (from rv 9) is opened and stays open
      while (inf.counters.watches < 2) await new Promise((r) => setTimeout(r, 10));
      expect(inf.counters.gone).toBe(1);
      expect(inf.counters.lists).toBe(2);
      expect(calls.filter((c) => c === '/api/v1/configmaps')).toHaveLength(2);
      expect([...inf.cache.keys()].sort()).toEqual(['default/a', 'default/b']);
    } finally {
      inf.stop();
    }
  });
});
