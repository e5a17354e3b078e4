// The one informer, as the emulated controllers use it (src/sim/controllers/informer.ts over
// src/core/kube/informer.ts), against a loopback server that answers a watch with an ERROR
// event: 504 "Too large resource version" (ResourceVersionTooLarge, a lagging watch cache)
// must be retried from the same resourceVersion after its retryAfterSeconds, not ignored and
// not turned into a fresh list; a 410 Expired must end in a re-list.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Informer } from '../../src/sim/controllers/informer.js';
import { RestClient } from '../../src/sim/controllers/rest.js';
import type { Resource } from '../../src/sim/controllers/resources.js';

const CM: Resource = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

interface Seen {
  watch: boolean;
  rv: string | null;
  at: number;
}

function status(code: number, reason: string, message: string, retryAfterSeconds?: number): string {
  const details =
    retryAfterSeconds === undefined
      ? undefined
      : { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds };
  return `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details } })}\n`;
}

const cm = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

let server: Server | undefined;
let client: RestClient | undefined;
let informer: Informer | undefined;
afterEach(() => {
  informer?.stop();
  client?.close();
  server?.closeAllConnections();
  server?.close();
});

async function serve(firstWatch: string): Promise<{ seen: Seen[]; kc: KubeConfig }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const watch = u.searchParams.get('watch') === 'true';
    seen.push({ watch, rv: u.searchParams.get('resourceVersion'), at: Date.now() });
    res.setHeader('content-type', 'application/json');
    if (!watch) {
      res.end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: '5' }, items: [cm('a', '5')] }));
      return;
    }
    const nth = seen.filter((s) => s.watch).length;
    if (nth === 1) {
      res.end(firstWatch);
      return;
    }
    res.write(`${JSON.stringify({ type: 'ADDED', object: cm(`b${nth}`, '6') })}\n`); // stays open
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { seen, kc };
}

function until(cond: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('shared informer: watch ERROR events', () => {
  it('504 ResourceVersionTooLarge: re-watches from the same resourceVersion after retryAfterSeconds, no re-list', async () => {
    const { seen, kc } = await serve(status(504, 'Timeout', 'Too large resource version: 9, current: 5', 1));
    client = new RestClient(kc);
    const events: string[] = [];
    const errors: string[] = [];
    informer = new Informer(client, CM, (t, o) => events.push(`${t} ${o.metadata.name}`), {
      namespace: 'ns',
      retryMs: 10,
      onError: (m) => errors.push(m),
    });
    informer.start();
    await informer.hasSynced();
    await until(() => events.includes('add b2'));
    expect(events).toEqual(['add a', 'add b2']);
    const lists = seen.filter((s) => !s.watch);
    const watches = seen.filter((s) => s.watch);
    expect(lists).toHaveLength(1);
    expect(watches.map((w) => w.rv)).toEqual(['5', '5']);
    // the server asked for 1 s; the base backoff alone would be ~10 ms
    expect(watches[1]!.at - watches[0]!.at).toBeGreaterThanOrEqual(900);
    expect(errors.join('\n')).toContain('Too large resource version');
    expect(informer.counters.errors).toBe(1);
  });

  it('410 Expired: lists again, then watches from the new list', async () => {
    const { seen, kc } = await serve(status(410, 'Expired', 'too old resource version: 1 (5)'));
    client = new RestClient(kc);
    const events: string[] = [];
    informer = new Informer(client, CM, (t, o) => events.push(`${t} ${o.metadata.name}`), {
      namespace: 'ns',
      retryMs: 10,
    });
    informer.start();
    await until(() => events.includes('add b2'));
    expect(seen.map((s) => (s.watch ? `watch@${s.rv}` : 'list'))).toEqual(['list', 'watch@5', 'list', 'watch@5']);
    expect(informer.counters.gone).toBe(1);
    expect(informer.store.size).toBe(2);
  });
});
