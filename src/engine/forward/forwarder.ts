// The seed's per-cluster `kubectl port-forward` (never supervised, SEED §15.12) as an
// in-process TCP forwarder: a listener on host:port whose every connection is piped to a
// freshly dialled upstream. A failed listen or dial is retried with backoff; the listener
// itself is restarted if it dies. One forwarder per workload API.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export type Dialer = () => Promise<Duplex>;

export interface ForwarderStats {
  connections: number;
  dialFailures: number;
  restarts: number;
  listening: boolean;
}

export class TcpForwarder {
  private server?: Server;
  private stopped = false;
  private sockets = new Set<Socket | Duplex>();
  private restartTimer?: NodeJS.Timeout;
  readonly stats: ForwarderStats = { connections: 0, dialFailures: 0, restarts: 0, listening: false };
  private boundPort = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    private dial: Dialer,
    private readonly onEvent: (msg: string) => void = () => {},
  ) {}

  /** Resolves once listening; rejects only if the very first listen fails for a reason other than a busy port. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((sock) => this.handle(sock));
      this.server = server;
      server.once('error', (err: NodeJS.ErrnoException) => {
        this.stats.listening = false;
        if (this.stopped) return;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
          // Busy port (a previous run's forwarder not yet gone): retry rather than give up.
          this.onEvent(`port ${this.port} busy (${err.code}); retrying`);
          this.scheduleRestart();
          resolve(this.port);
          return;
        }
        reject(err);
      });
      server.listen(this.port, this.host, () => {
        this.stats.listening = true;
        const addr = server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.port;
        server.on('error', () => this.scheduleRestart());
        server.on('close', () => {
          this.stats.listening = false;
          if (!this.stopped) this.scheduleRestart();
        });
        resolve(this.boundPort);
      });
    });
  }

  get listeningPort(): number {
    return this.boundPort;
  }

  /** Replaces the upstream (e.g. after the apiserver pod or its NodePort changed). */
  setDialer(dial: Dialer): void {
    this.dial = dial;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    this.stats.listening = false;
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    this.stats.restarts++;
    this.restartTimer = setTimeout(
      () => {
        this.restartTimer = undefined;
        if (this.stopped) return;
        this.server?.removeAllListeners();
        this.server?.close();
        void this.start().catch((err: Error) => {
          this.onEvent(`forwarder ${this.host}:${this.port} cannot listen: ${err.message}`);
          this.scheduleRestart();
        });
      },
      Math.min(5000, 250 * 2 ** Math.min(this.stats.restarts, 4)),
    );
  }

  private handle(sock: Socket): void {
    this.stats.connections++;
    this.sockets.add(sock);
    sock.pause();
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sockets.delete(sock));
    this.dial().then(
      (up) => {
        if (sock.destroyed) {
          up.destroy();
          return;
        }
        this.sockets.add(up);
        up.on('error', () => {
          up.destroy();
          sock.destroy();
        });
        up.on('close', () => {
          this.sockets.delete(up);
          sock.destroy();
        });
        sock.on('close', () => up.destroy());
        sock.pipe(up);
        up.pipe(sock);
        sock.resume();
      },
      (err: Error) => {
        // The client sees a closed connection and retries, as with a dead port-forward;
        // the next connection dials afresh, which is the "restart".
        this.stats.dialFailures++;
        this.onEvent(`forwarder ${this.host}:${this.port}: upstream dial failed: ${err.message}`);
        sock.destroy();
      },
    );
  }
}
