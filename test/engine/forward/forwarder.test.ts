import { createServer, connect, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpForwarder } from '../../../src/engine/forward/forwarder.js';
import { tcpDialer } from '../../../src/engine/forward/dialers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function echoServer(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.pipe(s));
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  });
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

describe('TcpForwarder', () => {
  it('pipes bytes both ways and survives the upstream going away and coming back', async () => {
    const up = await echoServer();
    const f = new TcpForwarder('127.0.0.1', 0, tcpDialer('127.0.0.1', up.port));
    cleanups.push(() => f.stop());
    const port = await f.start();
    expect(await roundTrip(port, 'hello')).toBe('hello');
    // upstream dies: the client sees a closed connection, the forwarder keeps listening
    await new Promise<void>((r) => up.server.close(() => r()));
    expect(await roundTrip(port, 'x')).toBe('');
    expect(f.stats.dialFailures).toBe(1);
    const up2 = await echoServer();
    f.setDialer(tcpDialer('127.0.0.1', up2.port));
    expect(await roundTrip(port, 'again')).toBe('again');
    expect(f.stats.listening).toBe(true);
  });

  it('retries a busy port until it frees up', async () => {
    const up = await echoServer();
    const blocker = await echoServer();
    const f = new TcpForwarder('127.0.0.1', blocker.port, tcpDialer('127.0.0.1', up.port));
    cleanups.push(() => f.stop());
    await f.start();
    expect(f.stats.listening).toBe(false);
    await new Promise<void>((r) => blocker.server.close(() => r()));
    for (let i = 0; i < 40 && !f.stats.listening; i++) await new Promise((r) => setTimeout(r, 100));
    expect(f.stats.listening).toBe(true);
    expect(await roundTrip(blocker.port, 'ok')).toBe('ok');
  });
});
