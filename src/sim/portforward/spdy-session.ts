// One SPDY/3.1 session over a byte transport (a TCP/TLS socket after an HTTP upgrade, or the
// byte stream of a WebSocket tunnel), with each SPDY stream exposed as a Node Duplex.
//
// Why our own and not an npm SPDY library: the maintained ones (spdy, spdy-transport) are
// HTTP-over-SPDY servers built around a request/response model and have been unmaintained
// for years; Kubernetes needs only the stream layer moby/spdystream implements: SYN_STREAM /
// SYN_REPLY with headers, data with FIN half-close, RST_STREAM, PING echo and GOAWAY. Like
// spdystream it does no SPDY flow control (it neither sends nor honours WINDOW_UPDATE), so a
// Kubernetes peer sees the behaviour it is used to.
//
// Interface: new SpdySession(transport, 'server' | 'client'); 'stream' events carry peer-opened
// streams (call reply() or reset()); openStream(headers) opens one and waits for its reply;
// close() sends GOAWAY and ends the transport; 'close' fires once when the session is over.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  FLAG_FIN,
  FRAME_GOAWAY,
  FRAME_HEADERS,
  FRAME_PING,
  FRAME_RST_STREAM,
  FRAME_SYN_REPLY,
  FRAME_SYN_STREAM,
  type Frame,
  FrameParser,
  type HeaderMap,
  HeaderDeflater,
  HeaderInflater,
  MAX_DATA_CHUNK,
  RST_CANCEL,
  RST_PROTOCOL_ERROR,
  controlFrame,
  dataFrame,
  decodeHeaderPairs,
  encodeHeaderPairs,
  u32,
} from './spdy-frames.js';

export type SpdyRole = 'server' | 'client';

export class SpdyStream extends Duplex {
  replied = false;
  private remoteDone = false;
  private localDone = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: HeaderMap,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header, names compared lower-case as SPDY carries them. */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  /** Accepts a peer-opened stream (SYN_REPLY with an empty header block, as Kubernetes servers send). */
  reply(): void {
    if (this.replied) return;
    this.replied = true;
    this.session.sendControl(FRAME_SYN_REPLY, 0, Buffer.concat([u32(this.id), this.session.headerBlock({})]));
  }

  /** Refuses or aborts the stream (RST_STREAM). */
  reset(status = RST_CANCEL): void {
    this.session.sendControl(FRAME_RST_STREAM, 0, u32(this.id, status));
    this.session.forget(this.id);
    this.destroy();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    let ok = true;
    for (let at = 0; at < chunk.length; at += MAX_DATA_CHUNK) {
      ok = this.session.sendRaw(dataFrame(this.id, 0, chunk.subarray(at, at + MAX_DATA_CHUNK)));
    }
    if (ok) cb();
    else this.session.onDrain(() => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localDone = true;
    this.session.sendRaw(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
    if (this.remoteDone) this.session.forget(this.id);
    cb();
  }

  /** @internal data from the peer */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteDone) return;
    if (data.length) this.push(data);
    if (fin) this.remoteFinished();
  }

  /** @internal */
  remoteFinished(): void {
    if (this.remoteDone) return;
    this.remoteDone = true;
    this.push(null);
    if (this.localDone) this.session.forget(this.id);
  }
}

export class SpdySession extends EventEmitter {
  private readonly parser = new FrameParser();
  private readonly deflater = new HeaderDeflater();
  private readonly inflater = new HeaderInflater();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly waitingReply = new Map<number, (err?: Error) => void>();
  private readonly queue: Frame[] = [];
  private outgoing: Buffer[] = [];
  private processing = false;
  private nextStreamId: number;
  private closed = false;
  private goneAway = false;

