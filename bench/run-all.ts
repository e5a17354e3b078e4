// Runs every benchmark in bench/, one at a time (they measure the machine, so they must
// not share it), and prints each one's output followed by a summary of exit codes.
// A file that another bench file imports or spawns (shared helpers, a server it starts) is
// support, not a benchmark, so adding a benchmark needs no list to keep up to date.
// A bench passes only by exiting 0; each exits 1 on a missed target (verdict.ts), so the
// summary says PASS or FAIL per bench and this exits 1 when any failed.
// Run: npm run bench [-- name-filter]   (-- --list: which files are benches, which support)   (SCALE_TUI_BENCH_DIR runs another folder's benches: the tests)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoBench = dirname(fileURLToPath(import.meta.url));
const here = process.env.SCALE_TUI_BENCH_DIR ?? repoBench;
const list = process.argv.includes('--list');
const filter = process.argv.slice(2).find((a) => a !== '--list') ?? '';
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts');
const sources = new Map(files.map((f) => [f, readFileSync(join(here, f), 'utf8')]));
// Code only: a comment naming another bench ("the load side of bench/farm.ts") does not
// make that bench support, and a stem inside another word ("pki" in "../src/core/pki/") does
// not either. Support is what another file imports ('./x.js') or spawns ('bench/x.ts').
const code = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l))
    .join('\n');
const isSupport = (f: string): boolean => {
  const stem = basename(f, '.ts');
  const named = new RegExp(`['"\`](?:\\./${stem}\\.js|bench/${stem}\\.ts)['"\`]`);
  return [...sources].some(([other, text]) => other !== f && named.test(code(text)));
};
const benches = files.filter((f) => !isSupport(f) && f.includes(filter)).sort();
if (list) {
  for (const f of files.slice().sort()) console.log(`${isSupport(f) ? 'support' : 'bench  '} ${f}`);
  process.exit(0);
}

const results: Array<{ name: string; code: number | null; seconds: number }> = [];
for (const name of benches) {
  console.log(`\n=== ${name}`);
  const started = performance.now();
  // Production React, as bin/scale-tui.js runs it; --expose-gc for the heap-trend figures.
  // The hour is for demo-1000, which takes about half of it.
  const r = spawnSync(process.execPath, ['--expose-gc', join(repoBench, '..', 'bin', 'run-ts.js'), join(here, name)], {
    stdio: 'inherit',
    timeout: 60 * 60_000,
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' },
  });
  results.push({ name, code: r.status, seconds: (performance.now() - started) / 1000 });
}
console.log('\n=== summary');
for (const r of results)
  console.log(
    `${r.code === 0 ? 'PASS' : 'FAIL'} ${r.name.padEnd(28)} ${r.seconds.toFixed(1)} s${r.code === 0 ? '' : ` (${r.code === null ? 'killed or timed out' : `exit ${String(r.code)}`})`}`,
  );
const failed = results.filter((r) => r.code !== 0).length;
console.log(
  results.length === 0
    ? `no bench matched "${filter}"`
    : failed === 0
      ? `all ${results.length} benches passed`
      : `${failed} of ${results.length} benches FAILED`,
);
process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
