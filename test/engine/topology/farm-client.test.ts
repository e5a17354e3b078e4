// The engine's farm client sends through the engine's one HTTP path (src/core/kube/http.ts).
// A call written on a kept-alive connection the farm has just closed (Node closes idle ones
// after 5 s) fails with no answer while the farm is up (seen: both clusters of a `create`
// failed at farm-register); such a call goes once more, on a fresh connection, and only
// once. A farm that accepts and then says nothing is ended by the request deadline, and a
// farm that refuses connections is one error with a fix.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FarmClient } from '../../../src/engine/topology/farm.js';

let server: Server;
let url: string;
let registers = 0;
/** How many requests each connection has carried, and how many connections were opened. */
const perSocket = new Map<Socket, number>();
/** /register answers nothing on a reused connection this many more times. */
let dropOnReuse = 0;
/** /register never answers, on any connection. */
let dropAlways = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const seen = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, seen);
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/clusters') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ capacity: 10, clusters: [] }));
        return;
      }
      if (req.url === '/register') {
        registers++;
        // The connection closes with no answer on a request that reused it: what the client
        // sees when the farm timed the idle connection out as the request went out.
        if (dropAlways || (seen > 1 && dropOnReuse > 0)) {
          if (!dropAlways) dropOnReuse--;
          req.socket.destroy();
          return;
        }
        const { cluster, namespace } = JSON.parse(body) as { cluster: string; namespace: string };
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Resource: `${namespace}/${cluster}`, Host: '127.0.0.1', Port: 20001 }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
);

describe('FarmClient', () => {
  it('repeats, once, a call whose kept-alive connection closed before any answer', async () => {
    const client = new FarmClient({ name: 'f', url });
    // First call opens the connection the next one reuses.
    expect(await client.capacity()).toMatchObject({ reachable: true, capacity: 10 });
    registers = 0;
    dropOnReuse = 1;
    await expect(client.register('c-1', 'c-1')).resolves.toEqual({ farm: 'f', host: '127.0.0.1', port: 20001 });
    expect(registers).toBe(2);
  });

  it('repeats it only once: a farm that drops the retry too is one error', async () => {
    const client = new FarmClient({ name: 'f', url });
    expect(await client.capacity()).toMatchObject({ reachable: true });
    registers = 0;
    dropAlways = true;
    try {
      await expect(client.register('c-2', 'c-2')).rejects.toMatchObject({
        message: expect.stringMatching(/did not answer POST \/register \(connection reset\)/),
      });
    } finally {
      dropAlways = false;
    }
    expect(registers).toBe(2);
  });

  it('a farm that accepts and never answers fails by the request deadline', async () => {
    const mute = createServer(() => undefined);
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const muteUrl = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
    try {
      const client = new FarmClient({ name: 'mute', url: muteUrl }, { requestMs: 400, connectMs: 400 });
      await expect(client.register('c-3', 'c-3')).rejects.toMatchObject({
        message: expect.stringMatching(
          /^farm mute at http:\/\/127\.0\.0\.1:\d+ did not answer POST \/register \(no complete answer within 400 ms\)/,
        ),
      });
    } finally {
      mute.closeAllConnections();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it('a farm that refuses connections is one error with a fix', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = new FarmClient({ name: 'gone', url: `http://127.0.0.1:${port}` });
    await expect(client.register('c-1', 'c-1')).rejects.toMatchObject({
      message: expect.stringMatching(
        /^farm gone at http:\/\/127\.0\.0\.1:\d+ did not answer POST \/register \(connection refused\)/,
      ),
      hint: expect.stringContaining('scale-tui farm serve'),
    });
  });
});
