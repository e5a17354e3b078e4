// Churn over a tracked population: the demo world (engine + emulated CAPI/Metal3 + backing
// clusters) holds N clusters, then each cycle deletes the oldest slice and re-creates as many,
// with the management API dropping watches throughout. Heap is sampled after a forced GC at
// the end of each cycle; a flat trend (slope near 0) means nothing accumulates per cluster
// created and deleted (store entries, informer caches, forwarders, journal buffers).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startDemoWorld } from '../src/demo/run.js';
import { SEED_PATCH_ARGS } from '../src/demo/manifests.js';
import { DEFAULT_COST_MODEL, type CostModel } from '../src/sim/cost-model/model.js';

// The soak measures memory through churn, not the demo's curve: it runs with the seed's
// tuning, and with KCP cores enough that its steady re-checks do not fill them.
const SOAK_MODEL: CostModel = { ...DEFAULT_COST_MODEL, cores: { ...DEFAULT_COST_MODEL.cores, kcp: 32 } };

// A forced GC before each sample, without needing --expose-gc on the command line (vitest
// workers, npm scripts): turn the flag on and fetch gc from a fresh context.
function forcedGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface ChurnOptions {
  clusters: number;
  cycles: number;
  /** Clusters deleted and re-created per cycle. */
  slice: number;
  backing: number;
  nodePortBase: number;
  log?: (line: string) => void;
}

export interface ChurnResult {
  heapMiB: number[];
  /** Least-squares slope of heapMiB over cycles (MiB per cycle), first sample excluded (warm-up). */
  slopeMiBPerCycle: number;
  tracked: number[];
  created: number;
  deleted: number;
  failed: number;
  duplicateNames: number;
  watchDrops: boolean;
  seconds: number;
}

export function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

function heapMiB(): number {
  const gc = forcedGc();
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

interface FaultSwitch {
  set(f: { dropWatchesAfterMs?: number }): void;
  clear(): void;
}

export async function runChurn(o: ChurnOptions): Promise<ChurnResult> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const world = await startDemoWorld({
    clusters: o.clusters,
    backing: o.backing,
    headless: true,
    concurrency: 50,
    nodePortBase: o.nodePortBase,
    args: SEED_PATCH_ARGS,
    model: SOAK_MODEL,
  });
  // The embedded server behind the simulation has the fault switch; watches are cut every
  // few seconds so the informers' reconnect path runs all through the soak.
  const faults = (world.sim.management as unknown as { faults?: FaultSwitch }).faults;
  faults?.set({ dropWatchesAfterMs: 3_000 });
  const res: ChurnResult = {
    heapMiB: [],
    slopeMiBPerCycle: 0,
    tracked: [],
    created: 0,
    deleted: 0,
    failed: 0,
    duplicateNames: 0,
    watchDrops: !!faults,
    seconds: 0,
  };
  try {
    const first = await world.engine.addBatch({ count: o.clusters });
    res.created += first.ready;
    res.failed += first.failed;
    res.heapMiB.push(heapMiB());
    log(`filled: ${first.ready} ready, ${first.failed} failed, heap ${res.heapMiB[0]!.toFixed(1)} MiB`);
    for (let cycle = 1; cycle <= o.cycles; cycle++) {
      const all = Object.values(world.store.getState().clusters).sort((a, b) => a.number - b.number);
      const victims = all.slice(0, o.slice).map((c) => c.name);
      const del = await world.engine.deleteClusters({ kind: 'names', names: victims });
      res.deleted += del.deleted.length;
      res.failed += del.failed.length;
      const add = await world.engine.addBatch({ count: o.slice });
      res.created += add.ready;
      res.failed += add.failed;
      const names = Object.values(world.store.getState().clusters).map((c) => c.name);
      res.duplicateNames += names.length - new Set(names).size;
      res.tracked.push(names.length);
      res.heapMiB.push(heapMiB());
      log(
        `cycle ${cycle}: deleted ${del.deleted.length}, created ${add.ready}, tracked ${names.length}, heap ${res.heapMiB.at(-1)!.toFixed(1)} MiB`,
      );
    }
  } finally {
    faults?.clear();
    await world.stop();
  }
  res.slopeMiBPerCycle = slope(res.heapMiB.slice(1));
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}
