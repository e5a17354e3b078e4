// The emulated controller-manager process: reads its own Deployment for flags, owns a
// rate-limited REST client, shared informers and one workqueue per reconciler, and
// "restarts" (fresh caches, new limits, new pod) when its Deployment's args change. Which args
// and which pod stand for the process is ./manager-pod.ts.
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import type { ControllerFlags } from '../../core/types.js';
import { Informer, keyOf } from './informer.js';
import { RestClient, type ThrottleEvent } from './rest.js';
import { collectionPath, R, objectPath, type Resource } from './resources.js';
import { TokenBucket } from './token-bucket.js';
import { WorkQueue } from './workqueue.js';
import { effectiveFlags, IDENTITIES, type ControllerIdentity, type EffectiveFlags } from './identity.js';
import { klogHeader, ThrottleLogger, throttleLine } from './klog.js';
import { recorderEvent } from './events.js';
import { coresOf, cpuShareMs, reconcileBusyMs, scaled } from '../cost-model/model.js';
import { CpuPool } from './cpu-pool.js';
import { WorkloadClients } from './workload.js';
import { ManagerDiagnostics } from './diagnostics.js';
import { containerArgs, findManagerPod } from './manager-pod.js';

export { STDOUT_SINK } from './runtime-types.js';
export type { ControllerContext, ManagerOptions, PodSink, ReconcilerDef, Watch } from './runtime-types.js';
import type { ControllerContext, ManagerOptions } from './runtime-types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Backoff between attempts of a failed restart: 200 ms doubling up to 5 s, as a crash-looping pod would. */
export const RESTART_BACKOFF = { baseMs: 200, capMs: 5000 } as const;

interface Generation {
  client: RestClient;
  informers: Map<string, Informer>;
  queues: Map<string, WorkQueue>;
  workload: WorkloadClients;
  bucket: TokenBucket;
  flags: EffectiveFlags;
  pod: string;
  cpu: CpuPool;
  requests: number;
  /** Watch events received and not yet paid for in CPU (watch fan-out), in ms. */
  eventDebtMs: number;
  /** All informers listed once: later events are watch events (normal priority). */
  synced: boolean;
  resync?: NodeJS.Timeout;
  cache?: (res: Resource) => Informer;
  /** stopGeneration ran: a retried restart stops a half-started generation only once. */
  stopped?: boolean;
}

export class ControllerManager {
  readonly identity: ControllerIdentity;
  private gen?: Generation;
  private deploymentWatch?: Informer;
  private metaClient: RestClient;
  private sampler?: NodeJS.Timeout;
  private lastArgsKey = '';
  private restarting: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The generation in this.gen started completely (false while a restart is under way or failed). */
  private running = false;
  /** Ends a restart's backoff wait early when the manager stops. */
  private wake?: () => void;
  /** Throttle waits, restarts (attempts) and failed restart attempts, for tests and the headless summary. */
  readonly stats = { throttled: 0, throttleLines: 0, restarts: 0, restartFailures: 0, reconciles: 0, errors: 0 };

  /** The diagnostics endpoint: /metrics and PUT /debug/flags/v (diagnostics.ts). */
  readonly diagnostics: ManagerDiagnostics;

  constructor(private readonly opts: ManagerOptions) {
    this.identity = opts.identity ?? IDENTITIES[opts.id];
    this.diagnostics = new ManagerDiagnostics(opts.id, this.identity.namespace, opts.sink);
    this.metaClient = new RestClient(opts.kubeconfig);
  }

  get flags(): ControllerFlags | undefined {
    return this.gen?.flags.flags;
  }

  get effective(): EffectiveFlags | undefined {
    return this.gen?.flags;
  }

  /** Keys waiting in this manager's workqueues right now. */
  get queueDepth(): number {
    let n = 0;
    for (const q of this.gen?.queues.values() ?? []) n += q.depth;
    return n;
  }

  /** Reconciles waiting for a core right now. */
  get cpuQueued(): number {
    return this.gen?.cpu.queued ?? 0;
  }

  get podName(): string | undefined {
    return this.gen?.pod;
  }

