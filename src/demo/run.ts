// `scale-tui demo`: the simulated world (simulation.ts) plus the real engine on the
// backing topology, then the full TUI, or with --headless one batch and the timing
// table. The figures come from the simulator's cost model, not from CAPI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../sim/apiserver/index.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { defaultConfig } from '../engine/config/load.js';
import { appendLog, createScaleStore, type ScaleStore } from '../state/store.js';
import type { EngineIntents } from '../core/types.js';
import { DEFAULT_COST_MODEL, type CostModel } from '../sim/cost-model/model.js';
import { startSimulation, type Simulation } from './simulation.js';
import { reuseKeys } from '../sim/controllers/pki.js';
import type { InitialArgs } from './manifests.js';
import { renderTimingTable, timingTable, type TimingSummary } from './timing.js';
import { KubeClient } from '../core/kube/client.js';
import { clusterDetailActions, type ClusterDetailActions } from '../engine/describe/actions.js';
import { Journal, readJournal, runJournalPath } from '../core/journal/journal.js';
import { judgeDemoRun, newDemoRunId } from './keep.js';
import { loadTuiModule } from './tui-loader.js';
import type { ThresholdRule } from '../metrics/report/thresholds.js';
import { startMetrics } from '../metrics/index.js';
import { ServiceAccountMetricsReader } from '../engine/kube/metrics-reader.js';
import { limitHeapGrowth } from './heap-growth.js';
import { startHeapReducer } from './heap-reducer.js';

export interface DemoOptions {
  clusters: number;
  backing: number;
  headless: boolean;
  /** Engine pool size (per-cluster pipelines in flight). */
  concurrency?: number;
  model?: CostModel;
  args?: InitialArgs;
  /** First NodePort; cluster N's workload API listens on 127.0.0.1:<base+N>. */
  nodePortBase?: number;
  /** Where the run's journal is kept (a fresh run id each time); without it a temp dir is removed at the end. */
  stateDir?: string;
  /** Headless: rules judged on the run's journal at the end (exit 3/4 when one fails). */
  thresholds?: ThresholdRule[];
  /** Headless: give up after this long and exit 2 (timeout). */
  timeoutMs?: number;
  write?: (line: string) => void;
  /** TUI: hide and refuse every action that changes clusters. */
  readOnly?: boolean;
  /** Lines of each controller's log the store keeps (prefs `log: { controllerLines }`). */
  controllerLogLines?: number;
}

export interface DemoWorld {
  sim: Simulation;
  engine: Engine;
  store: ScaleStore;
  startupMs: number;
  stateDir: string;
  runId: string;
  stop(): Promise<void>;
}

