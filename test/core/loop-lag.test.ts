// Request deadlines count only the time this process's loop was keeping up. Before, a stalled
// loop ran the expired deadline timer before reading the answer that had already arrived, and
// the demo failed clusters with "no connection within 10 s" from a server in its own process.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestBuffered } from '../../src/core/kube/http.js';
import { loopDeadline } from '../../src/core/kube/loop-lag.js';

/** Holds the loop, as a burst of synchronous work (or a starved process) does. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy on purpose
  }
}

// A timer due at once: it runs after every timer that expired during the stall.
const turn = () => new Promise((r) => setTimeout(r, 1));

describe('loopDeadline', () => {
  it('does not fire at the end of a stall longer than itself, and fires once the loop has run that long', async () => {
    let fired = 0;
    loopDeadline(300, () => fired++);
    stall(700);
    await turn();
    expect(fired).toBe(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fired).toBe(1);
  });

  it('fires after 3 times its length even if the loop never keeps up', async () => {
    let fired = 0;
    loopDeadline(100, () => fired++);
    stall(700);
    await turn();
    expect(fired).toBe(1);
  });

  it('does nothing once cleared', async () => {
    let fired = 0;
    loopDeadline(50, () => fired++).clear();
    await new Promise((r) => setTimeout(r, 200));
    expect(fired).toBe(0);
  });
});

describe('a request answered while this process was stalled', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{"kind":"Status"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise((r) => server?.close(r)));

  it('succeeds: the deadline expired on the wall clock only while the loop could not read', async () => {
    const res = requestBuffered({
      method: 'GET',
      url,
      headers: {},
      deadlines: { connectMs: 200, requestMs: 400 },
    });
    stall(1_000);
    const answered = await res;
    expect(answered.status).toBe(200);
    expect(answered.body.toString()).toContain('Status');
  });
});
