// Two in-process Duplex ends wired to each other (Node 22's stream.duplexPair, which Node 20
// lacks): what one end writes, the other reads; end() on one ends the other's readable side.
// The farm hands one end to the port-forward server and the other to the fake etcd's TLS
// layer, so no loopback socket or listener is spent per forwarded connection.
import { Duplex } from 'node:stream';

class PairEnd extends Duplex {
  peer!: PairEnd;
  private wantMore: (() => void) | undefined;

  constructor() {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    const resume = this.peer.wantMore;
    this.peer.wantMore = undefined;
    resume?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.peer.destroyed) {
      cb(new Error('the other end of the pair is closed'));
      return;
    }
    // Back-pressure: wait until the reader asks for more when its buffer is full.
    if (this.peer.push(chunk)) cb();
    else this.wantMore = () => cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const resume = this.wantMore;
    this.wantMore = undefined;
    resume?.();
    if (!this.peer.destroyed) this.peer.destroy();
    cb(err);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
