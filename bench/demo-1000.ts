// The demo at full scale: 1000 clusters on this machine. Prints the time per 100 clusters
// (the seed README's table shape), the ratio last/first 100, startup time and peak RSS.
// Figures come from the simulator's cost model on a compressed time scale, not from CAPI.
// A full run takes about 37 minutes here: the model makes each 100 slower than the last.
// usage: node bin/run-ts.js bench/demo-1000.ts [clusters=1000] [backing=10] [engineConcurrency=50] [--defaults] [--with=CONTROLLER:ARG,ARG...]
// --defaults starts the controllers at v1.14's defaults instead of the seed's §10 patch;
// --with adds args for one controller (repeatable), e.g. the seed-era KCP:
//   --with=kcp:--kubeadmcontrolplane-concurrency=10,--kube-api-qps=20,--kube-api-burst=30
// or CAPM3 above the 20 QPS the patch leaves it at: --with=capm3:--kube-api-qps=200,--kube-api-burst=300
import { startDemoWorld } from '../src/demo/run.js';
import { SEED_PATCH_ARGS } from '../src/demo/manifests.js';
import { renderTimingTable, timingTable } from '../src/demo/timing.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const clusters = Number(args[0] ?? 1000);
const backing = Number(args[1] ?? 10);
const concurrency = Number(args[2] ?? 50);
const seedPatch = !process.argv.includes('--defaults');
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
  nodePortBase: 30000,
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
    `  ${((Date.now() - started) / 1000).toFixed(0)} s ready ${ready} rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB throttled ${throttled}; queued ${queued}; waiting for a core ${cpuQueue}; reconciles ${reconciles}`,
  );
}, 30_000);
const batch = await world.engine.addBatch({ count: clusters });
clearInterval(progress);
const summary = timingTable(Object.values(world.store.getState().clusters), started, 100);
console.log(renderTimingTable(summary));
const first = summary.rows[0]?.seconds ?? 0;
const last = summary.rows[summary.rows.length - 1]?.seconds ?? 0;
console.log(
  `ready ${batch.ready}/${clusters}, failed ${batch.failed}; last/first 100 ratio ${(first ? last / first : 0).toFixed(2)}; peak RSS ${(peakRss / 1048576).toFixed(0)} MiB`,
);
clearInterval(rssTimer);
await world.stop();
process.exit(batch.ready === clusters ? 0 : 1);
