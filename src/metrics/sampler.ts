// Live sampling into the store (and the run journal): each controller's flags and
// rollout from its Deployment, CPU/memory from metrics.k8s.io into ring buffers, its pods'
// logs followed (kept per controller, bounded, and parsed for client-side throttling; new
// pods after a tuning rollout are picked up), backing clusters' health and usage, and the
// per-100 timing table.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from '../core/kube/client.js';
import { CONTROLLERS } from '../core/tune/flags.js';
import { controllerStatusBase } from '../state/controller-status.js';
import { rolloutPending } from '../core/tune/rollout.js';
import { CONTROLLER_IDS, type JournalEvent } from '../core/types.js';
import {
  appendLog,
  CONTROLLER_LOG_LIMIT,
  recordSample,
  type ControllerStatus,
  type ScaleStore,
  type ThrottleLine,
  type ThrottleStats,
} from '../state/store.js';
import { BacklogOverlap, LogTailBatcher, podBacklog } from './log-tail.js';
import { Ring } from './ring.js';
import { followLog } from './sources/raw.js';
import { ResumeFilter } from './sources/resume-filter.js';
import { podUsage, type Usage } from './sources/pod-metrics.js';
import { argsOf, podsOf, type PodInfo, type Target } from './sources/controller-pods.js';
import { type BackingTarget, sampleBacking } from './backing-sampler.js';
import { klogTime } from './throttle/klog-time.js';
import { parseThrottleLine } from './throttle/parse.js';
import { ServerSideCounts, ThrottleWindow } from './throttle/stats.js';
import { perStep, readyPerMinute } from './timing.js';
import { ControllerProbe } from './sources/controller-probe.js';
import type { SecureMetricsReader } from './sources/scrape.js';
import type { PrometheusSource } from './sources/prometheus.js';
import {
  LIVE_VERBOSITY_ANNOTATION,
  liveVerbosity,
  logCompleteness,
  verbosityFromArgs,
  type LogCompleteness,
} from './throttle/completeness.js';

/** How long throttling lines gather before one store update (the tail pane's latency). */
const LINE_FLUSH_MS = 100;

const METRICS_RETRY_MS = 60_000;

/** How often each controller's /metrics (or Prometheus) is read: two reads make a rate. */
const QUEUE_PROBE_MS = 15_000;

export type { BackingTarget, Target };

export function defaultTargets(): Target[] {
  const tunable: Target[] = CONTROLLER_IDS.map((id) => ({
    id,
    namespace: CONTROLLERS[id].namespace,
    deployment: CONTROLLERS[id].deployment,
    container: CONTROLLERS[id].container,
    tunable: id,
  }));
  return [
    ...tunable,
    { id: 'cert-manager', namespace: 'cert-manager', deployment: 'cert-manager' },
    { id: 'kube-apiserver', namespace: 'kube-system', labelSelector: 'component=kube-apiserver' },
    { id: 'etcd', namespace: 'kube-system', labelSelector: 'component=etcd' },
  ];
}

export interface MetricsOptions {
  client: KubeClient;
  store: ScaleStore;
  intervalMs?: number;
  /** Samples kept per controller (default 120: 10 minutes at 5 s). */
  ringSize?: number;
  journal?: (e: JournalEvent) => void;
  targets?: Target[];
  backing?: BackingTarget[];
  now?: () => number;
  /** Read controller metrics from this Prometheus instead of each pod's /metrics (`--prometheus`). */
  prometheus?: PrometheusSource;
  /** Period of the controller metrics reads (default 15 s). */
  queueProbeMs?: number;
  /** Reads secure (HTTPS, token-checked) /metrics endpoints; the pod proxy cannot (scrape.ts). */
  secureMetrics?: SecureMetricsReader;
  /** Lines of each controller's log kept in the store (default CONTROLLER_LOG_LIMIT). */
  controllerLogLines?: number;
}

