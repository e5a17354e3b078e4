// `scale-tui --prometheus URL`: a URL Prometheus cannot be reached at is a usage error,
// said before anything connects: one error line, one fix line, exit 2.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

describe('--prometheus', () => {
  it.each(['ftp://prometheus:9090', 'not a url'])('refuses %s with error and fix lines', (url) => {
    const r = spawnSync(process.execPath, ['bin/scale-tui.js', 'ui', '--prometheus', url], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: --prometheus .*(not a URL|only http and https)/);
    expect(lines[1]).toMatch(/^fix: Give the Prometheus base URL/);
  });
});
