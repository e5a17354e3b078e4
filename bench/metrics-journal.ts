// Journal cost of followed throttling: every parsed wait is one 'throttle' event appended
// synchronously (crash-safe by design), so 10 controllers x 1000 lines/s means 10k appends
// a second on the sampler's thread. Prints appends/s against that load.
// Run: node bin/run-ts.js bench/metrics-journal.ts [events]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, readJournal } from '../src/core/journal/journal.js';
import { buildReport } from '../src/metrics/report/build.js';
import { verdict } from './verdict.js';

const N = Number(process.argv[2] ?? 200_000);
const LOAD_PER_S = 10 * 1000; // issue 7: 10 controllers x 1000 throttling lines/s
const dir = mkdtempSync(join(tmpdir(), 'metrics-journal-'));
try {
  const j = new Journal(join(dir, 'journal.jsonl'));
  const t0 = Date.now();
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const n = i % 1000;
    j.append({
      t: t0 + i,
      type: 'throttle',
      controller: `c${i % 10}`,
      waitMs: (i % 900) + 50,
      verb: 'GET',
      path: `/api/v1/namespaces/test-${n}/secrets/test-${n}-ca`,
    });
  }
  j.close();
  const s = (performance.now() - start) / 1000;
  const r0 = performance.now();
  const report = buildReport(readJournal(join(dir, 'journal.jsonl')));
  const rs = (performance.now() - r0) / 1000;
  console.log(
    `metrics-journal: ${N} throttle events appended in ${s.toFixed(2)} s = ${Math.round(N / s)} appends/s; ratio to ${LOAD_PER_S}/s load ${(N / s / LOAD_PER_S).toFixed(1)}x`,
  );
  console.log(
    `metrics-journal: report over them in ${rs.toFixed(2)} s = ${Math.round(N / rs)} events/s (${report.throttling.length} controllers)`,
  );
  rmSync(dir, { recursive: true, force: true });
  verdict('metrics-journal', [
    { what: `${Math.round(N / s)} appends/s >= the ${LOAD_PER_S}/s load`, met: N / s >= LOAD_PER_S },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
