// The whole screen at the sizes people use over SSH, with 1000 clusters: nothing wider
// than the terminal, nothing taller, and the panes collapse rather than garble.
import { describe, expect, it } from 'vitest';
import { computeLayout, PANES } from '../../src/ui/model/layout.js';
import { initialView, type ViewState } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import { fullState, NOW } from './fixtures.js';

const state = fullState(1000);

function screen(cols: number, rows: number, view: Partial<ViewState> = {}): string[] {
  return screenText(renderScreen(state, { ...initialView(), ...view }, cols, rows, NOW, 'scale-tui')).split('\n');
}

describe('screen sizes', () => {
  it.each([
    [80, 24],
    [100, 30],
    [120, 40],
    [200, 60],
    [60, 15],
  ])('%ix%i fits exactly', (cols, rows) => {
    const lines = screen(cols, rows);
    expect(lines.length).toBe(rows);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(cols);
  });

  it('80x24 shows the focused pane in full and the others as one-line summaries', () => {
    const lines = screen(80, 24);
    const text = lines.join('\n');
    expect(text).toMatch(/Creation progress/);
    expect(text).toMatch(/2 Controllers .*capi/);
    expect(text).toMatch(/3 Client-side throttling .*kcp 42\/min/);
    expect(text).toMatch(/4 Backing clusters .*2\/3 healthy/);
    expect(text).toMatch(/test-\d+ +\S+/); // the cluster list has rows
  });

  it('200x60 shows every pane in full, side by side', () => {
    const text = screen(200, 60).join('\n');
    for (const t of ['Creation progress', 'Controllers', 'Client-side throttling', 'Backing clusters'])
      expect(text).toContain(t);
    expect(text).toMatch(/backing-3 +DOWN/);
    expect(text).toMatch(/kubeadmcontrolplane=10 qps=20 burst=30/);

    expect(text).toMatch(/bmo .*no qps\/burst flags/);
    expect(text).toMatch(/0→100 9\.5m/);
    expect(text).toMatch(/✗ test-\d+ wait-machine: no Machine after 600 s/);
    const layout = computeLayout(200, 60, 'progress', false);
    expect(layout.columns).toHaveLength(2);
  });

  it('a zoomed controllers pane shows workqueue depth and reconcile rate', () => {
    expect(screen(200, 40, { focus: 'controllers', zoomed: true }).join('\n')).toMatch(/queue 42 3\.5 rec\/s/);
  });

  it('zoom gives the focused pane the whole body', () => {
    const lines = screen(80, 24, { focus: 'controllers', zoomed: true });
    expect(lines.join('\n')).not.toContain('Creation progress');
    expect(lines.filter((l) => /^(capi|kcp|bmo|ipam|capm3|kubeadm-bootstrap)\b/.test(l))).toHaveLength(6);
  });

  it('a tiny terminal gets a message instead of a garbled screen', () => {
    const lines = screen(30, 8);
    expect(lines[0]).toMatch(/terminal too small \(30x8\)/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(30);
  });

  it('every pane can be focused at 80x24 and keeps its summary line count', () => {
    for (const focus of PANES) expect(screen(80, 24, { focus })).toHaveLength(24);
  });

  it('the filter narrows the list and shows what it matched', () => {
    const text = screen(120, 40, { filter: 'failed' }).join('\n');
    expect(text).toMatch(/filter: failed \(\d+\)/);
    const rows = text.split('\n').filter((l) => /^test-\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('failed'))).toBe(true);
  });

  it('the help overlay lists every key', () => {
    const text = screen(120, 40, { help: true }).join('\n');
    for (const k of ['?', 'a ', 'd ', 'c ', 'r ', 'p ', ':', '/', 'l ', 'tab', 'enter', 'esc', 'q '])
      expect(text).toContain(k);
    expect(text).toMatch(/:tune CTRL/);
  });
});
