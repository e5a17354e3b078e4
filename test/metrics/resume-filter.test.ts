import { describe, expect, it } from 'vitest';
import { ResumeFilter } from '../../src/metrics/sources/resume-filter.js';

describe('log follow resume', () => {
  it('drops the overlap a reconnect replays and nothing after it', () => {
    const f = new ResumeFilter();
    const first = ['a 01.000001', 'b 01.500000', 'c 01.900000'];
    expect(first.map((l) => f.accept(l))).toEqual([true, true, true]);
    f.reconnect();
    // sinceSeconds rounds back to the second: b and c come again, then d is new; a later
    // line identical to an old one (same text after the overlap) is not dropped.
    expect(['b 01.500000', 'c 01.900000', 'd 02.000000', 'a 01.000001'].map((l) => f.accept(l))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('drops nothing on the first stream, and forgets lines beyond its memory', () => {
    const f = new ResumeFilter(2);
    expect(['x', 'x'].map((l) => f.accept(l))).toEqual([true, true]);
    f.accept('y');
    f.accept('z');
    f.reconnect();
    expect(f.accept('x')).toBe(true); // only y and z are remembered
  });
});
