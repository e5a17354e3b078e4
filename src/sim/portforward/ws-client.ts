// The client end of a WebSocket carrying binary messages, as a Duplex: enough of RFC 6455 for
// the SPDY tunnel client-go opens (masked binary frames out; binary, ping, pong and close in).
//
// Why not the `ws` package's client, which the server side uses: it accepts only RFC 7230
// tokens as subprotocols, and Kubernetes' tunnel subprotocol `SPDY/3.1+portforward.k8s.io`
// contains `/`; ws refuses to send it and refuses a server that answers with it.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const MAX_MESSAGE = 64 * 1024 * 1024;

export function websocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** Checks the server's 101 answer; returns a reason when it is not an acceptable handshake. */
export function checkHandshake(res: IncomingMessage, key: string, protocol: string): string | undefined {
  if (res.statusCode !== 101) return `unexpected status ${res.statusCode}`;
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  if (res.headers['sec-websocket-accept'] !== accept) return 'bad Sec-WebSocket-Accept';
  if (res.headers['sec-websocket-protocol'] !== protocol) {
    return `server chose subprotocol "${res.headers['sec-websocket-protocol'] ?? ''}", not ${protocol}`;
  }
  return undefined;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

class WebSocketClientStream extends Duplex {
  private pending: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closing = false;

  constructor(private readonly socket: Duplex) {
    super({ allowHalfOpen: false });
    socket.on('data', (c: Buffer) => this.onBytes(c));
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (err) => this.destroy(err));
  }

  feed(head: Buffer): void {
    if (head.length) this.onBytes(head);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.write(frame(OP_BINARY, chunk))) cb();
    else this.socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.sendClose();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  private sendClose(): void {
    if (this.closing) return;
    this.closing = true;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(1000, 0);
    if (!this.socket.destroyed) this.socket.end(frame(OP_CLOSE, body));
  }

  private onBytes(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (this.pending.length < 2) return;
      const b0 = this.pending[0]!;
      const b1 = this.pending[1]!;
      let len = b1 & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.pending.length < 4) return;
        len = this.pending.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.pending.length < 10) return;
        len = Number(this.pending.readBigUInt64BE(2));
        at = 10;
      }
      if (len > MAX_MESSAGE) {
        this.destroy(new Error('websocket frame too large'));
        return;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskAt = at;
      if (masked) at += 4;
      if (this.pending.length < at + len) return;
      let payload = this.pending.subarray(at, at + len);
      if (masked) {
        const m = this.pending.subarray(maskAt, maskAt + 4);
        payload = Buffer.from(payload.map((x, i) => x ^ m[i & 3]!));
      }
      this.pending = this.pending.subarray(at + len);
      this.onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_BINARY:
      case OP_CONTINUATION:
        this.fragments.push(payload);
        if (fin) {
          const message = Buffer.concat(this.fragments);
          this.fragments = [];
          if (message.length) this.push(message);
        }
        return;
      case OP_TEXT:
        // client-go's tunnel refuses anything but binary messages.
        this.destroy(new Error('invalid message type received'));
        return;
      case OP_PING:
        this.socket.write(frame(OP_PONG, payload));
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        this.sendClose();
        this.push(null);
        return;
      default:
        this.destroy(new Error(`unknown websocket opcode ${opcode}`));
    }
  }
}

/** Wraps a socket whose WebSocket handshake is done; `head` holds bytes that came with the 101. */
export function websocketClientStream(socket: Duplex, head: Buffer): Duplex {
  const s = new WebSocketClientStream(socket);
  s.feed(head);
  return s;
}
