// The demo at full scale: 1000 clusters on this machine. Prints the time per 100 clusters
// (the seed README's table shape), the ratio last/first 100, startup time and peak RSS.
// Figures come from the simulator's cost model on a compressed time scale, not from CAPI.
// A full run takes about 37 minutes here: the model makes each 100 slower than the last.
//
// Target (issue 15): with 1000 clusters, peak RSS under 800 MiB. The reference is the
// stated 1196 MiB, the demo's peak RSS at 1000 clusters on the tree before the farm, when
// each workload cluster had an embedded API server instance of its own. That tree is not
// this one and the per-cluster API server path is gone from the demo (the farm replaced it
// in src/demo/simulation.ts), so this bench cannot re-measure its reference in the same
// run: it prints the ratio to the stated figure. The target is defined at 1000 clusters; a
// run with fewer checks the same bound and says that it ran fewer. Exits 1 when the peak is
// not under 800 MiB or not every cluster got ready.
// usage: node bin/run-ts.js bench/demo-1000.ts [clusters=1000] [backing=10] [engineConcurrency=50] [--defaults] [--with=CONTROLLER:ARG,ARG...] [--node-port-base=30000]
// --defaults starts the controllers at v1.14's defaults instead of the seed's §10 patch;
// --with adds args for one controller (repeatable), e.g. the seed-era KCP:
//   --with=kcp:--kubeadmcontrolplane-concurrency=10,--kube-api-qps=20,--kube-api-burst=30
// or CAPM3 above the 20 QPS the patch leaves it at: --with=capm3:--kube-api-qps=200,--kube-api-burst=300
import { startDemoWorld } from '../src/demo/run.js';
import { SEED_PATCH_ARGS } from '../src/demo/manifests.js';
import { renderTimingTable, timingTable } from '../src/demo/timing.js';
import { verdict } from './verdict.js';

const MiB = 1048576;
/** The issue's target: peak RSS under this with 1000 clusters. */
const TARGET_MIB = 800;
/** The issue's stated figure for the tree before the farm (not measured by this run). */
const REFERENCE_MIB = 1196;
const TARGET_CLUSTERS = 1000;

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const clusters = Number(args[0] ?? 1000);
const backing = Number(args[1] ?? 10);
const concurrency = Number(args[2] ?? 50);
const seedPatch = !process.argv.includes('--defaults');
// Another run on this machine may hold 30000+: --node-port-base=N moves this one's NodePorts.
const nodePortBase = Number(
  process.argv.find((a) => a.startsWith('--node-port-base='))?.slice('--node-port-base='.length) ?? 30000,
);
const extra: Record<string, string[]> = {};
for (const a of process.argv.filter((x) => x.startsWith('--with='))) {
  const [id, list] = a.slice('--with='.length).split(/:(.*)/s);
  if (!id || !list) {
    console.error(`${a}: expected --with=CONTROLLER:ARG[,ARG...], e.g. --with=kcp:--kube-api-qps=20`);
    process.exit(2);
  }
  extra[id] = [...(extra[id] ?? []), ...list.split(',')];
}
const base: Record<string, string[]> = seedPatch ? { ...SEED_PATCH_ARGS } : {};
// Later flags win when the controller parses its args, so --with overrides the patch.
const initialArgs = Object.fromEntries(
  [...new Set([...Object.keys(base), ...Object.keys(extra)])].map((id) => [
    id,
    [...(base[id] ?? []), ...(extra[id] ?? [])],
  ]),
);

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
const world = await startDemoWorld({
  clusters,
  backing,
  headless: true,
  concurrency,
  args: initialArgs,
  nodePortBase,
});
console.log(
  `startup ${(world.startupMs / 1000).toFixed(2)} s; ${clusters} clusters, ${backing} backing, engine concurrency ${concurrency}, controllers ${seedPatch ? 'with the seed §10 patch' : 'at v1.14 defaults'}${Object.keys(extra).length ? `, plus ${JSON.stringify(extra)}` : ''}`,
);
const started = Date.now();
const progress = setInterval(() => {
  const cs = Object.values(world.store.getState().clusters);
  const ready = cs.filter((c) => c.phase === 'ready').length;
  const managers = [...world.sim.controllers.managers.values()];
  const throttled = managers.map((m) => `${m.identity.id}:${m.stats.throttled}`).join(' ');
  const cpuQueue =
    managers
      .filter((m) => m.cpuQueued > 0)
      .map((m) => `${m.identity.id}:${m.cpuQueued}`)
      .join(' ') || 'none';
  const queued =
    managers
      .filter((m) => m.queueDepth > 0)
      .map((m) => `${m.identity.id}:${m.queueDepth}`)
      .join(' ') || 'none';
  const reconciles = managers.map((m) => `${m.identity.id}:${m.stats.reconciles}`).join(' ');
  console.log(
    `  ${((Date.now() - started) / 1000).toFixed(0)} s ready ${ready} rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB throttled ${throttled}; queued ${queued}; waiting for a core ${cpuQueue}; reconciles ${reconciles}`,
  );
}, 30_000);
const batch = await world.engine.addBatch({ count: clusters });
clearInterval(progress);
const summary = timingTable(Object.values(world.store.getState().clusters), started, 100);
console.log(renderTimingTable(summary));
const first = summary.rows[0]?.seconds ?? 0;
const last = summary.rows[summary.rows.length - 1]?.seconds ?? 0;
// Why clusters failed, grouped (a miss should say what to look at, not only how many).
const reasons = new Map<string, number>();
for (const f of batch.failures) {
  const key = `${f.step}: ${f.reason.slice(0, 160)}`;
  reasons.set(key, (reasons.get(key) ?? 0) + 1);
}
for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  failed ${n}x at ${why}`);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
clearInterval(rssTimer);
const peakMiB = peakRss / MiB;
console.log(
  `ready ${batch.ready}/${clusters}, failed ${batch.failed}; last/first 100 ratio ${(first ? last / first : 0).toFixed(2)}; peak RSS ${peakMiB.toFixed(0)} MiB`,
);
console.log(
  `peak RSS ${peakMiB.toFixed(0)} MiB vs stated reference ${REFERENCE_MIB} MiB (the tree before the farm, 1000 clusters; not re-measured here): ratio ${(peakMiB / REFERENCE_MIB).toFixed(2)}x${clusters === TARGET_CLUSTERS ? '' : `; this run had ${clusters} clusters, the target is defined at ${TARGET_CLUSTERS}`}`,
);
await world.stop();
verdict('demo-1000', [
  { what: `ready ${batch.ready} of ${clusters} clusters`, met: batch.ready === clusters },
  { what: `peak RSS ${peakMiB.toFixed(0)} MiB < ${TARGET_MIB} MiB`, met: peakMiB < TARGET_MIB },
]);
