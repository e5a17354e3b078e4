// The demo's cap on V8 heap growth (src/demo/heap-growth.ts): with it, a heap whose garbage is
// promoted before it dies stays near its live size; without it V8 lets it grow to several
// times that. Each case runs in its own process, since the flag holds for a whole process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from '../../src/demo/heap-growth.js';

const run = promisify(execFile);

async function churn(limit: boolean): Promise<{ peakHeapTotal: number; live: number; entries: number }> {
  const args = ['--expose-gc', 'bin/run-ts.js', 'test/demo/fixtures/heap-churn.ts', ...(limit ? ['--limit'] : [])];
  const { stdout } = await run(process.execPath, args, { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    peakHeapTotal: number;
    live: number;
    entries: number;
  };
}

describe('demo heap growth', () => {
  it('keeps the peak heap of a churning cache well under what V8 grows it to by default', async () => {
    const [free, capped] = await Promise.all([churn(false), churn(true)]);
    expect(capped.entries).toBe(60_000);
    expect(free.entries).toBe(60_000);
    // Same program, same live set: only the growth cap differs.
    expect(Math.abs(capped.live - free.live) / free.live).toBeLessThan(0.2);
    // Measured 259 vs 129 MiB peak heap on a 53 MiB live set with a larger variant; the bound
    // leaves room for GC timing while failing when the cap is not applied (then the two match).
    expect(capped.peakHeapTotal).toBeLessThan(free.peakHeapTotal * 0.75);
  }, 90_000);

  it('refuses a growth percentage V8 would not take', () => {
    expect(() => limitHeapGrowth(0)).toThrow(RangeError);
    expect(() => limitHeapGrowth(1.5)).toThrow(RangeError);
  });
});
