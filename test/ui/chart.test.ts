import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/ui/model/chart.js';
import { initialView } from '../../src/ui/model/reducer.js';
import { renderScreen, screenText } from '../../src/ui/screen.js';
import { fullState, NOW } from './fixtures.js';

describe('terminal bar chart', () => {
  it('scales to the maximum, fills whole rows and eighths, newest on the right', () => {
    const rows = barChart([0, 4, 8, 2], 10, 2);
    expect(rows).toEqual(['  █ ', ' ██▄']);
  });

  it('keeps only the last `width` values', () => {
    expect(barChart([9, 9, 9, 1, 1], 2, 1)).toEqual(['██']);
  });
});

describe('throughput chart in the TUI', () => {
  it('shows in a zoomed progress pane', () => {
    const s = fullState(300);
    s.readyPerMinute = [5, 10, 20, 40, 30];
    const text = screenText(renderScreen(s, { ...initialView(), zoomed: true }, 100, 40, NOW, 't'));
    expect(text).toContain('ready per minute (max 40, last 5 min)');
    expect(text).toMatch(/█/);
  });
});
