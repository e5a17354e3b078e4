#!/usr/bin/env node
// Runs vitest, then prints one plain closing line "tests: N passed, N failed, N skipped"
// so CI logs state the count whatever the reporter prints. Exit code is vitest's.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(tmpdir(), `scale-tui-vitest-${process.pid}.json`);
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit' });
let code = run.status ?? 1;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numTotalTests === 0) code = code || 1;
  rmSync(out, { force: true });
} catch {
  console.log('\ntests: 0 passed, 1 failed (vitest wrote no results)');
  code = code || 1;
}
process.exit(code);
