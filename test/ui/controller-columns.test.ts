// The controllers pane is drawn from its column declarations (model/columns.ts), sparklines
// included as a column kind, like the clusters and backing panes: a column added to the
// list shows in the header and every row, a sparkline column takes the width the pane
// leaves, and `s` / `:sort` skip sparklines (they have no order). Before, the pane's rows
// were hand-drawn and only sorting and wide mode read the column data.
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerStatus } from '../../src/state/store.js';
import { type Column, CONTROLLER_COLUMNS, nextSortColumn } from '../../src/ui/model/columns.js';
import { initialView, type KeyPress, keyContext, reduceKey, type ViewState } from '../../src/ui/model/reducer.js';
import { lineText } from '../../src/ui/model/text.js';
import { controllersPane } from '../../src/ui/views/controllers.js';
import { fullState, NOW } from './fixtures.js';

const state = fullState(20);
// Thirty samples: more than any sparkline shows, so each fills its width exactly.
const rising = Array.from({ length: 30 }, (_, i) => 100 + i * 10);
state.controllers.kcp = {
  ...state.controllers.kcp!,
  cpuMillicores: rising,
  memoryBytes: rising.map((x) => x * 2 ** 20),
};
const pane = (view: Partial<ViewState> = {}, width = 200) =>
  controllersPane({ state, view: { ...initialView(), ...view }, width, height: 12, now: NOW }, true).map(lineText);
const rowOf = (lines: string[], id: string) => lines.find((l) => l.startsWith(`${id} `));

let added: Column<ControllerStatus> | undefined;
afterEach(() => {
  if (added) CONTROLLER_COLUMNS.splice(CONTROLLER_COLUMNS.indexOf(added), 1);
  added = undefined;
});

describe('controllers pane: columns as data', () => {
  it('a column added to CONTROLLER_COLUMNS shows in the header and in each row', () => {
    added = { id: 'restarts', title: 'restarts', width: 9, gap: 1, text: (c) => `R${String(c.id).length}` };
    CONTROLLER_COLUMNS.splice(3, 0, added);
    const lines = pane();
    expect(lines.some((l) => /controller\s+cpu\s+restarts/.test(l))).toBe(true);
    expect(rowOf(lines, 'kcp')).toMatch(/^kcp\s+390m [▁▂▃▄▅▆▇█]+ R3\s+390Mi /);
  });

  it('sparkline columns draw each series in the width the pane leaves them', () => {
    const kcp = state.controllers.kcp!;
    expect(kcp.cpuMillicores.length).toBeGreaterThan(4);
    const cpuCol = CONTROLLER_COLUMNS.find((c) => c.id === 'cpu-history')!;
    expect(cpuCol.series!(kcp)).toBe(kcp.cpuMillicores);
    // 200 columns: both at their 16-character maximum; 95: (95 - 75) / 2 = 10 each.
    for (const [width, spark] of [
      [200, 16],
      [95, 10],
    ] as const) {
      const row = rowOf(pane({}, width), 'kcp')!;
      const glyphs = row.match(/[▁▂▃▄▅▆▇█]+/g) ?? [];
      expect(
        glyphs.map((g) => g.length),
        `width ${width}`,
      ).toEqual([spark, spark]);
    }
    const narrow = rowOf(pane({}, 70), 'kcp')!;
    expect(narrow).not.toMatch(/[▁▂▃▄▅▆▇█]/);
  });

  it('sorting skips the sparkline columns; :sort refuses them; wide mode adds the namespace column', () => {
    expect(nextSortColumn('controllers', { column: 'cpu', desc: false }, false)).toEqual({
      column: 'mem',
      desc: false,
    });
    const ctx = keyContext(state, { now: NOW });
    let v: ViewState = { ...initialView(), focus: 'controllers' };
    for (const ch of [':', ...'sort cpu-history']) v = reduceKey(v, ch, {} as KeyPress, ctx).view;
    v = reduceKey(v, '', { return: true }, ctx).view;
    expect(v.sort.controllers.column).toBe('controller');
    expect(JSON.stringify(v)).toMatch(/controllers has no column cpu-history/);
    expect(rowOf(pane({ wide: true }), 'kcp')).toContain(`${state.controllers.kcp!.namespace}/`);
    expect(rowOf(pane(), 'kcp')).not.toContain(`${state.controllers.kcp!.namespace}/`);
  });
});