/** Starts the simulation and the engine; the caller drives it (TUI, headless, bench). */
export async function startDemoWorld(opts: DemoOptions): Promise<DemoWorld> {
  const t0 = performance.now();
  // The whole simulated world shares this process's heap: keep it near its live size (issue 15).
  limitHeapGrowth();
  // 1000 clusters on 2 cores: the emulated KCP draws its RSA keys from a small pool.
  reuseKeys(16);
  const sim = await startSimulation({
    startApiServer: (o) => startApiServer({ ...o, tls: o.tls ? { ...o.tls } : undefined }),
    backing: opts.backing,
    model: opts.model ?? DEFAULT_COST_MODEL,
    args: opts.args,
  });
  const ownStateDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'scale-tui-demo-'));
  const config = defaultConfig();
  config.topology = 'backing';
  config.endpoint.mode = 'nodeport';
  config.batch.concurrency = opts.concurrency ?? config.batch.concurrency;
  config.stateDir = stateDir;
  const store = createScaleStore();
  const perBacking = Math.max(100, Math.ceil(opts.clusters / Math.max(1, opts.backing)));
  let engine: Engine;
  try {
    engine = await createEngine({
      config,
      store,
      management: { kubeconfigYaml: sim.management.kubeconfigYaml },
      backing: sim.backing.map((b) => ({
        name: b.name,
        target: { kubeconfigYaml: b.api.kubeconfigYaml },
        capacity: perBacking,
        etcd: b.etcd,
        nodeHost: '127.0.0.1',
      })),
      stateDir,
      // A kept state dir holds earlier demo runs: this one is a new run, not a resume of theirs.
      ...(ownStateDir ? {} : { runId: newDemoRunId() }),
      reach: { mode: 'nodeport', nodePortBase: opts.nodePortBase ?? 30000 },
    });
  } catch (err) {
    await sim.stop();
    throw err;
  }
  // Give back the heap pages the run's churn frees: the demo is never idle, so V8 does not (issue 15).
  const heapReducer = startHeapReducer();
  // The same samplers a real run uses, over HTTP against the embedded servers.
  const journal = new Journal(runJournalPath(stateDir, engine.runId));
  // What makes two demo runs differ, for `report RUN_A RUN_B` (settings that differ).
  journal.append({
    t: Date.now(),
    type: 'run-config',
    source: 'demo',
    config: {
      clusters: opts.clusters,
      backing: opts.backing,
      concurrency: config.batch.concurrency,
      timeScale: (opts.model ?? DEFAULT_COST_MODEL).timeScale,
      controllerArgs: opts.args ?? {},
    },
  });
  const metricsClient = KubeClient.from({ kubeconfigYaml: sim.management.kubeconfigYaml });
  // The emulated managers serve /metrics securely, as the real ones do by default: read with a token.
  const secureMetrics = new ServiceAccountMetricsReader(metricsClient.config);
  const metrics = startMetrics({
    client: metricsClient,
    secureMetrics,
    store,
    ...(opts.controllerLogLines ? { controllerLogLines: opts.controllerLogLines } : {}),
    journal: (e) => journal.append(e),
    backing: sim.backing.map((b) => ({
      name: b.name,
      client: KubeClient.from({ kubeconfigYaml: b.api.kubeconfigYaml }),
      endpoint: b.api.url,
      capacity: perBacking,
      etcdDbBytes: async () => (await b.etcd.status()).dbSizeBytes,
    })),
  });
  const startupMs = performance.now() - t0;
  return {
    sim,
    engine,
    store,
    startupMs,
    stateDir,
    runId: engine.runId,
    stop: async () => {
      await metrics.stop();
      await secureMetrics.release().catch(() => undefined);
      journal.close();
      await engine.shutdown().catch(() => {});
      await sim.stop();
      heapReducer.stop();
      if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

interface TuiModule {
  runTui(opts: {
    store: ScaleStore;
    intents: EngineIntents;
    title?: string;
    readOnly?: boolean;
    detail?: ClusterDetailActions;
    saveDir?: string;
  }): Promise<void>;
}

const loadTui = () => loadTuiModule<TuiModule>('Run `scale-tui demo --headless` meanwhile.');

function savedLine(world: DemoWorld): string {
  return `run saved: ${join(world.stateDir, 'runs', world.runId)} (scale-tui report ${world.stateDir}; compare: scale-tui report DIR_A DIR_B)`;
}

export async function runDemo(opts: DemoOptions): Promise<{ summary?: TimingSummary; exitCode: number }> {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const world = await startDemoWorld(opts);
  const stopOnce = (() => {
    let p: Promise<void> | undefined;
    return () => (p ??= world.stop());
  })();
  try {
    if (!opts.headless) {
      appendLog(
        world.store,
        'info',
        `demo: embedded management cluster, ${opts.backing} backing clusters, started in ${(world.startupMs / 1000).toFixed(1)} s; figures come from a model, not from CAPI`,
      );
      const tui = await loadTui();
      await tui.runTui({
        store: world.store,
        intents: world.engine,
        title: 'scale-tui demo (simulated)',
        readOnly: opts.readOnly,
        detail: clusterDetailActions(
          KubeClient.from({ kubeconfigYaml: world.sim.management.kubeconfigYaml }),
          world.engine,
        ),
        // A demo without --state-dir removes its temp state at the end; saved logs outlive it.
        saveDir: join(opts.stateDir ?? '.scale-tui', 'logs'),
      });
      if (opts.stateDir) write(savedLine(world));
      return { exitCode: 0 };
    }
    write(
      `demo: started in ${(world.startupMs / 1000).toFixed(1)} s (management API, ${opts.backing} backing clusters, emulated controllers); creating ${opts.clusters} clusters`,
    );
    const started = Date.now();
    const progress = setInterval(() => {
      const cs = Object.values(world.store.getState().clusters);
      const ready = cs.filter((c) => c.phase === 'ready').length;
      const failed = cs.filter((c) => c.phase === 'failed').length;
      const throttled = [...world.sim.controllers.managers.values()].reduce((n, m) => n + m.stats.throttled, 0);
      write(
        `  ${((Date.now() - started) / 1000).toFixed(0)} s: ready ${ready}/${opts.clusters}, failed ${failed}, workload APIs ${world.sim.workloadServers()}, throttled requests ${throttled}, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
      );
    }, 5000);
    progress.unref();
    let batch: Awaited<ReturnType<Engine['addBatch']>> | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const adding = world.engine.addBatch({ count: opts.clusters });
      // After a timeout the engine is shut down under the batch; its rejection is expected then.
      adding.catch(() => undefined);
      const timedOut = new Promise<undefined>((resolve) => {
        if (opts.timeoutMs) timer = setTimeout(() => resolve(undefined), opts.timeoutMs);
      });
      batch = await Promise.race([adding, timedOut]);
    } finally {
      clearInterval(progress);
      if (timer) clearTimeout(timer);
    }
    if (!batch) {
      const verdict = judgeDemoRun(
        readJournal(runJournalPath(world.stateDir, world.runId)),
        opts.thresholds ?? [],
        true,
      );
      write(`demo: not done after ${((opts.timeoutMs ?? 0) / 1000).toFixed(0)} s (--timeout)`);
      for (const l of verdict.lines) write(l);
      if (opts.stateDir) write(savedLine(world));
      return { exitCode: verdict.exitCode };
    }
    const summary = timingTable(
      Object.values(world.store.getState().clusters),
      started,
      opts.clusters > 100 ? 100 : 10,
    );
    write('');
    write(renderTimingTable(summary));
    for (const f of batch.failures.slice(0, 10)) write(`failed: ${f.cluster} at ${f.step}: ${f.reason}`);
    const verdict = judgeDemoRun(
      readJournal(runJournalPath(world.stateDir, world.runId)),
      opts.thresholds ?? [],
      false,
    );
    for (const l of verdict.lines) write(l);
    if (opts.stateDir) write(savedLine(world));
    // Every cluster must be ready for a 0, whatever the journal's verdict says.
    return { summary, exitCode: verdict.exitCode || (batch.ready === opts.clusters ? 0 : 1) };
  } finally {
    await stopOnce();
  }
}
