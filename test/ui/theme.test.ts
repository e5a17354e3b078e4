// Colours by meaning: panes name a tone, the theme picks the terminal colour, a light
// theme keeps text readable on white, and NO_COLOR still drops every colour.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('themes', () => {
  it('the light theme draws warnings without yellow; dark keeps yellow', async () => {
    vi.stubEnv('NO_COLOR', '');
    const { ansiLine } = await import('../../src/ui/terminal/rows.js');
    const { setTheme } = await import('../../src/ui/theme.js');
    setTheme('dark');
    expect(ansiLine([{ text: 'w', color: 'warn' }])).toBe('\u001b[33mw\u001b[0m');
    setTheme('light');
    expect(ansiLine([{ text: 'w', color: 'warn' }])).toBe('\u001b[35mw\u001b[0m');
    expect(ansiLine([{ text: 'a', color: 'accent' }])).toBe('\u001b[34ma\u001b[0m');
    setTheme('dark');
  });

  it('NO_COLOR drops the colours of either theme', async () => {
    vi.stubEnv('NO_COLOR', '1');
    const { ansiLine } = await import('../../src/ui/terminal/rows.js');
    const { setTheme } = await import('../../src/ui/theme.js');
    setTheme('light');
    expect(ansiLine([{ text: 'x', color: 'error', bold: true }])).toBe('\u001b[1mx\u001b[0m');
    setTheme('dark');
  });

  it('no pane names a terminal colour: only tones', () => {
    const dir = resolve(import.meta.dirname, '..', '..', 'src', 'ui');
    const files = ['views', 'model'].flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
    for (const f of [...files, join(dir, 'screen.ts')])
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/color: '(red|green|yellow|cyan|magenta|blue|white|gray)'/);
  });
});