  constructor(
    private readonly transport: Duplex,
    readonly role: SpdyRole,
  ) {
    super();
    this.nextStreamId = role === 'client' ? 1 : 2;
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    transport.on('end', () => this.shutdown());
    transport.on('close', () => this.shutdown());
    transport.on('error', () => this.shutdown());
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Feeds bytes that arrived before the session took the transport (an upgrade's head). */
  feed(bytes: Buffer): void {
    if (bytes.length) this.onBytes(bytes);
  }

  headerBlock(headers: Record<string, string | string[]>): Buffer {
    return this.deflater.compress(encodeHeaderPairs(headers));
  }

  sendControl(type: number, flags: number, payload: Buffer): boolean {
    return this.sendRaw(controlFrame(type, flags, payload));
  }

  // Frames queued in one tick leave in one transport write: an HTTP/2 answer inside the
  // forward is several TLS records, each its own SPDY frame, and one write for all of them is
  // one TLS record (and one WebSocket message) on the outer connection instead of several.
  sendRaw(frame: Buffer): boolean {
    if (this.closed || this.transport.destroyed || this.transport.writableEnded) return true;
    this.outgoing.push(frame);
    if (this.outgoing.length === 1) process.nextTick(this.flush);
    return !this.transport.writableNeedDrain;
  }

  private readonly flush = (): void => {
    if (this.outgoing.length === 0) return;
    const batch = this.outgoing.length === 1 ? this.outgoing[0]! : Buffer.concat(this.outgoing);
    this.outgoing = [];
    if (!this.transport.destroyed && !this.transport.writableEnded) this.transport.write(batch);
  };

  onDrain(cb: () => void): void {
    if (this.closed) {
      cb();
      return;
    }
    const done = (): void => {
      this.transport.off('drain', done);
      this.off('close', done);
      cb();
    };
    this.transport.once('drain', done);
    this.once('close', done);
  }

  forget(id: number): void {
    this.streams.delete(id);
    if (this.goneAway && this.streams.size === 0) this.close();
  }

  /** Opens a stream and resolves once the peer replied; rejects on RST, session end or deadline. */
  openStream(headers: Record<string, string>, timeoutMs: number): Promise<SpdyStream> {
    if (this.closed) return Promise.reject(new Error('SPDY session is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])));
    stream.replied = true; // our own stream: we never reply to it
    this.streams.set(id, stream);
    const payload = Buffer.concat([u32(id, 0), Buffer.from([0, 0]), this.headerBlock(headers)]);
    return new Promise<SpdyStream>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`timed out waiting for a reply to stream ${id}`)), timeoutMs);
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        this.waitingReply.delete(id);
        if (err) {
          this.streams.delete(id);
          stream.destroy();
          reject(err);
        } else resolve(stream);
      };
      this.waitingReply.set(id, settle);
      this.sendControl(FRAME_SYN_STREAM, 0, payload);
    });
  }

  /** GOAWAY, then the transport ends; open streams are torn down. */
  close(): void {
    if (this.closed) return;
    this.sendControl(FRAME_GOAWAY, 0, u32(0, 0));
    this.flush();
    this.transport.end();
    // The GOAWAY gets a moment to leave before the transport is torn down for good.
    setTimeout(() => this.transport.destroy(), 1000).unref();
    this.shutdown(false);
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.queue.push(...this.parser.push(chunk));
    } catch (err) {
      this.emit('protocolError', err);
      this.transport.destroy();
      return;
    }
    void this.pump();
  }

  // Frames are handled strictly in arrival order; only header blocks make this wait.
  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length && !this.closed) {
        const f = this.queue.shift()!;
        if (f.control) await this.onControl(f.type, f.flags, f.payload);
        else this.onData(f.streamId, f.flags, f.data);
      }
    } catch (err) {
      this.emit('protocolError', err);
      this.transport.destroy();
    } finally {
      this.processing = false;
    }
  }

  private async onControl(type: number, flags: number, p: Buffer): Promise<void> {
    switch (type) {
      case FRAME_SYN_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderPairs(await this.inflater.inflate(p.subarray(10)));
        const peerParity = this.role === 'server' ? 1 : 0;
        if (id % 2 !== peerParity || this.streams.has(id) || this.goneAway) {
          this.sendControl(FRAME_RST_STREAM, 0, u32(id, RST_PROTOCOL_ERROR));
          return;
        }
        const stream = new SpdyStream(this, id, headers);
        this.streams.set(id, stream);
        if (flags & FLAG_FIN) stream.remoteFinished();
        this.emit('stream', stream);
        return;
      }
      case FRAME_SYN_REPLY: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        await this.inflater.inflate(p.subarray(4));
        this.waitingReply.get(id)?.();
        if (flags & FLAG_FIN) this.streams.get(id)?.remoteFinished();
        return;
      }
      case FRAME_HEADERS: {
        // Nothing here uses late headers, but the block must pass through the shared inflater.
        await this.inflater.inflate(p.subarray(4));
        if (flags & FLAG_FIN) this.streams.get(p.readUInt32BE(0) & 0x7fffffff)?.remoteFinished();
        return;
      }
      case FRAME_RST_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const status = p.readUInt32BE(4);
        this.waitingReply.get(id)?.(new Error(`stream ${id} reset by peer (status ${status})`));
        const s = this.streams.get(id);
        this.streams.delete(id);
        s?.destroy();
        return;
      }
      case FRAME_PING: {
        // Echo the peer's pings (odd ids from a client, even from a server); ours are not sent.
        const id = p.readUInt32BE(0);
        const peerParity = this.role === 'server' ? 1 : 0;
        if (id % 2 === peerParity) this.sendControl(FRAME_PING, 0, u32(id));
        return;
      }
      case FRAME_GOAWAY:
        this.goneAway = true;
        if (this.streams.size === 0) this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, CREDENTIAL: spdystream ignores them too.
        return;
    }
  }

  private onData(id: number, flags: number, data: Buffer): void {
    const s = this.streams.get(id);
    if (!s?.replied) return;
    s.receive(data, (flags & FLAG_FIN) !== 0);
  }

  private shutdown(destroyTransport = true): void {
    if (this.closed) return;
    this.closed = true;
    for (const settle of [...this.waitingReply.values()]) settle(new Error('SPDY session closed'));
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.inflater.close();
    if (destroyTransport && !this.transport.destroyed) this.transport.destroy();
    this.emit('close');
  }
}
