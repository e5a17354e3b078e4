import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('lines as ANSI', () => {
  it('styles each segment and resets after it', async () => {
    vi.stubEnv('NO_COLOR', '');
    const { ansiLine } = await import('../../src/ui/terminal/rows.js');
    expect(ansiLine([{ text: 'ready', color: 'ok', bold: true }, { text: ' 3' }])).toBe('\u001b[1;32mready\u001b[0m 3');
    expect(ansiLine([])).toBe(' ');
  });

  it('drops colours under NO_COLOR but keeps bold and inverse', async () => {
    vi.stubEnv('NO_COLOR', '1');
    const { ansiLine } = await import('../../src/ui/terminal/rows.js');
    expect(ansiLine([{ text: 'x', color: 'error', inverse: true, dim: true }])).toBe('\u001b[7mx\u001b[0m');
  });
});

describe('screen rows', () => {
  it('joins the pane columns side by side at fixed offsets, one row per terminal line', async () => {
    vi.stubEnv('NO_COLOR', '');
    const { screenRows } = await import('../../src/ui/terminal/rows.js');
    const { renderScreen } = await import('../../src/ui/screen.js');
    const { initialView } = await import('../../src/ui/model/reducer.js');
    const { fullState, NOW } = await import('./fixtures.js');
    const screen = renderScreen(fullState(1000), initialView(), 200, 59, NOW, 'scale-tui');
    const rows = screenRows(screen);
    expect(rows).toHaveLength(59);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what the SGR codes start with
    const plain = rows.map((r) => r.replace(/\u001b\[[0-9;]*m/g, ''));
    for (const r of plain) expect(r.length).toBeLessThanOrEqual(200);
    const [left] = screen.columns.map((c) => c.width);
    const body = plain.slice(screen.header.length, -1);
    expect(body).toHaveLength(59 - screen.header.length - 1);
    // The gap after the first column sits at the same place on every row, so the right
    // column never shifts, whatever the left one draws.
    for (const r of body) expect(r[left!]).toBe(' ');
    expect(body.filter((r) => r.slice(left! + 1).trim() !== '').length).toBeGreaterThan(10);
  });
});
