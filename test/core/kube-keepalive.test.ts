// The engine's client keeps its connections alive, as client-go does. client-node builds a
// new agent per request, so every call paid a TCP connect and a full TLS handshake; in the
// demo (API server in the same process) 300 of 300 clusters failed their first POSTs with
// "no connection within 10 s (TCP and TLS handshake)" at 50 pipelines in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig } from '../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { startBlackhole, type Blackhole } from '../support/blackhole.js';
import { insecureKubeconfig } from '../support/test-cluster.js';

const NO_RETRY = { attempts: 1, baseMs: 1, capMs: 1 };

describe('kept-alive connections to an API server (TLS, client certificate)', () => {
  let api: ApiServerHandle;
  let counter: Blackhole;
  beforeAll(async () => {
    api = await startApiServer({ builtinCrds: false });
    // The black-hole proxy, never frozen, counts the TCP connections it forwards.
    counter = await startBlackhole(api.port);
  });
  afterAll(async () => {
    await counter?.stop();
    await api?.stop();
  });

  it('sends 20 calls from two clients with the same credentials over one connection', async () => {
    const yaml = api.kubeconfigYaml.replace(api.url, `https://127.0.0.1:${counter.port}`);
    const a = KubeClient.from({ kubeconfigYaml: yaml });
    const b = KubeClient.from({ kubeconfigYaml: yaml });
    const before = counter.accepted;
    for (let i = 0; i < 10; i++) {
      expect((await a.list('v1', 'Namespace')).length).toBeGreaterThan(0);
      expect(await b.get('v1', 'Namespace', 'default')).toBeDefined();
    }
    expect(counter.accepted - before).toBe(1);
  });

  it('opens a connection per call in flight, and reuses them after', async () => {
    const yaml = api.kubeconfigYaml.replace(api.url, `https://127.0.0.1:${counter.port}`);
    const c = KubeClient.from({ kubeconfigYaml: yaml });
    const before = counter.accepted;
    await Promise.all(Array.from({ length: 5 }, () => c.list('v1', 'Namespace')));
    const opened = counter.accepted - before;
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(5);
    await Promise.all(Array.from({ length: 5 }, () => c.list('v1', 'Namespace')));
    expect(counter.accepted - before).toBe(opened);
  });
});

describe('a kept-alive connection the server has closed', () => {
  let server: Server;
  let url: string;
  const connections: Socket[] = [];
  beforeAll(async () => {
    const served = new WeakMap<Socket, number>();
    // Answers the first request on each connection; on a second one it drops the connection
    // unanswered, as a server does when its idle timeout and the client's write cross.
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      req.resume();
      res.setHeader('content-type', 'application/json');
      // client-node reads discovery before its first create.
      const discovery = {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create'] },
        ],
      };
      const created = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${connections.length}` } };
      res.end(JSON.stringify(req.method === 'GET' ? discovery : created));
    });
    server.on('connection', (s: Socket) => connections.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of connections) s.destroy();
    await new Promise((r) => server?.close(r));
  });

  it('sends a create again, once, on a fresh connection; without retries configured', async () => {
    const c = new KubeClient(loadKubeConfig({ kubeconfigYaml: insecureKubeconfig(url) }), NO_RETRY);
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(await c.createOrSkip(ns('a'))).toBe(true);
    // The second create goes out on the kept-alive connection, which the server drops.
    expect(await c.createOrSkip(ns('b'))).toBe(true);
    // Discovery, then each create on a reused connection the server drops: three connections.
    expect(connections.length).toBe(3);
  });
});
