// Heap trend under churn: fill N clusters, then delete and re-create a slice per cycle.
// Prints heap samples (each after a forced GC) and the slope:
//   node bin/run-ts.js bench/soak-churn.ts [clusters=1000] [cycles=10] [slice=100] [backing=10]
import { runChurn } from './soak-churn-lib.js';

const [clusters = 1000, cycles = 10, slice = 100, backing = 10] = process.argv.slice(2).map(Number);
const r = await runChurn({ clusters, cycles, slice, backing, nodePortBase: 30000, log: (l) => console.log(`  ${l}`) });
console.log(`heap MiB per sample: ${r.heapMiB.map((h) => h.toFixed(1)).join(' ')}`);
console.log(
  `slope ${r.slopeMiBPerCycle.toFixed(3)} MiB/cycle (${((r.slopeMiBPerCycle / slice) * 1024).toFixed(1)} KiB per cluster churned); created ${r.created}, deleted ${r.deleted}, failed ${r.failed}, duplicate names ${r.duplicateNames}, watch drops ${r.watchDrops ? 'on' : 'off'}, ${r.seconds.toFixed(0)} s`,
);
process.exit(r.failed || r.duplicateNames ? 1 : 0);
