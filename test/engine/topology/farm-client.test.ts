// The engine's farm client over a connection that drops: fetch reuses idle keep-alive
// connections, and one the farm closes at that moment fails the call with "fetch failed"
// while the farm is up (seen: both clusters of a `create` failed at farm-register). The
// client tries such a call once more (every control call is idempotent); a farm that does
// not answer at all is still one error with a fix.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FarmClient } from '../../../src/engine/topology/farm.js';

let server: Server;
let url: string;
let registers = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/register') {
        registers++;
        // The first one: the connection closes with no answer, as a keep-alive socket the
        // server has just timed out does.
        if (registers === 1) {
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
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('FarmClient', () => {
  it('repeats a call whose connection closed before any answer', async () => {
    const client = new FarmClient({ name: 'f', url });
    await expect(client.register('c-1', 'c-1')).resolves.toEqual({ farm: 'f', host: '127.0.0.1', port: 20001 });
    expect(registers).toBe(2);
  });

  it('a farm that refuses connections is one error with a fix', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = new FarmClient({ name: 'gone', url: `http://127.0.0.1:${port}` });
    await expect(client.register('c-1', 'c-1')).rejects.toMatchObject({
      message: expect.stringMatching(/^farm gone at http:\/\/127\.0\.0\.1:\d+ did not answer POST \/register/),
      hint: expect.stringContaining('scale-tui farm serve'),
    });
  });
});
