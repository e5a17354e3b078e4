// The one Engine per session (DESIGN.md §2, §5): the TUI, the CLI and the demo all build
// it with createEngine(). This file is only the facade: the public interface, the start-once
// guard, and one call per intent into src/engine/ops/, where each operation (batch, delete,
// resume, adopt, status, tune, start-up) is its own module over one EngineScope. The run's
// clusters are read from the store (src/state/store.ts), never from a copy kept here.
import { UserError } from '../core/errors.js';
import type {
  BatchOptions,
  BatchSummary,
  ClusterSelection,
  ControllerId,
  DeleteSummary,
  EngineIntents,
  TuneRequest,
} from '../core/types.js';
import { assertBatchCount, createBatch } from './ops/batch.js';
import { deleteClusters } from './ops/delete.js';
import { resumeRun } from './ops/resume.js';
import { type EngineOptions, EngineScope } from './ops/scope.js';
import { closeEngine, startEngine } from './ops/start.js';
import { type StatusReport, status } from './ops/status.js';
import { tune } from './ops/tune.js';
import type { FarmFault } from './topology/farm.js';
import { type FarmFaultChange, farmFault } from './topology/farm-fault.js';

export type { BackingSiteOptions, EngineOptions } from './ops/scope.js';
export type { StatusReport } from './ops/status.js';

export interface Engine extends EngineIntents {
  readonly runId: string;
  /** Finishes half-done work recorded in the journal and found on the API servers. */
  resumeRun(names?: readonly string[]): Promise<BatchSummary>;
  farmFault(cluster: string, change?: FarmFaultChange): Promise<FarmFault>;
  status(): Promise<StatusReport>;
  /** Stops in-flight work at once, journal kept (tests: a graceful stop at any point; not a SIGKILL). */
  abort(): Promise<void>;
  /** Requests counted by this engine's writes (for the request benchmark). */
  readonly counters: { creates: number; skipped: number };
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const objects =
    opts.objects ?? (await import('./pipeline/default-objects.js')).defaultObjectSource(opts.config, opts.stateDir);
  return new EngineImpl(new EngineScope(opts, objects));
}

class EngineImpl implements Engine {
  private started?: Promise<void>;
  private closed = false;

  constructor(private readonly scope: EngineScope) {}

  get runId(): string {
    return this.scope.runId;
  }

  get counters(): { creates: number; skipped: number } {
    return this.scope.counters;
  }

  /** Start-up runs once, on the first intent that needs the clusters (ops/start.ts). */
  private start(): Promise<void> {
    if (this.closed) return Promise.reject(new UserError('the engine has been shut down', 'Start a new session.'));
    this.started ??= startEngine(this.scope);
    return this.started;
  }

  async addBatch(opts: BatchOptions): Promise<BatchSummary> {
    assertBatchCount(opts);
    await this.start();
    return createBatch(this.scope, opts);
  }

  async deleteClusters(selection: ClusterSelection): Promise<DeleteSummary> {
    await this.start();
    return deleteClusters(this.scope, selection);
  }

  async resumeRun(names?: readonly string[]): Promise<BatchSummary> {
    await this.start();
    return resumeRun(this.scope, names && new Set(names));
  }

  async farmFault(cluster: string, change?: FarmFaultChange): Promise<FarmFault> {
    await this.start();
    return farmFault(this.scope, cluster, change);
  }

  status(): Promise<StatusReport> {
    return status(this.scope);
  }

  tune(controller: ControllerId, request: TuneRequest): Promise<void> {
    return tune(this.scope, controller, request);
  }

  setConcurrency(n: number): void {
    this.scope.pool.setConcurrency(n);
  }

  pause(): void {
    this.scope.pool.pause();
  }

  resume(): void {
    this.scope.pool.resume();
  }

  abort(): Promise<void> {
    return this.shutdown();
  }

  async shutdown(): Promise<void> {
    this.scope.abortCtl.abort();
    this.scope.pool.clear();
    if (this.closed) return;
    this.closed = true;
    await closeEngine(this.scope);
  }
}
