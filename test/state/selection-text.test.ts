// One parser for selection text (src/state/selection.ts parseSelectionText): the TUI's delete
// dialog and the CLI's `--clusters` read `test-3..test-40`, `last`, names… the same way, so the
// same text deletes the same clusters from either face. The dialog is driven through its real
// key reducer; the CLI through its real parseClusters.
import { describe, expect, it } from 'vitest';
import { parseClusters } from '../../src/cli/commands/delete.js';
import type { ClusterRecord, ClusterSelection } from '../../src/core/types.js';
import { parseSelectionText, resolveSelection } from '../../src/state/selection.js';
import { createScaleStore, type ScaleState, upsertCluster } from '../../src/state/store.js';
import { describeClusters } from '../../src/ui/model/derive.js';
import { initialView, keyContext, reduceKey, type ViewState } from '../../src/ui/model/reducer.js';

function rec(n: number, batchId: string): ClusterRecord {
  return { name: `test-${n}`, number: n, namespace: `test-${n}`, batchId, phase: 'ready', transitions: {} };
}

function world(): ScaleState {
  const store = createScaleStore();
  for (const n of [1, 2, 3, 7, 40, 41]) upsertCluster(store, rec(n, n <= 3 ? 'b-1' : 'b-2'));
  store.setState({
    batches: [
      { id: 'b-1', requested: 3, clusters: ['test-1', 'test-2', 'test-3'], backing: 'auto', startedAt: 1 },
      { id: 'b-2', requested: 3, clusters: ['test-7', 'test-40', 'test-41'], backing: 'auto', startedAt: 2 },
    ],
  });
  return store.getState();
}

/** What the dialog asks to confirm after typing `text` and enter, or its error line. */
function dialogAnswer(state: ScaleState, text: string): { summary: string } | { error: string } {
  const ctx = keyContext(state, { now: 0 });
  const view: ViewState = { ...initialView(), dialog: { kind: 'delete', text } };
  const r = reduceKey(view, '', { return: true }, ctx);
  const d = r.view.dialog;
  if (d?.kind === 'confirm-delete') return { summary: d.summary };
  if (d?.kind === 'delete' && d.error) return { error: d.error };
  throw new Error(`dialog in an unexpected state: ${JSON.stringify(d)}`);
}

/** What the CLI would delete for `--clusters text`, or its error line. */
function cliAnswer(state: ScaleState, text: string): { summary: string } | { error: string } {
  let sel: ClusterSelection;
  try {
    sel = parseClusters(text, 'test');
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { summary: describeClusters(resolveSelection(state, sel)) };
}

describe('selection text: the dialog and the CLI agree', () => {
  const state = world();
  it.each([
    ['test-3..test-40', 'test-3, test-7, test-40 (3 clusters)'],
    ['3..40', 'test-3, test-7, test-40 (3 clusters)'],
    ['test-3 .. 40', 'test-3, test-7, test-40 (3 clusters)'],
    ['last', 'test-7, test-40, test-41 (3 clusters)'],
    ['all', 'test-1, test-2 … test-41 (6 clusters)'],
    ['batch b-1', 'test-1, test-2, test-3 (3 clusters)'],
    ['test-1,test-7', 'test-1, test-7 (2 clusters)'],
    ['test-1, test-7', 'test-1, test-7 (2 clusters)'],
  ])('%s selects the same clusters', (text, summary) => {
    expect(dialogAnswer(state, text)).toEqual({ summary });
    expect(cliAnswer(state, text)).toEqual({ summary });
  });

  it.each([
    ['test-40..test-3', /ends before it starts/],
    ['Test_1', /not a cluster name/],
    [',', /not a range or a list/],
    ['test-1..other-5', /mixes prefixes/],
  ])('%s is refused by both', (text, message) => {
    const d = dialogAnswer(state, text);
    const c = cliAnswer(state, text);
    expect('error' in d && d.error).toMatch(message);
    expect('error' in c && c.error).toMatch(message);
  });

  it('gives a fix with every refusal, and the written prefix with a range', () => {
    expect(parseSelectionText('test-40..test-3')).toMatchObject({ ok: false, fix: /test-3\.\.test-40/ });
    expect(parseSelectionText('')).toMatchObject({ ok: false, fix: /last/ });
    expect(parseSelectionText('test-3..test-40')).toEqual({
      ok: true,
      selection: { kind: 'range', from: 3, to: 40 },
      prefix: 'test',
    });
    // the CLI knows the run's prefix and refuses another run's range before connecting
    expect(parseSelectionText('other-3..other-5', { prefix: 'test' })).toMatchObject({
      ok: false,
      error: /named test-N/,
      fix: /test-3\.\.test-5/,
    });
  });
});
