// End-to-end: the real binary, `scale-tui demo --headless --clusters 50`, on the embedded
// management cluster, emulated controllers, two backing clusters and 50 real workload
// API servers. Exit 0 only when every cluster is ready.
import { describe, expect, it } from 'vitest';
import { freePortBlock } from '../../support/ports.js';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/scale-tui.js', import.meta.url));

describe('scale-tui demo --headless', () => {
  it('creates 50 clusters, prints the timing table and exits 0', async () => {
    const base = await freePortBlock(50, 'nodeport');
    const res = await execa(
      'node',
      [BIN, 'demo', '--headless', '--clusters', '50', '--backing', '2', '--node-port-base', String(base)],
      { reject: false, timeout: 240_000, env: { FORCE_COLOR: '0' } },
    );
    const context = `stderr:\n${res.stderr}\nstdout (tail):\n${res.stdout.slice(-3000)}`;
    expect(res.exitCode, context).toBe(0);
    expect(res.stderr, context).not.toMatch(/error:/);
    const out = res.stdout;
    expect(out).toMatch(/demo: started in \d+\.\d s/);
    expect(out).toContain('| from | to | seconds |');
    for (const to of [10, 20, 30, 40, 50])
      expect(out).toMatch(new RegExp(`^\\| ${to - 10} \\| ${to} \\| \\d+\\.\\d \\|$`, 'm'));
    expect(out).toMatch(/ready 50, failed 0/);
    expect(out).toContain('not from CAPI');
  }, 270_000);

  it('rejects a bad --clusters value with a message, not a stack trace', async () => {
    const res = await execa('node', [BIN, 'demo', '--headless', '--clusters', 'lots'], {
      reject: false,
      timeout: 60_000,
    });
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toMatch(/--clusters must be a whole number/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
