import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('lines as ANSI', () => {
  it('styles each segment and resets after it', async () => {
    vi.stubEnv('NO_COLOR', '');
    const { ansiLine } = await import('../../src/ui/components/lines.js');
    expect(ansiLine([{ text: 'ready', color: 'green', bold: true }, { text: ' 3' }])).toBe('\u001b[1;32mready\u001b[0m 3');
    expect(ansiLine([])).toBe(' ');
  });

  it('drops colours under NO_COLOR but keeps bold and inverse', async () => {
    vi.stubEnv('NO_COLOR', '1');
    const { ansiLine } = await import('../../src/ui/components/lines.js');
    expect(ansiLine([{ text: 'x', color: 'red', inverse: true, dim: true }])).toBe('\u001b[7mx\u001b[0m');
  });
});
