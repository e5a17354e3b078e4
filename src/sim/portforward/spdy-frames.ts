// SPDY/3.1 framing as Kubernetes' streaming code (moby/spdystream over Go's spdy framer) puts
// it on the wire: 8-byte frame headers, big-endian fields, header blocks as name/value pairs
// compressed with one zlib stream per direction primed with the SPDY/3 dictionary.
//
// Why the two directions differ: what we send is compressed with stored (uncompressed)
// deflate blocks, written synchronously, so a frame is whole the moment it is queued and
// frames keep their order without an async compressor in the write path; any zlib reader
// accepts stored blocks. What the peer sends is real deflate output and goes through Node's
// zlib with the dictionary; inflating is async, so the session awaits it in frame order.
import { constants as zc, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_VERSION = 3;
export const FRAME_SYN_STREAM = 1;
export const FRAME_SYN_REPLY = 2;
export const FRAME_RST_STREAM = 3;
export const FRAME_SETTINGS = 4;
export const FRAME_PING = 6;
export const FRAME_GOAWAY = 7;
export const FRAME_HEADERS = 8;
export const FRAME_WINDOW_UPDATE = 9;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RST_PROTOCOL_ERROR = 1;
export const RST_INVALID_STREAM = 2;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;
export const RST_INTERNAL_ERROR = 6;

/** A frame larger than this is a protocol error (Go's framer allows 2^24-1; real peers send far less). */
const MAX_FRAME_PAYLOAD = 0xffffff;
/** Data frames we send are cut at this size, as spdystream's writes are bounded by its callers' buffers. */
export const MAX_DATA_CHUNK = 32 * 1024;

export type Frame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; data: Buffer };

export type HeaderMap = Map<string, string[]>;

/** Accumulates transport bytes and yields whole frames. */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.pending.length >= 8) {
      const len = this.pending.readUIntBE(5, 3);
      if (len > MAX_FRAME_PAYLOAD) throw new Error('frame too large');
      if (this.pending.length < 8 + len) break;
      const head = this.pending.readUInt32BE(0);
      const flags = this.pending[4]!;
      const body = this.pending.subarray(8, 8 + len);
      if (head & 0x80000000) {
        const version = (head >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
        out.push({ control: true, type: head & 0xffff, flags, payload: body });
      } else {
        out.push({ control: false, streamId: head & 0x7fffffff, flags, data: body });
      }
      this.pending = this.pending.subarray(8 + len);
    }
    return out;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(8 + payload.length);
  b.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  b[4] = flags;
  b.writeUIntBE(payload.length, 5, 3);
  payload.copy(b, 8);
  return b;
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const b = Buffer.allocUnsafe(8 + data.length);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b[4] = flags;
  b.writeUIntBE(data.length, 5, 3);
  data.copy(b, 8);
  return b;
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(4 * values.length);
  for (let i = 0; i < values.length; i++) b.writeUInt32BE(values[i]! >>> 0, 4 * i);
  return b;
}

/** The uncompressed name/value block: count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderPairs(headers: Record<string, string | string[]>): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(Array.isArray(value) ? value.join('\0') : value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderPairs(raw: Buffer): HeaderMap {
  const out: HeaderMap = new Map();
  let at = 0;
  const need = (n: number): void => {
    if (at + n > raw.length) throw new Error('truncated header block');
  };
  need(4);
  const count = raw.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = raw.readUInt32BE(at);
    at += 4;
    need(nl);
    const name = raw.toString('utf8', at, at + nl).toLowerCase();
    at += nl;
    need(4);
    const vl = raw.readUInt32BE(at);
    at += 4;
    need(vl);
    const values = raw.toString('utf8', at, at + vl).split('\0');
    at += vl;
    out.set(name, [...(out.get(name) ?? []), ...values]);
  }
  return out;
}

/** Our side of the header compression: a zlib stream of stored blocks (see the file comment). */
export class HeaderDeflater {
  private started = false;

  compress(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    // zlib header: deflate, 32K window, no preset dictionary (FDICT clear), check bits valid.
    if (!this.started) parts.push(Buffer.from([0x78, 0x01]));
    this.started = true;
    for (let at = 0; at < raw.length || at === 0; at += 0xffff) {
      const piece = raw.subarray(at, at + 0xffff);
      const hdr = Buffer.allocUnsafe(5);
      hdr[0] = 0x00; // BFINAL=0, BTYPE=00 (stored), padded to the byte boundary
      hdr.writeUInt16LE(piece.length, 1);
      hdr.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(hdr, piece);
      if (raw.length === 0) break;
    }
    // An empty stored block ends each header block, as zlib's Z_SYNC_FLUSH does: Go's inflater
    // hands out a stored block's bytes only when it reaches the next block boundary, so without
    // it the reader would run past the frame and break the session's zlib stream.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The peer's header compression: one inflate stream for the session, primed with the dictionary. */
export class HeaderInflater {
  private readonly z: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private chain: Promise<unknown> = Promise.resolve();

  constructor() {
    // Errors surface through the pending inflate() promise; this keeps them off the process.
    this.z.on('error', () => {});
  }

  inflate(block: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        this.z.once('error', onError);
        this.z.write(block);
        // Paused mode: output waits in the readable buffer until read after the flush.
        this.z.flush(zc.Z_SYNC_FLUSH, () => {
          this.z.off('error', onError);
          const chunks: Buffer[] = [];
          for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null) chunks.push(c);
          resolve(Buffer.concat(chunks));
        });
      });
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.destroy();
  }
}
