// `scale-tui --version` prints the package's version and exits 0.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

describe('scale-tui --version', () => {
  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { stdout } = await run(process.execPath, ['bin/scale-tui.js', flag], { cwd: root });
      expect(stdout.trim()).toBe(version);
    }
  }, 30_000);
});
