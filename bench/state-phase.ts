// Phase changes with 1000 clusters (issue 19): each store write copies the clusters map, so
// one write per phase change costs O(clusters). The per-tick batcher (src/state/phase-batch.ts)
// writes a tick's changes in one setPhases call. Measured in one run: the old way (setPhase,
// one whole copy per change; the reference) against the batcher at 10 and 100 changes per tick,
// every cluster through every create phase, with one store subscriber as the UI has.
// Targets: batched >= 3x the reference's changes/s at 10 per tick, >= 10x at 100 per tick,
// and the same end state. The engine's own figure: EngineScope.record() (journal line, then the
// batcher) against its old body (journal line, then setPhase), 100 changes per real event-loop
// turn; target >= 5x, same end state, one store write per turn.
// Run: node bin/run-ts.js bench/state-phase.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CREATE_PHASES } from '../src/core/types.js';
import { createPhaseBatcher } from '../src/state/phase-batch.js';
import { type PhaseChange, type ScaleStore, setPhase } from '../src/state/store.js';
import { offlineScope, queuedStore } from '../test/support/queued-clusters.js';
import { type Check, verdict } from './verdict.js';

const CLUSTERS = 1000;
const ROUNDS = 3;

function world(): ScaleStore {
  const store = queuedStore(CLUSTERS);
  store.subscribe(() => {}); // the UI's listener: notified on every write
  return store;
}

const CHANGES: PhaseChange[] = [];
{
  let t = 1;
  for (const phase of CREATE_PHASES.slice(1))
    for (let i = 1; i <= CLUSTERS; i++) CHANGES.push({ name: `test-${i}`, phase, t: t++ });
}

function oneByOne(): { ms: number; store: ScaleStore } {
  const store = world();
  const t0 = performance.now();
  for (const c of CHANGES) setPhase(store, c.name, c.phase, c.t);
  return { ms: performance.now() - t0, store };
}

function batched(perTick: number): { ms: number; store: ScaleStore } {
  const store = world();
  const ticks: Array<() => void> = [];
  const batcher = createPhaseBatcher(store, (f) => ticks.push(f));
  const t0 = performance.now();
  for (let i = 0; i < CHANGES.length; i++) {
    batcher.setPhase(CHANGES[i]!);
    if ((i + 1) % perTick === 0) ticks.shift()?.(); // the tick ends
  }
  batcher.flush();
  return { ms: performance.now() - t0, store };
}

const best = (run: () => { ms: number; store: ScaleStore }) => {
  let min = Number.POSITIVE_INFINITY;
  let last: ScaleStore | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const x = run();
    min = Math.min(min, x.ms);
    last = x.store;
  }
  return { ms: min, store: last! };
};

const perSecond = (ms: number) => (CHANGES.length / ms) * 1000;
const ref = best(oneByOne);
console.log(
  `state-phase: ${CLUSTERS} clusters x ${CREATE_PHASES.length - 1} phases = ${CHANGES.length} changes, best of ${ROUNDS}`,
);
console.log(
  `  reference (setPhase, whole copy per change): ${ref.ms.toFixed(1)} ms, ${perSecond(ref.ms).toFixed(0)} changes/s`,
);
const checks: Check[] = [];
for (const [perTick, target] of [
  [10, 3],
  [100, 10],
] as const) {
  const b = best(() => batched(perTick));
  const ratio = ref.ms / b.ms;
  console.log(
    `  batched, ${perTick} changes per tick: ${b.ms.toFixed(1)} ms, ${perSecond(b.ms).toFixed(0)} changes/s, ${ratio.toFixed(1)}x`,
  );
  checks.push({ what: `${perTick} per tick: ${ratio.toFixed(1)}x the reference >= ${target}x`, met: ratio >= target });
  checks.push({
    what: `${perTick} per tick: end state equals the reference's`,
    met: isDeepStrictEqual(b.store.getState().clusters, ref.store.getState().clusters),
  });
}
const ENGINE_PER_TURN = 100;
const turn = () => new Promise<void>((r) => setImmediate(r));

async function engineRecord(batcher: boolean): Promise<{ ms: number; store: ScaleStore; writes: number }> {
  const store = world();
  let writes = 0;
  store.subscribe((s, prev) => {
    if (s.clusters !== prev.clusters) writes++;
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'state-phase-'));
  // The engine: a scope over no API server (its management target is a closed port, never dialled).
  const scope = offlineScope(store, stateDir, { runId: 'bench' });
  const t0 = performance.now();
  for (let i = 0; i < CHANGES.length; i++) {
    const c = CHANGES[i]!;
    if (batcher) scope.record(c.name, c.phase);
    else {
      // The engine's record() before the batcher: the journal line, then one whole-map copy.
      scope.write({ t: c.t, type: 'phase', cluster: c.name, phase: c.phase });
      setPhase(store, c.name, c.phase, c.t);
    }
    if ((i + 1) % ENGINE_PER_TURN === 0) await turn();
  }
  await turn();
  const ms = performance.now() - t0;
  scope.closeJournal();
  rmSync(stateDir, { recursive: true, force: true });
  return { ms, store, writes };
}

const engineRef = await engineRecord(false);
const engine = await engineRecord(true);
const engineRatio = engineRef.ms / engine.ms;
const phasesOnly = (s: ScaleStore) =>
  Object.fromEntries(Object.values(s.getState().clusters).map((c) => [c.name, c.phase]));
console.log(
  `  engine record(), ${ENGINE_PER_TURN} per event-loop turn: old (journal + setPhase) ${engineRef.ms.toFixed(1)} ms, ${engineRef.writes} store writes; batched ${engine.ms.toFixed(1)} ms, ${engine.writes} store writes, ${engineRatio.toFixed(1)}x`,
);
checks.push({ what: `engine record(): ${engineRatio.toFixed(1)}x the old record() >= 5x`, met: engineRatio >= 5 });
checks.push({
  what: `engine record(): ${engine.writes} store writes = ${CHANGES.length / ENGINE_PER_TURN} turns`,
  met: engine.writes === CHANGES.length / ENGINE_PER_TURN,
});
checks.push({
  what: "engine record(): end phases equal the old record()'s",
  met: isDeepStrictEqual(phasesOnly(engine.store), phasesOnly(engineRef.store)),
});
verdict('state-phase', checks);
