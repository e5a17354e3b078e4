// The demo at full scale: 1000 clusters on this machine. Prints the time per 100 clusters
// (the seed README's table shape), the ratio last/first 100, startup time and peak RSS.
// Figures come from the simulator's cost model on a compressed time scale, not from CAPI.
// usage: node bin/run-ts.js bench/demo-1000.ts [clusters=1000] [backing=10] [engineConcurrency=50] [--defaults] [--capm3-qps=N]
// (--capm3-qps also raises CAPM3's client rate limit, which the seed's patch leaves at 20.)
import { startDemoWorld } from '../src/sim/demo/run.js';
import { SEED_PATCH_ARGS } from '../src/sim/demo/manifests.js';
import { renderTimingTable, timingTable } from '../src/sim/demo/timing.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const clusters = Number(args[0] ?? 1000);
const backing = Number(args[1] ?? 10);
const concurrency = Number(args[2] ?? 50);
const seedPatch = !process.argv.includes('--defaults');
const capm3Qps = Number(process.argv.find((a) => a.startsWith('--capm3-qps='))?.split('=')[1] ?? 0);
const initialArgs = { ...(seedPatch ? SEED_PATCH_ARGS : {}), ...(capm3Qps ? { capm3: [`--kube-api-qps=${capm3Qps}`, `--kube-api-burst=${Math.round(capm3Qps * 1.5)}`] } : {}) };

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
const world = await startDemoWorld({ clusters, backing, headless: true, concurrency, args: initialArgs, nodePortBase: 30000 });
console.log(`startup ${(world.startupMs / 1000).toFixed(2)} s; ${clusters} clusters, ${backing} backing, engine concurrency ${concurrency}, controllers ${seedPatch ? 'with the seed §10 patch' : 'at v1.14 defaults'}${capm3Qps ? `, CAPM3 at ${capm3Qps} QPS` : ''}`);
const started = Date.now();
const progress = setInterval(() => {
  const cs = Object.values(world.store.getState().clusters);
  const ready = cs.filter((c) => c.phase === 'ready').length;
  const throttled = [...world.sim.controllers.managers.values()].map((m) => `${m.identity.id}:${m.stats.throttled}`).join(' ');
  console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s ready ${ready} rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB throttled ${throttled}`);
}, 30_000);
const batch = await world.engine.addBatch({ count: clusters });
clearInterval(progress);
const summary = timingTable(Object.values(world.store.getState().clusters), started, 100);
console.log(renderTimingTable(summary));
const first = summary.rows[0]?.seconds ?? 0;
const last = summary.rows[summary.rows.length - 1]?.seconds ?? 0;
console.log(`ready ${batch.ready}/${clusters}, failed ${batch.failed}; last/first 100 ratio ${(first ? last / first : 0).toFixed(2)}; peak RSS ${(peakRss / 1048576).toFixed(0)} MiB`);
clearInterval(rssTimer);
await world.stop();
process.exit(batch.ready === clusters ? 0 : 1);
