// A TCP proxy on 127.0.0.1 that can turn into a black hole: it forwards both ways until
// freeze(), then silently drops every byte in both directions without closing anything, as a
// suspended VM, a dead NAT entry or a pulled cable does. New connections are accepted and
// then ignored. resume() forwards again for new connections; connections that lived through
// a freeze stay dead (their bytes are gone, as after a real outage).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Blackhole {
  port: number;
  /** Connections accepted so far (frozen or not). */
  readonly accepted: number;
  freeze(): void;
  resume(): void;
  stop(): Promise<void>;
}

export async function startBlackhole(targetPort: number, targetHost = '127.0.0.1'): Promise<Blackhole> {
  let epoch = 0;
  let frozen = false;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    if (frozen) return; // accepted, never answered, never closed
    const born = epoch;
    const live = (): boolean => !frozen && epoch === born;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.on('data', (d) => void (live() && upstream.write(d)));
    upstream.on('data', (d) => void (live() && client.write(d)));
    // A close is passed on only while forwarding: a black hole does not deliver FIN either.
    client.once('close', () => live() && upstream.destroy());
    upstream.once('close', () => live() && client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    freeze() {
      frozen = true;
    },
    resume() {
      frozen = false;
      epoch++;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
