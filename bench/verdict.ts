// Every bench ends the same way: each target printed with its figure and PASS or FAIL, then
// the process exits 1 when any target was missed (0 only when all were met), so
// `npm run bench` and CI see a miss instead of a line of text nobody reads.
export interface Check {
  /** What was measured against what, e.g. "writes/s ratio to etcd 1.99x >= 1.00x". */
  what: string;
  met: boolean;
}

export function verdict(bench: string, checks: Check[]): never {
  for (const c of checks) console.log(`  ${c.met ? 'PASS' : 'FAIL'} ${c.what}`);
  const missed = checks.filter((c) => !c.met).length;
  console.log(`${bench}: ${missed === 0 ? 'all targets met' : `${missed} of ${checks.length} targets missed`}`);
  process.exit(missed === 0 ? 0 : 1);
}