export interface RunningMetrics {
  /** One sampling pass now (the timer calls it; tests too). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

interface Follower {
  abort: AbortController;
  alive: boolean;
  lastLineAt?: number;
  /** Shared by the reconnects of one pod's follow. */
  lines: ResumeFilter;
}

const EMPTY_STATS = { perMinute: 0, total: 0, p50Ms: 0, p95Ms: 0, maxMs: 0, topPaths: [] };

export function startMetrics(opts: MetricsOptions): RunningMetrics {
  const { client, store } = opts;
  const kc: KubeConfig = client.config;
  const now = opts.now ?? Date.now;
  const ringSize = opts.ringSize ?? 120;
  const targets = opts.targets ?? defaultTargets();
  const startedAt = now();
  const cpu = new Map<string, Ring>();
  const mem = new Map<string, Ring>();
  const windows = new Map<string, ThrottleWindow>();
  const serverSide = new Map<string, ServerSideCounts>();
  const completeness = new Map<string, LogCompleteness>();
  const probe = new ControllerProbe(kc, opts.prometheus, now, opts.secureMetrics);
  const followers = new Map<string, Follower>();
  const notes = new Set<string>();
  let metricsServed = true;
  // metrics-server may be installed (or come back) mid-run: ask again once a minute.
  let metricsRetryAt = 0;
  let askMetrics = true;
  let stopped = false;
  let running: Promise<void> | undefined;
  // Per target: when its metrics were last read successfully. A failed read is retried on the
  // next pass (a controller still starting), a good one waits for the probe period.
  const probedAt = new Map<string, number>();
  // Log lines (all of them per controller, throttling ones also to the tail) reach the store in batches.
  const tail = new LogTailBatcher(store, opts.controllerLogLines ?? CONTROLLER_LOG_LIMIT, LINE_FLUSH_MS);

  const noteOnce = (key: string, message: string): void => {
    if (notes.has(key)) return;
    notes.add(key);
    appendLog(store, 'warn', message);
  };

  const ring = (m: Map<string, Ring>, id: string): Ring => {
    let r = m.get(id);
    if (!r) {
      r = new Ring(ringSize);
      m.set(id, r);
    }
    return r;
  };

  function onLogLine(target: Target, pod: string, raw: string, buffered = false): void {
    const stamped = klogTime(raw, now());
    if (!buffered) tail.controllerLine(target.id, { t: stamped ?? now(), pod, text: raw });
    const e = parseThrottleLine(raw);
    if (!e) return;
    const t = e.t ?? stamped ?? now();
    const side = e.side === 'client' ? undefined : e.side;
    if (side) {
      let c = serverSide.get(target.id);
      if (!c) {
        c = new ServerSideCounts();
        serverSide.set(target.id, c);
      }
      c.add(t, side, e.waitMs);
    } else {
      let w = windows.get(target.id);
      if (!w) {
        w = new ThrottleWindow();
        windows.set(target.id, w);
      }
      w.add(t, e.waitMs, e.path);
    }
    const line: ThrottleLine = {
      t,
      controller: target.id,
      ...(side ? { side } : {}),
      waitMs: e.waitMs,
      verb: e.verb,
      path: e.path,
      raw,
    };
    tail.throttleLine(line);
    opts.journal?.({
      t,
      type: 'throttle',
      controller: target.id,
      waitMs: e.waitMs,
      verb: e.verb,
      path: e.path,
      ...(side ? { side } : {}),
    });
  }

  function follow(target: Target, pod: PodInfo): void {
    const key = `${target.id}/${target.namespace}/${pod.name}`;
    const existing = followers.get(key);
    if (existing?.alive) return;
    const f: Follower = {
      abort: new AbortController(),
      alive: true,
      lastLineAt: existing?.lastLineAt,
      lines: existing?.lines ?? new ResumeFilter(),
    };
    f.lines.reconnect();
    followers.set(key, f);
    // Pods that were there before we started: from our start; pods that came later (a
    // restart after tuning): from their own start, so no throttling line is missed.
    const since = f.lastLineAt ?? (pod.startedAt !== undefined && pod.startedAt > startedAt ? undefined : startedAt);
    // Running before we started: its earlier lines go to its log buffer once (log-tail.ts).
    const backlog =
      !existing && since === startedAt
        ? podBacklog(kc, target.namespace, pod.name, pod.container, tail.controllerLimit).catch(() => [])
        : Promise.resolve([]);
    void backlog
      .then((lines) => {
        for (const l of lines)
          tail.controllerLine(target.id, { t: klogTime(l, now()) ?? now(), pod: pod.name, text: l });
        const overlap = new BacklogOverlap(lines);
        const q = new URLSearchParams({ container: pod.container, follow: 'true' });
        if (since !== undefined) q.set('sinceSeconds', String(Math.max(1, Math.ceil((now() - since) / 1000))));
        const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(pod.name)}/log?${q}`;
        return followLog(
          kc,
          path,
          (l) => {
            f.lastLineAt = now();
            if (f.lines.accept(l)) onLogLine(target, pod.name, l, overlap.repeats(l));
          },
          f.abort.signal,
        );
      })
      .catch(() => undefined)
      .finally(() => {
        f.alive = false; // the next tick reconnects while the pod still exists
      });
  }

  async function sampleTarget(
    target: Target,
    usageByNs: Map<string, Promise<Map<string, Usage> | undefined>>,
  ): Promise<ControllerStatus | undefined> {
    const { pods, deployment } = await podsOf(client, target);
    if (target.deployment && !deployment) {
      if (target.tunable)
        noteOnce(
          `missing-${target.id}`,
          `${target.id}: Deployment ${target.namespace}/${target.deployment} not found; its pane row stays empty until it is installed`,
        );
      return undefined;
    }
    if (!deployment && pods.length === 0) return undefined;
    let usage = usageByNs.get(target.namespace);
    if (!usage) {
      usage = askMetrics ? podUsage(kc, target.namespace).catch(() => undefined) : Promise.resolve(undefined);
      usageByNs.set(target.namespace, usage);
    }
    const perPod = await usage;
    if (askMetrics && perPod === undefined) {
      metricsRetryAt = now() + METRICS_RETRY_MS;
      if (metricsServed) {
        metricsServed = false;
        noteOnce(
          'metrics-server',
          'metrics.k8s.io is not served (metrics-server missing?): CPU and memory stay empty; `scale-tui setup` installs metrics-server',
        );
      }
    } else if (perPod && !metricsServed) {
      metricsServed = true;
      notes.delete('metrics-server'); // a later loss is worth saying again
      appendLog(store, 'info', 'metrics.k8s.io is served now: CPU and memory sampling resumed');
    }
    if (perPod) {
      let c = 0;
      let m = 0;
      for (const p of pods) {
        const u = perPod.get(p.name);
        if (!u) continue;
        c += u.cpuMillicores;
        m += u.memoryBytes;
        opts.journal?.({
          t: now(),
          type: 'metrics',
          pod: p.name,
          namespace: target.namespace,
          controller: target.id,
          cpuMillicores: u.cpuMillicores,
          memoryBytes: u.memoryBytes,
        });
      }
      ring(cpu, target.id).push(c);
      ring(mem, target.id).push(m);
    }
    const live = new Set(pods.map((p) => `${target.id}/${target.namespace}/${p.name}`));
    for (const p of pods) follow(target, p);
    for (const [key, f] of followers) {
      if (key.startsWith(`${target.id}/`) && !live.has(key)) {
        f.abort.abort();
        followers.delete(key);
      }
    }
    if (deployment) {
      const args = argsOf(deployment, target.container);
      const live = liveVerbosity(deployment.metadata.annotations?.[LIVE_VERBOSITY_ANNOTATION], pods[0]?.name);
      completeness.set(
        target.id,
        live !== undefined ? logCompleteness(live, 'live') : logCompleteness(verbosityFromArgs(args)),
      );
    }
    const previous = store.getState().controllers[target.id];
    let depth = previous?.workqueueDepth;
    let depthNote: string | undefined = previous?.workqueueNote;
    let rate = previous?.reconcilesPerSecond;
    let view = previous?.controllerMetrics;
    const queueProbe =
      now() - (probedAt.get(target.id) ?? Number.NEGATIVE_INFINITY) >= (opts.queueProbeMs ?? QUEUE_PROBE_MS);
    if (queueProbe && pods[0]) {
      const q = await probe.probe(target.id, target.namespace, pods[0].name);
      depth = q.depth;
      depthNote = q.note;
      rate = q.reconcilesPerSecond;
      view = q.view;
      if (q.view) probedAt.set(target.id, now());
      else probedAt.delete(target.id);
      if (q.event) opts.journal?.(q.event);
    }
    const base = target.tunable
      ? controllerStatusBase(target.tunable, argsOf(deployment!, target.container))
      : {
          id: target.id,
          namespace: target.namespace,
          deployment: target.deployment ?? target.labelSelector ?? '',
          flags: { concurrency: {} },
          supportedConcurrencyFlags: [],
          supportsRateFlags: false,
        };
    const generation = deployment?.metadata.generation ?? 0;
    const pending = deployment ? rolloutPending(deployment, generation) : undefined;
    return {
      ...base,
      rollout: pending === undefined ? 'idle' : /deadline/.test(pending) ? 'failed' : 'rolling',
      cpuMillicores: cpu.get(target.id)?.toArray() ?? [],
      memoryBytes: mem.get(target.id)?.toArray() ?? [],
      ...(depth !== undefined ? { workqueueDepth: depth } : {}),
      ...(depthNote ? { workqueueNote: depthNote } : {}),
      ...(rate !== undefined ? { reconcilesPerSecond: rate } : {}),
      ...(view ? { controllerMetrics: view } : {}),
      ...(!metricsServed ? { metricsNote: 'no metrics-server' } : {}),
    };
  }

  async function pass(): Promise<void> {
    const usageByNs = new Map<string, Promise<Map<string, Usage> | undefined>>();
    askMetrics = metricsServed || now() >= metricsRetryAt;
    const statuses = await Promise.all(
      targets.map((t) =>
        sampleTarget(t, usageByNs).catch((err: Error) => {
          noteOnce(`sample-${t.id}`, `metrics: ${t.id}: ${err.message.split('\n')[0]}`);
          return undefined;
        }),
      ),
    );
    const placed = (name: string): number =>
      Object.values(store.getState().clusters).filter((c) => c.placement === name && c.phase !== 'deleted').length;
    const backing = await Promise.all((opts.backing ?? []).map((b) => sampleBacking(b, placed(b.name))));
    if (stopped) return;
    const t = now();
    {
      const perController: Record<string, ThrottleStats> = {};
      // A controller with a known verbosity gets a row even before its first line: "0, a lower bound" is news.
      for (const id of new Set([...windows.keys(), ...serverSide.keys(), ...completeness.keys()])) {
        const base = windows.get(id)?.stats(t) ?? EMPTY_STATS;
        const server = serverSide.get(id)?.stats(t);
        const c = completeness.get(id);
        perController[id] = { ...base, ...(server ?? {}), ...(c ? { completeness: c } : {}) };
      }
      const clusters = Object.values(store.getState().clusters);
      recordSample(store, {
        controllers: statuses.filter((st) => st !== undefined),
        perController,
        backing,
        timing: perStep(clusters),
        readyPerMinute: readyPerMinute(clusters),
      });
    }
  }

  const tick = (): Promise<void> => (running ??= pass().finally(() => (running = undefined)));
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 5000);
  timer.unref();
  void tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      tail.flush();
      for (const f of followers.values()) f.abort.abort();
      await running?.catch(() => undefined);
    },
  };
}
