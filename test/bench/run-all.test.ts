// `npm run bench` must not say ok when a bench missed its target: run-all over a folder with
// one bench that meets its target and one that misses it (both ending through verdict.ts),
// and verdict's own exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const verdictPath = join(repo, 'bench', 'verdict.ts');
const dir = mkdtempSync(join(tmpdir(), 'bench-run-all-'));
// ESM like the repo's own bench folder.
writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(name: string, met: boolean): void {
  writeFileSync(
    join(dir, name),
    `import { verdict } from ${JSON.stringify(verdictPath)};\nverdict('${name}', [{ what: 'figure vs target', met: ${met} }]);\n`,
  );
}

describe('bench verdicts', () => {
  it('a missed target exits 1 and says FAIL; a met one exits 0', () => {
    bench('meets.ts', true);
    bench('misses.ts', false);
    const run = (f: string) =>
      spawnSync(process.execPath, [join(repo, 'bin', 'run-ts.js'), join(dir, f)], { encoding: 'utf8' });
    const ok = run('meets.ts');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('PASS figure vs target');
    const bad = run('misses.ts');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('FAIL figure vs target');
    expect(bad.stdout).toContain('1 of 1 targets missed');
  });

  it('counts as support only what another bench imports or spawns, not what a comment or a path names', () => {
    const listDir = mkdtempSync(join(tmpdir(), 'bench-list-'));
    try {
      writeFileSync(join(listDir, 'helper.ts'), 'export const x = 1;\n');
      writeFileSync(join(listDir, 'server.ts'), '// started by bench/load.ts\nexport {};\n');
      writeFileSync(
        join(listDir, 'load.ts'),
        "import { x } from './helper.js';\nimport '../src/core/pki/index.js';\nconst args = ['bench/server.ts', x];\n",
      );
      // "pki" appears inside another file's import path, and load.ts only in a comment.
      writeFileSync(join(listDir, 'pki.ts'), 'export {};\n');
      const r = spawnSync(
        process.execPath,
        [join(repo, 'bin', 'run-ts.js'), join(repo, 'bench', 'run-all.ts'), '--list'],
        {
          encoding: 'utf8',
          env: { ...process.env, SCALE_TUI_BENCH_DIR: listDir },
        },
      );
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([
        'support helper.ts',
        'bench   load.ts',
        'bench   pki.ts',
        'support server.ts',
      ]);
    } finally {
      rmSync(listDir, { recursive: true, force: true });
    }
  });

  it('run-all prints PASS/FAIL per bench and exits 1 when any bench failed', () => {
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'run-ts.js'), join(repo, 'bench', 'run-all.ts')], {
      encoding: 'utf8',
      env: { ...process.env, SCALE_TUI_BENCH_DIR: dir },
    });
    expect(r.stdout).toMatch(/^PASS meets\.ts/m);
    expect(r.stdout).toMatch(/^FAIL misses\.ts .*\(exit 1\)$/m);
    expect(r.stdout).toContain('1 of 2 benches FAILED');
    expect(r.status).toBe(1);
  });
});
