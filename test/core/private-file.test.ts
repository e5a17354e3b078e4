// writePrivateFile: the one way private material reaches the disk. The mode must hold for a
// file that already existed (writeFileSync's mode option only applies on creation), the
// directories it creates are 0700, and a directory that already existed keeps its mode.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/core/pki/files.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writePrivateFile', () => {
  it('tightens a file that already existed as 0644', () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-private-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    writePrivateFile(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('creates missing directories 0700 and leaves an existing parent alone', () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-private-'));
    chmodSync(dir, 0o755);
    const file = join(dir, 'state', 'pki', 'ca.key');
    writePrivateFile(file, 'k');
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state', 'pki')).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
