// The panes read derived data (counts, funnel, sorted and filtered list, failures, step
// timings) from the memoized selectors: redrawing the same state N times computes each once,
// a mutator's change is computed once more and shows on screen, and a redraw of an unchanged
// state is the same screen.
import { describe, expect, it } from 'vitest';
import {
  filterComputationCount,
  selectClustersByNumber,
  selectCounts,
  selectFailures,
  selectFunnel,
  selectStepQuantiles,
} from '../../src/state/selectors.js';
import { setPhase } from '../../src/state/store.js';
import { initialView } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import { fullState, NOW, storeWith } from './fixtures.js';

const selectors = { selectCounts, selectFunnel, selectClustersByNumber, selectFailures, selectStepQuantiles };
const counted = () => Object.fromEntries(Object.entries(selectors).map(([k, f]) => [k, f.computations]));
const delta = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, b[k]! - a[k]!]));
const ones = Object.fromEntries(Object.keys(selectors).map((k) => [k, 1]));

describe('panes and the memoized selectors', () => {
  it('N redraws of one state compute each figure once; a mutator, once more', () => {
    const store = storeWith(fullState(1000));
    const view = { ...initialView(), filter: 'fail' };
    const draw = () => screenText(renderScreen(store.getState(), view, 200, 60, NOW, 'scale-tui'));
    const before = counted();
    const filters = filterComputationCount();
    const first = draw();
    for (let i = 0; i < 10; i++) expect(draw()).toBe(first);
    expect(delta(before, counted())).toEqual(ones);
    expect(filterComputationCount() - filters).toBe(1);

    const ready = Object.values(store.getState().clusters).find((c) => c.phase === 'ready')!;
    const failedBefore = selectCounts(store.getState().clusters).failed;
    setPhase(store, ready.name, 'failed', NOW, { step: 'wait-machine', reason: 'no host' });
    const again = counted();
    const second = draw();
    draw();
    expect(delta(again, counted())).toEqual(ones);
    expect(second).not.toBe(first);
    expect(second).toContain(`failed ${failedBefore + 1}`);
  });
});