  async start(): Promise<void> {
    const { namespace, deployment } = this.identity;
    this.deploymentWatch = new Informer(
      this.metaClient,
      R.deployment,
      (_t, obj) => {
        if (obj.metadata.name !== deployment) return;
        const key = JSON.stringify(containerArgs(obj, this.identity.container));
        // One chain of restarts, in order. restartUntilDone never rejects: a rejected link
        // would skip every later restart (a .then chain passes the rejection on) and the
        // controller would keep its old flags for good after one API hiccup.
        if (key !== this.lastArgsKey && this.gen) {
          this.restarting = this.restarting.then(() => this.restartUntilDone(key));
        }
      },
      { namespace },
    );
    this.deploymentWatch.start();
    await this.diagnostics.start();
    await this.deploymentWatch.hasSynced();
    await this.startGeneration();
    const period = this.opts.sampleMs ?? 1000;
    let last = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      this.sample(now - last);
      last = now;
    }, period);
    this.sampler.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.sampler) clearInterval(this.sampler);
    this.deploymentWatch?.stop();
    await this.restarting;
    await this.stopGeneration();
    this.metaClient.close();
    await this.diagnostics.stop();
  }

  /**
   * Restarts until a generation runs with the Deployment's current args, retrying a failed
   * attempt (API briefly unreachable, a watch that cannot sync) with backoff, like the
   * kubelet restarting a crashed controller pod. Gives up only when the manager stops.
   */
  private async restartUntilDone(argsKey: string): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      // A retry before this queued restart already started the newest args.
      if (this.running && argsKey === this.lastArgsKey) return;
      try {
        await this.restart();
        return;
      } catch (err) {
        this.stats.restartFailures++;
        const waitMs = Math.min(RESTART_BACKOFF.capMs, RESTART_BACKOFF.baseMs * 2 ** Math.min(attempt, 10));
        this.logRestartFailure(err, waitMs);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private logRestartFailure(err: unknown, waitMs: number): void {
    const message = String((err as Error)?.message ?? err).replace(/"/g, "'");
    const pod = this.gen?.pod ?? `${this.identity.deployment}-sim`;
    const fields = `controller="${this.opts.id}" err="${message}" backoff="${waitMs}ms"`;
    const line = `${klogHeader(new Date(), 1, 'manager.go', 318, 'E')}"Restart failed, retrying" ${fields}`;
    try {
      this.opts.sink.appendLog(this.identity.namespace, pod, this.identity.container, line);
    } catch {
      // A sink that cannot take the line must not end the restart loop either.
    }
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    this.stats.restarts++;
    this.running = false;
    await this.stopGeneration();
    await this.startGeneration();
  }

  private async startGeneration(): Promise<void> {
    const { namespace, deployment } = this.identity;
    const dep = await this.metaClient.get(objectPath(R.deployment, deployment, namespace));
    const args = containerArgs(dep, this.identity.container);
    this.lastArgsKey = JSON.stringify(args);
    const flags = effectiveFlags(this.identity, args);
    const pod = await findManagerPod(
      this.metaClient,
      this.identity,
      dep,
      this.gen?.pod,
      this.gen !== undefined || this.stats.restarts > 0,
    );
    this.diagnostics.newGeneration(pod, args);
    const bucket = new TokenBucket(flags.qps, flags.burst);
    const threadId = 1 + (hash(pod) % 30000);
    const throttleLog = new ThrottleLogger(() => this.diagnostics.verbosity);
    const gen: Generation = {
      bucket,
      flags,
      pod,
      cpu: new CpuPool(coresOf(this.opts.model, this.opts.id)),
      requests: 0,
      eventDebtMs: 0,
      synced: false,
      informers: new Map(),
      queues: new Map(),
      client: undefined as unknown as RestClient,
      workload: undefined as unknown as WorkloadClients,
    };
    gen.client = new RestClient(this.opts.kubeconfig, {
      bucket,
      onRequest: () => gen.requests++,
      onWrite: this.opts.onWrite,
      onThrottle: (e: ThrottleEvent) => {
        this.stats.throttled++;
        // client-go writes only some waits, depending on -v (klog.ts).
        if (!throttleLog.shouldLog(e.waitMs)) return;
        this.stats.throttleLines++;
        this.opts.sink.appendLog(
          namespace,
          gen.pod,
          this.identity.container,
          throttleLine(new Date(), threadId, e.waitMs, e.verb, e.url),
        );
      },
    });
    this.diagnostics.instrumentClient(gen.client);
    const probe = this.opts.model.clusterCacheProbe;
    gen.workload = new WorkloadClients(
      gen.client,
      () => gen.requests++,
      probe.controllers.includes(this.opts.id)
        ? {
            periodMs: scaled(this.opts.model, probe.periodMs),
            timeoutMs: Math.max(50, scaled(this.opts.model, probe.timeoutMs)),
            failureThreshold: probe.failureThreshold,
          }
        : undefined,
    );
    this.gen = gen;
    const log = (message: string) =>
      this.opts.sink.appendLog(
        namespace,
        gen.pod,
        this.identity.container,
        `${klogHeader(new Date(), threadId, 'controller.go', 220)}${message}`,
      );
    log(`"Starting manager" controller="${this.opts.id}" qps=${flags.qps} burst=${flags.burst}`);

    const cache = (res: Resource): Informer => {
      const k = `${res.apiVersion}/${res.kind}`;
      let inf = gen.informers.get(k);
      if (!inf) {
        inf = new Informer(gen.client, res, (type, obj) => this.dispatch(gen, res, type, obj));
        gen.informers.set(k, inf);
        // A kind first read after start-up still gets a running cache (empty until listed).
        if (gen.synced) inf.start();
      }
      return inf;
    };
    gen.cache = cache;
    const ctx: ControllerContext = {
      id: this.opts.id,
      client: gen.client,
      model: this.opts.model,
      workload: gen.workload,
      cache,
      log,
      // The broadcaster's own clientset: events do not wait on the reconciler's token bucket.
      record: (component, obj, type, reason, message) => {
        const ev = recorderEvent(component, obj, type, reason, message);
        void this.metaClient.create(collectionPath(R.event, ev.metadata.namespace), ev).catch(() => undefined);
      },
      enqueue: (name, key) => gen.queues.get(name)?.add(key),
    };
    for (const r of this.opts.reconcilers) {
      const primary = cache(r.primary);
      const q = new WorkQueue(
        this.diagnostics.timed(r.name, async (key) => {
          // The modelled work of one reconcile grows with what the controller caches. Its
          // CPU part needs one of the process's cores; the rest holds only the worker.
          const busy = reconcileBusyMs(this.opts.model, this.opts.id, primary.store.size);
          // Watch events received since the last reconcile are paid for here, on a core.
          const cpu = cpuShareMs(this.opts.model, this.opts.id, busy) + gen.eventDebtMs;
          gen.eventDebtMs = 0;
          this.stats.reconciles++;
          await gen.cpu.run(cpu);
          if (busy > cpu) await sleep(busy - cpu);
          return r.reconcile(ctx, key);
        }),
        (key, err) => {
          this.stats.errors++;
          if (this.stats.errors % 50 === 1)
            log(
              `"Reconciler error" controller="${r.name}" key="${key}" err="${String((err as Error).message ?? err).replace(/"/g, "'")}"`,
            );
        },
      );
      gen.queues.set(r.name, q);
      this.diagnostics.instrumentQueue(r.name, q, flags.concurrency[r.concurrencyFlag] ?? 10);
      for (const w of r.watches ?? []) cache(w.resource);
    }
    for (const inf of gen.informers.values()) inf.start();
    await Promise.all([...gen.informers.values()].map((i) => i.hasSynced()));
    gen.synced = true;
    // controller-runtime's SyncPeriod: every primary object again, at low priority.
    const syncMs = scaled(this.opts.model, this.opts.model.resyncMs[this.opts.id] ?? this.identity.syncPeriodMs);
    if (syncMs > 0) {
      gen.resync = setInterval(() => {
        for (const r of this.opts.reconcilers)
          for (const o of cache(r.primary).list()) gen.queues.get(r.name)?.add(keyOf(o), this.opts.model.lowPriority);
      }, syncMs);
      gen.resync.unref?.();
    }
    for (const r of this.opts.reconcilers) {
      const workers = flags.concurrency[r.concurrencyFlag] ?? 10;
      log(`"Starting workers" controller="${r.name}" worker count=${workers}`);
      gen.queues.get(r.name)?.start(workers);
    }
    this.running = true;
    this.opts.onStart?.(flags, pod);
  }

  private dispatch(gen: Generation, res: Resource, _type: string, obj: KubeObject): void {
    // Watch fan-out: every event this process receives costs it some CPU.
    gen.eventDebtMs += scaled(this.opts.model, this.opts.model.watchEventCpuMs);
    // Events of the initial list go in at low priority (controller-runtime priority queue).
    const priority = gen.synced ? 0 : this.opts.model.lowPriority;
    for (const r of this.opts.reconcilers) {
      const q = gen.queues.get(r.name);
      if (!q) continue;
      if (r.primary === res) q.add(keyOf(obj), priority);
      for (const w of r.watches ?? []) {
        if (w.resource !== res) continue;
        const lookup = gen.cache;
        if (w.map && !lookup) continue;
        for (const k of w.map && lookup ? w.map(obj, lookup) : [keyOf(obj)]) q.add(k, priority);
      }
    }
  }

  private async stopGeneration(): Promise<void> {
    const gen = this.gen;
    if (!gen || gen.stopped) return;
    gen.stopped = true;
    if (gen.resync) clearInterval(gen.resync);
    for (const inf of gen.informers.values()) inf.stop();
    await Promise.all([...gen.queues.values()].map((q) => q.stop()));
    gen.workload.close();
    gen.client.close();
  }

  /** CPU from the cores' busy time plus a per-request cost; memory from cache size. */
  private sample(windowMs: number): void {
    const gen = this.gen;
    if (!gen || windowMs <= 0) return;
    const cpuMs = gen.cpu.drainSpentMs() + gen.requests * 0.4;
    gen.requests = 0;
    let objects = 0;
    for (const inf of gen.informers.values()) objects += inf.store.size;
    const cpuMillicores = Math.max(1, Math.round((cpuMs / windowMs) * 1000));
    const memoryBytes = this.opts.model.memory.baseBytes + objects * this.opts.model.memory.perObjectBytes;
    this.opts.sink.setPodMetrics(this.identity.namespace, gen.pod, [
      { name: this.identity.container, cpuMillicores, memoryBytes },
    ]);
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

export { KubeConfig };
