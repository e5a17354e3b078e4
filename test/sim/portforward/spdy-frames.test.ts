// SPDY/3 framing pieces that a Go peer depends on byte for byte: the header dictionary
// (length and zlib dictionary id from the specification), our stored-block header
// compression (any zlib reader primed with the dictionary must read it, block after block,
// and each block must end on a sync-flush marker so Go's inflater stops at the frame's end),
// the peer's compressed blocks through one shared inflater, and frame parsing across chunk
// boundaries.
import { constants as zc, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from '../../../src/sim/portforward/spdy-dictionary.js';
import {
  FLAG_FIN,
  FRAME_SYN_STREAM,
  FrameParser,
  HeaderDeflater,
  HeaderInflater,
  controlFrame,
  dataFrame,
  decodeHeaderPairs,
  encodeHeaderPairs,
} from '../../../src/sim/portforward/spdy-frames.js';

function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

describe('SPDY/3 framing', () => {
  it('builds the specification’s 1423-byte dictionary (zlib dictionary id 0xe3c6a7c2)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY3_DICTIONARY).toString(16)).toBe('e3c6a7c2');
  });

  it('writes header blocks a zlib reader with the dictionary reads one after another', () => {
    const d = new HeaderDeflater();
    const blocks = [
      d.compress(encodeHeaderPairs({ streamType: 'error', port: '2379', requestID: '0' })),
      d.compress(encodeHeaderPairs({})),
      d.compress(encodeHeaderPairs({ streamType: 'data', port: '2379', requestID: '0' })),
    ];
    // Each block ends with the empty stored block zlib's Z_SYNC_FLUSH writes.
    for (const b of blocks) expect(b.subarray(-5).toString('hex')).toBe('000000ffff');
    const all = inflateSync(Buffer.concat(blocks), { dictionary: SPDY3_DICTIONARY, finishFlush: zc.Z_SYNC_FLUSH });
    const first = decodeHeaderPairs(all);
    expect(first.get('streamtype')).toEqual(['error']);
    expect(first.get('requestid')).toEqual(['0']);
    const sizes = blocks.map(
      (_, i) =>
        encodeHeaderPairs(
          [
            { streamType: 'error', port: '2379', requestID: '0' },
            {},
            { streamType: 'data', port: '2379', requestID: '0' },
          ][i]!,
        ).length,
    );
    expect(all.length).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(decodeHeaderPairs(all.subarray(sizes[0]! + sizes[1]!)).get('streamtype')).toEqual(['data']);
  });

  it('reads a peer’s dictionary-compressed blocks through one inflater, in order', async () => {
    // What a Go peer sends: one zlib stream with the dictionary, sync-flushed per block.
    const raw1 = encodeHeaderPairs({ streamType: 'error', port: '6443', requestID: '7' });
    const raw2 = encodeHeaderPairs({ streamType: 'data', port: '6443', requestID: '7' });
    const whole = deflateSync(Buffer.concat([raw1, raw2]), { dictionary: SPDY3_DICTIONARY });
    const inflater = new HeaderInflater();
    // Split at an arbitrary point: the inflater keeps state between blocks.
    const [a, b] = [whole.subarray(0, 20), whole.subarray(20)];
    const out = Buffer.concat([await inflater.inflate(a), await inflater.inflate(b)]);
    inflater.close();
    expect(out.equals(Buffer.concat([raw1, raw2]))).toBe(true);
  });

  it('parses frames split across transport chunks', () => {
    const p = new FrameParser();
    const bytes = Buffer.concat([
      controlFrame(FRAME_SYN_STREAM, 0, Buffer.alloc(12)),
      dataFrame(3, FLAG_FIN, Buffer.from('hello')),
    ]);
    const frames = [...p.push(bytes.subarray(0, 5)), ...p.push(bytes.subarray(5, 23)), ...p.push(bytes.subarray(23))];
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ control: true, type: FRAME_SYN_STREAM });
    expect(frames[1]).toMatchObject({ control: false, streamId: 3, flags: FLAG_FIN });
    expect(frames[1]!.control ? '' : frames[1]!.data.toString()).toBe('hello');
  });
});
