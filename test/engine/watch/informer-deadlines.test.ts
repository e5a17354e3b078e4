// The informer never waits forever (issue 14, "Silent hangs"): start-up fails with a UserError
// (at once for what a retry cannot fix, by a deadline otherwise); watches carry a jittered
// timeoutSeconds and ask for bookmarks; a silent watch (half-open connection) is declared
// dead and re-opened from its resourceVersion; ERROR events are retried with backoff, 410
// re-lists; list failures after start-up are reported, not swallowed.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { KubeClient, loadKubeConfig } from '../../../src/core/kube/client.js';
import { Informer } from '../../../src/core/kube/informer.js';
import { syncAll } from '../../../src/core/kube/sync-all.js';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { startBlackhole, type Blackhole } from '../../support/blackhole.js';
import { insecureKubeconfig } from '../../support/test-cluster.js';

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

/** Polls `f` until true; false after `ms` (callers assert on it, so a miss is reported). */
async function eventually(f: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

const informers: Informer[] = [];
function track(i: Informer): Informer {
  informers.push(i);
  return i;
}
afterEach(() => {
  for (const i of informers.splice(0)) i.stop();
});

describe('a watch through a half-open connection', () => {
  let api: ApiServerHandle;
  let hole: Blackhole;
  let direct: KubeClient;
  let proxied: KubeClient;
  beforeAll(async () => {
    // Bookmarks rarer than the watch timeout: only the idle deadline can find the dead watch.
    api = await startApiServer({ builtinCrds: false, watchBookmarkIntervalMs: 60_000 });
    hole = await startBlackhole(api.port);
    direct = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
    const yaml = api.kubeconfigYaml.replace(api.url, `https://127.0.0.1:${hole.port}`);
    const deadlines = { requestMs: 1_500, connectMs: 500 };
    proxied = new KubeClient(loadKubeConfig({ kubeconfigYaml: yaml }), undefined, { deadlines });
  });
  afterAll(async () => {
    await hole?.stop();
    await api?.stop();
  });

  it('is declared dead by its idle deadline, then re-established from its resourceVersion', async () => {
    const errors: string[] = [];
    // timeoutSeconds 2 (2 s x [1, 2), floored), dead after 2 s + 0.5 s of silence.
    const opts = { minWatchTimeoutMs: 2_000, watchSlackMs: 500, retryMs: 100, healthyWatchMs: 500 };
    const inf = track(new Informer(proxied, 'v1', 'ConfigMap', { ...opts, onError: (m) => errors.push(m) }));
    await inf.start();
    // Freeze the moment an event arrives: a watch is open then, and stays open (to us) forever.
    const frozen = new Promise<number>((resolve) => {
      const off = inf.on((_t, o) => {
        if (o.metadata.name !== 'before-freeze') return;
        hole.freeze();
        off();
        resolve(Date.now());
      });
    });
    await direct.createOrSkip(cm('before-freeze'));
    const t0 = await frozen;
    await direct.createOrSkip(cm('during-freeze'));
    try {
      const why = `stalled=${inf.counters.stalled} errors=${errors.join(' | ')}`;
      expect(await eventually(() => inf.counters.stalled >= 1), why).toBe(true);
      const detectedMs = Date.now() - t0;
      // A re-watch through the frozen path fails by its connect deadline (backing off), and the
      // change made meanwhile has not arrived.
      expect(await eventually(() => inf.counters.errors >= 1)).toBe(true);
      expect(inf.get('default', 'during-freeze')).toBeUndefined();
      expect(detectedMs).toBeLessThan(10_000);
      expect(errors.some((m) => /half-open/.test(m))).toBe(true);
    } finally {
      hole.resume();
    }
    const why = `watches=${inf.counters.watches} errors=${errors.join(' | ')}`;
    expect(await eventually(() => inf.get('default', 'during-freeze') !== undefined), why).toBe(true);
    // Resumed from the last resourceVersion: no re-list was needed.
    expect(inf.counters.lists).toBe(1);
    expect(inf.counters.gone).toBe(0);
  }, 30_000);
});

describe('against a scripted server', () => {
  let server: Server;
  let url = '';
  let handler: (u: URL, res: ServerResponse) => void = () => undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      res.setHeader('Content-Type', 'application/json');
      if (u.pathname === '/api/v1') {
        const resources = [
          { name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['list', 'watch'] },
          { name: 'secrets', namespaced: true, kind: 'Secret', verbs: ['list', 'watch'] },
        ];
        res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources }));
        return;
      }
      handler(u, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const list = (rv: string, names: string[]) => {
    const items = names.map((n) => ({ metadata: { name: n, namespace: 'default', resourceVersion: rv } }));
    return JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items });
  };
  const status = (code: number, reason: string, message: string, extra: object = {}) => ({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    ...extra,
  });
  const event = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
  const client = () => KubeClient.from({ kubeconfigYaml: insecureKubeconfig(url) });

  it('asks for bookmarks and a timeoutSeconds jittered in [min, 2 x min) (client-go reflector)', async () => {
    const seen: URLSearchParams[] = [];
    handler = (u, res) => {
      if (u.searchParams.get('watch')) {
        seen.push(u.searchParams);
        res.flushHeaders();
        return;
      }
      res.end(list('7', []));
    };
    const c = client();
    for (let i = 0; i < 12; i++) void track(new Informer(c, 'v1', 'ConfigMap')).start();
    expect(await eventually(() => seen.length === 12)).toBe(true);
    const timeouts = seen.map((q) => Number(q.get('timeoutSeconds')));
    for (const t of timeouts) {
      expect(t).toBeGreaterThanOrEqual(300);
      expect(t).toBeLessThan(600);
    }
    expect(new Set(timeouts).size).toBeGreaterThan(1);
    expect(seen.every((q) => q.get('allowWatchBookmarks') === 'true' && q.get('resourceVersion') === '7')).toBe(true);
  });

  it('retries an ERROR event (504 ResourceVersionTooLarge) from the same version, backing off', async () => {
    const watches: Array<{ rv: string | null; at: number }> = [];
    let lists = 0;
    handler = (u, res) => {
      if (!u.searchParams.get('watch')) {
        lists++;
        res.end(list('5', ['a']));
        return;
      }
      watches.push({ rv: u.searchParams.get('resourceVersion'), at: Date.now() });
      if (watches.length === 1) {
        // What kube-apiserver sends when its watch cache lags the requested version.
        const details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] };
        res.end(event('ERROR', status(504, 'Timeout', 'Too large resource version: 5, current: 4', { details })));
      } else {
        res.write(event('ADDED', { metadata: { name: 'b', namespace: 'default', resourceVersion: '6' } }));
      }
    };
    const errors: string[] = [];
    const inf = track(new Informer(client(), 'v1', 'ConfigMap', { retryMs: 200, onError: (m) => errors.push(m) }));
    await inf.start();
    expect(await eventually(() => inf.get('default', 'b') !== undefined)).toBe(true);
    expect(watches.map((w) => w.rv)).toEqual(['5', '5']);
    expect(lists).toBe(1);
    expect(inf.counters.errors).toBe(1);
    expect(inf.counters.gone).toBe(0);
    // Backoff after one failure: 200 ms x 2 with equal jitter, so at least 200 ms (timers do not fire early).
    expect(watches[1]!.at - watches[0]!.at).toBeGreaterThanOrEqual(190);
    expect(errors.join('\n')).toMatch(/Too large resource version/);
  });

  it('re-lists on 410 Gone, and a failing re-list is reported, not swallowed', async () => {
    let lists = 0;
    const watchRvs: Array<string | null> = [];
    handler = (u, res) => {
      if (!u.searchParams.get('watch')) {
        lists++;
        if (lists === 2) {
          res.statusCode = 403;
          const why = 'configmaps is forbidden: User "u" cannot list resource "configmaps"';
          res.end(JSON.stringify(status(403, 'Forbidden', why)));
          return;
        }
        res.end(lists === 1 ? list('5', ['a']) : list('9', ['a', 'c']));
        return;
      }
      watchRvs.push(u.searchParams.get('resourceVersion'));
      if (u.searchParams.get('resourceVersion') === '5') {
        res.end(event('ERROR', status(410, 'Expired', 'too old resource version: 5 (8)')));
      } else res.flushHeaders();
    };
    const errors: string[] = [];
    const inf = track(new Informer(client(), 'v1', 'ConfigMap', { retryMs: 50, onError: (m) => errors.push(m) }));
    await inf.start();
    expect(await eventually(() => inf.get('default', 'c') !== undefined)).toBe(true);
    // ...and then watches again, from the new list's version.
    expect(await eventually(() => watchRvs.length === 2)).toBe(true);
    expect(lists).toBe(3);
    expect(inf.counters.gone).toBe(1);
    expect(watchRvs).toEqual(['5', '9']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^list configmaps .*may not list configmaps .*403 Forbidden: configmaps is forbidden/);
  });

  it.each([
    [401, /rejected the credentials .*401 Unauthorized/, /Refresh the credentials/],
    [403, /may not list configmaps .*403 Forbidden/, /Use an identity allowed to list configmaps/],
    [404, /does not serve configmaps/, /: name a cluster serving ConfigMap\./],
  ])('start-up fails at once on %i with a UserError and a fix', async (code, message, hint) => {
    let lists = 0;
    handler = (_u, res) => {
      lists++;
      res.statusCode = code;
      res.end(JSON.stringify(status(code, 'Failure', `status ${code}`)));
    };
    const inf = track(new Informer(client(), 'v1', 'ConfigMap', { syncTimeoutMs: 20_000 }));
    const t0 = Date.now();
    const never = new Promise((r) => setTimeout(() => r('no answer after 15 s'), 15_000).unref());
    const err = await Promise.race([
      inf.start().then(
        () => 'synced',
        (e: unknown) => e,
      ),
      never,
    ]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).hint).toMatch(hint);
    expect(lists).toBe(1);
    // "At once": well before the 20 s start-up deadline (no retries first).
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('syncAll reports the first informer in its order that failed, not the first failure to arrive', async () => {
    handler = (u, res) => {
      const answer = (code: number) => {
        res.statusCode = code;
        res.end(JSON.stringify(status(code, 'Failure', `status ${code}`)));
      };
      // The first informer's failure arrives last, as the Cluster list's may.
      if (u.pathname.endsWith('/configmaps')) setTimeout(() => answer(404), 150);
      else answer(403);
    };
    const c = client();
    const infs = [track(new Informer(c, 'v1', 'ConfigMap')), track(new Informer(c, 'v1', 'Secret'))];
    const err = await syncAll(infs).then(
      () => 'synced',
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/does not serve configmaps/);
  });

  it('start-up gives up by its deadline when the server keeps failing, naming the last error', async () => {
    let lists = 0;
    handler = (_u, res) => {
      lists++;
      res.statusCode = 503;
      res.end(JSON.stringify(status(503, 'ServiceUnavailable', 'the server is shutting down')));
    };
    const retry = { attempts: 2, baseMs: 10, capMs: 20 };
    const c = new KubeClient(loadKubeConfig({ kubeconfigYaml: insecureKubeconfig(url) }), retry);
    const inf = track(new Informer(c, 'v1', 'ConfigMap', { syncTimeoutMs: 1_500, retryMs: 50 }));
    const t0 = Date.now();
    const never = new Promise((r) => setTimeout(() => r('no answer after 15 s'), 15_000).unref());
    const err = await Promise.race([
      inf.start().then(
        () => 'synced',
        (e: unknown) => e,
      ),
      never,
    ]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^could not list configmaps from the cluster at http:\/\/127\.0\.0\.1:/);
    expect((err as UserError).message).toMatch(/ within 2 s \(last error: .*503 the server is shutting down\)$/);
    expect((err as UserError).hint).toMatch(/readyz/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_450);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // It retried (with backoff) until then: a transient failure is not fatal by itself.
    expect(lists).toBeGreaterThan(2);
  });
});
