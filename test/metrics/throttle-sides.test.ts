// Client-side and server-side (API priority and fairness) throttling lines are told apart,
// in every wording client-go has used, from hand-written fixtures; and the verbosity rule
// that makes counts from logs lower bounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseThrottleLine } from '../../src/metrics/throttle/parse.js';

const here = join(import.meta.dirname, 'fixtures');
const rows = (file: string): string[] =>
  readFileSync(join(here, file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));

const serverCases = rows('throttle-server-lines.txt').map((l) => {
  const [side, ms, verb, path, ...raw] = l.split('\t');
  return { side: side!, ms: Number(ms), verb: verb!, path: path!, raw: raw.join('\t') };
});

describe('server-side and retry waits', () => {
  it.each(serverCases.map((c) => [`${c.side}: ${c.raw.slice(0, 60)}`, c] as const))('%s', (_n, c) => {
    const e = parseThrottleLine(c.raw);
    expect(e).toBeDefined();
    expect(e!.side).toBe(c.side);
    expect(e!.waitMs).toBeCloseTo(c.ms, 6);
    expect(e!.verb).toBe(c.verb);
    expect(e!.path).toBe(c.path);
  });

  it('labels every client-side fixture line as the client limiter', () => {
    const client = rows('throttle-lines.txt').map((l) => l.split('\t').slice(3).join('\t'));
    expect(client.length).toBeGreaterThan(5);
    for (const raw of client) expect(parseThrottleLine(raw)?.side).toBe('client');
  });

  it('still ignores every other line', () => {
    for (const l of rows('other-lines.txt')) expect(parseThrottleLine(l)).toBeUndefined();
  });
});
