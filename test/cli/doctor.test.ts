// Runs the real binary the way a user does, on a PATH without docker, kind or clusterctl.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('scale-tui doctor (real binary)', () => {
  it('prints a checklist of what is missing with fixes and exits non-zero', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'scale-tui-doctor-'));
    try {
      // Only node and the real kubectl are on PATH.
      symlinkSync('/usr/bin/kubectl', join(bin, 'kubectl'));
      symlinkSync(process.execPath, join(bin, 'node'));
      const r = await execa(process.execPath, ['bin/scale-tui.js', 'doctor'], {
        reject: false,
        env: { PATH: bin },
        extendEnv: true,
      });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(/\[FAIL\] docker\s+docker is not installed/);
      expect(r.stdout).toMatch(/\[FAIL\] kind\s+kind is not installed\n\s+fix: Install kind/);
      expect(r.stdout).toMatch(
        /\[FAIL\] clusterctl\s+clusterctl is not installed\n\s+fix: Install clusterctl v1\.14\.0/,
      );
      expect(r.stdout).toMatch(/\[ok {2}\] kubectl\s+v\d+\.\d+/);
      expect(r.stdout).toMatch(/\[warn\] etcdctl\s+not installed/);
      expect(r.stdout).toMatch(/problem\(s\) must be fixed before a real run/);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
