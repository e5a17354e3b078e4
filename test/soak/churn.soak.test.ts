// 1000 clusters tracked through churn (delete the oldest slice, re-create as many, watches
// dropped throughout): nothing fails, no duplicate names, the population stays at N and the
// heap stays flat. Runs only with SCALE_TUI_SOAK=1; size with SCALE_TUI_SOAK_CLUSTERS,
// SCALE_TUI_SOAK_CYCLES, SCALE_TUI_SOAK_SLICE. Same code as bench/soak-churn.ts.
import { describe, expect, it } from 'vitest';
import { runChurn } from '../../bench/soak-churn-lib.js';
import { freePortBlock } from '../support/ports.js';

const soak = process.env.SCALE_TUI_SOAK === '1';
const clusters = Number(process.env.SCALE_TUI_SOAK_CLUSTERS ?? 1000);
const cycles = Number(process.env.SCALE_TUI_SOAK_CYCLES ?? 10);
const slice = Number(process.env.SCALE_TUI_SOAK_SLICE ?? Math.max(1, Math.floor(clusters / 10)));

describe.skipIf(!soak)(`soak: ${clusters} clusters, ${cycles} churn cycles of ${slice}`, () => {
  it('keeps tracking every cluster with a flat heap', async () => {
    const r = await runChurn({
      clusters,
      cycles,
      slice,
      backing: Math.max(1, Math.ceil(clusters / 100)),
      nodePortBase: await freePortBlock(clusters + cycles * slice, 'nodeport'),
      log: (l) => console.log(l),
    });
    console.log(
      `churn soak: heap MiB ${r.heapMiB.map((h) => h.toFixed(1)).join(' ')}; slope ${r.slopeMiBPerCycle.toFixed(3)} MiB/cycle; ${r.seconds.toFixed(0)} s`,
    );
    expect(r.failed).toBe(0);
    expect(r.duplicateNames).toBe(0);
    expect(r.tracked.every((n) => n === clusters)).toBe(true);
    expect(r.created).toBe(clusters + cycles * slice);
    // Flat: what the trend would add over the whole soak stays under a quarter of the
    // filled heap (a leak of one cluster record per churned cluster would exceed it).
    expect(r.slopeMiBPerCycle * cycles).toBeLessThan(Math.max(16, r.heapMiB[0]! * 0.25));
  }, 3_600_000);
});
