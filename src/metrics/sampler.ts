// Live sampling into the store (and the run journal): each controller's flags and
// rollout from its Deployment, CPU/memory from metrics.k8s.io into ring buffers, its pods'
// logs followed for client-side throttling (new pods after a tuning rollout are picked
// up), backing clusters' health and usage, and the per-100 timing table.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from '../core/kube/client.js';
import { CONTROLLERS } from '../core/tune/flags.js';
import { controllerStatusBase } from '../state/controller-status.js';
import { rolloutPending, type DeploymentLike } from '../core/tune/rollout.js';
import { CONTROLLER_IDS, type ControllerId, type JournalEvent } from '../core/types.js';
import { COMPONENT_WORKLOAD_APISERVER, LABEL_COMPONENT } from '../manifests/labels.js';
import type { KubeObject } from '../manifests/types.js';
import {
  appendLog,
  pushThrottleLines,
  type BackingClusterStatus,
  type ControllerStatus,
  THROTTLE_TAIL_LIMIT,
  type ScaleStore,
  type ThrottleLine,
} from '../state/store.js';
import { Ring } from './ring.js';
import { followLog } from './sources/raw.js';
import { ResumeFilter } from './sources/resume-filter.js';
import { nodeUsage, podUsage, type Usage } from './sources/pod-metrics.js';
import { klogTime } from './throttle/klog-time.js';
import { parseThrottleLine } from './throttle/parse.js';
import { ThrottleWindow } from './throttle/stats.js';
import { perStep, readyPerMinute } from './timing.js';
import { workqueueDepth } from './sources/workqueue.js';

/** How long throttling lines gather before one store update (the tail pane's latency). */
const LINE_FLUSH_MS = 100;

const METRICS_RETRY_MS = 60_000;

/** A pod group sampled like a controller: the tunable ones plus what the seed also watched. */
export interface Target {
  id: string;
  namespace: string;
  /** Pods come from this Deployment's selector, or from `labelSelector`. */
  deployment?: string;
  labelSelector?: string;
  container?: string;
  tunable?: ControllerId;
}

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

export interface BackingTarget {
  name: string;
  client: KubeClient;
  endpoint: string;
  capacity: number;
  /** etcd's DB size through the tenancy adapter, when it can be asked. */
  etcdDbBytes?: () => Promise<number | undefined>;
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

interface PodInfo {
  name: string;
  container: string;
  startedAt?: number;
}

function selectorOf(d: KubeObject): string | undefined {
  const labels = (d.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
  return labels
    ? Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined;
}

function argsOf(d: KubeObject, container?: string): string[] {
  const cs =
    (d.spec as { template?: { spec?: { containers?: Array<{ name: string; args?: string[] }> } } } | undefined)
      ?.template?.spec?.containers ?? [];
  return (cs.find((c) => c.name === container) ?? cs[0])?.args ?? [];
}

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
  const followers = new Map<string, Follower>();
  const notes = new Set<string>();
  let metricsServed = true;
  // metrics-server may be installed (or come back) mid-run: ask again once a minute.
  let metricsRetryAt = 0;
  let askMetrics = true;
  let stopped = false;
  let running: Promise<void> | undefined;
  let lastQueueProbe = 0;
  const reconcileReadings = new Map<string, { pod: string; total: number; t: number }>();
  // Throttling lines reach the store in batches: ten controllers at 1000 lines/s each
  // would otherwise mean 10k store updates (and UI notifications) a second.
  let pendingLines: ThrottleLine[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const flushLines = (): void => {
    flushTimer = undefined;
    const lines = pendingLines;
    pendingLines = [];
    pushThrottleLines(store, lines);
  };

  const noteOnce = (key: string, message: string): void => {
    if (notes.has(key)) return;
    notes.add(key);
    appendLog(store, 'warn', message);
  };

  const ring = (m: Map<string, Ring>, id: string): Ring => {
    let r = m.get(id);
    if (!r) m.set(id, (r = new Ring(ringSize)));
    return r;
  };

  function onLogLine(target: Target, raw: string): void {
    const e = parseThrottleLine(raw);
    if (!e) return;
    const t = e.t ?? klogTime(raw, now()) ?? now();
    let w = windows.get(target.id);
    if (!w) windows.set(target.id, (w = new ThrottleWindow()));
    w.add(t, e.waitMs, e.path);
    const line: ThrottleLine = { t, controller: target.id, waitMs: e.waitMs, verb: e.verb, path: e.path, raw };
    pendingLines.push(line);
    if (pendingLines.length > 2 * THROTTLE_TAIL_LIMIT) pendingLines = pendingLines.slice(-THROTTLE_TAIL_LIMIT);
    if (!flushTimer) {
      flushTimer = setTimeout(flushLines, LINE_FLUSH_MS);
      flushTimer.unref();
    }
    opts.journal?.({ t, type: 'throttle', controller: target.id, waitMs: e.waitMs, verb: e.verb, path: e.path });
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
    const q = new URLSearchParams({ container: pod.container, follow: 'true' });
    if (since !== undefined) q.set('sinceSeconds', String(Math.max(1, Math.ceil((now() - since) / 1000))));
    const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(pod.name)}/log?${q}`;
    void followLog(
      kc,
      path,
      (l) => {
        f.lastLineAt = now();
        if (f.lines.accept(l)) onLogLine(target, l);
      },
      f.abort.signal,
    )
      .catch(() => undefined)
      .finally(() => {
        f.alive = false; // the next tick reconnects while the pod still exists
      });
  }

  async function podsOf(target: Target): Promise<{ pods: PodInfo[]; deployment?: DeploymentLike }> {
    let selector = target.labelSelector;
    let deployment: DeploymentLike | undefined;
    if (target.deployment) {
      deployment = (await client.get('apps/v1', 'Deployment', target.deployment, target.namespace)) as
        | DeploymentLike
        | undefined;
      if (!deployment) return { pods: [] };
      selector = selectorOf(deployment);
    }
    const pods = await client.list('v1', 'Pod', { namespace: target.namespace, labelSelector: selector });
    return {
      deployment,
      pods: pods
        .filter(
          (p) =>
            (p.status as { phase?: string } | undefined)?.phase !== 'Succeeded' &&
            !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp,
        )
        .map((p) => {
          const containers = (p.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? [];
          const started = (p.status as { startTime?: string } | undefined)?.startTime;
          return {
            name: p.metadata.name,
            container: (containers.find((c) => c.name === target.container) ?? containers[0])?.name ?? 'manager',
            startedAt: started ? Date.parse(started) : undefined,
          };
        }),
    };
  }

  async function sampleTarget(
    target: Target,
    usageByNs: Map<string, Promise<Map<string, Usage> | undefined>>,
    queueProbe: boolean,
  ): Promise<ControllerStatus | undefined> {
    const { pods, deployment } = await podsOf(target);
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
    const previous = store.getState().controllers[target.id];
    let depth = previous?.workqueueDepth;
    let depthNote: string | undefined = previous?.workqueueNote;
    let rate = previous?.reconcilesPerSecond;
    if (queueProbe && pods[0]) {
      const q = await workqueueDepth(kc, target.namespace, pods[0].name);
      depth = q.depth;
      depthNote = q.note;
      const before = reconcileReadings.get(target.id);
      const reading =
        q.reconcileTotal !== undefined ? { pod: pods[0].name, total: q.reconcileTotal, t: now() } : undefined;
      // A counter restarts with its pod: only two readings from the same pod make a rate.
      rate =
        reading && before && before.pod === reading.pod && reading.t > before.t
          ? Math.max(0, reading.total - before.total) / ((reading.t - before.t) / 1000)
          : undefined;
      if (reading) reconcileReadings.set(target.id, reading);
      else reconcileReadings.delete(target.id);
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
      ...(!metricsServed ? { metricsNote: 'no metrics-server' } : {}),
    };
  }

  async function sampleBacking(b: BackingTarget): Promise<BackingClusterStatus> {
    const tenants = Object.values(store.getState().clusters).filter(
      (c) => c.placement === b.name && c.phase !== 'deleted',
    ).length;
    const base: BackingClusterStatus = {
      name: b.name,
      endpoint: b.endpoint,
      healthy: false,
      tenants,
      capacity: b.capacity,
      apiserverPodsReady: 0,
      apiserverPods: 0,
    };
    try {
      const pods = await b.client.list('v1', 'Pod', {
        labelSelector: `${LABEL_COMPONENT}=${COMPONENT_WORKLOAD_APISERVER}`,
      });
      const ready = pods.filter((p) =>
        ((p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
      ).length;
      const nodes = await nodeUsage(b.client.config).catch(() => undefined);
      let cpuSum: number | undefined;
      let memSum: number | undefined;
      if (nodes) {
        cpuSum = 0;
        memSum = 0;
        for (const u of nodes.values()) {
          cpuSum += u.cpuMillicores;
          memSum += u.memoryBytes;
        }
      }
      const db = await b.etcdDbBytes?.().catch(() => undefined);
      return {
        ...base,
        healthy: true,
        apiserverPods: pods.length,
        apiserverPodsReady: ready,
        ...(cpuSum !== undefined ? { nodeCpuMillicores: cpuSum, nodeMemoryBytes: memSum } : {}),
        ...(db !== undefined ? { etcdDbBytes: db } : {}),
      };
    } catch (err) {
      return { ...base, message: `unreachable: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  async function pass(): Promise<void> {
    const usageByNs = new Map<string, Promise<Map<string, Usage> | undefined>>();
    askMetrics = metricsServed || now() >= metricsRetryAt;
    const queueProbe = now() - lastQueueProbe >= 60_000;
    if (queueProbe) lastQueueProbe = now();
    const statuses = await Promise.all(
      targets.map((t) =>
        sampleTarget(t, usageByNs, queueProbe).catch((err: Error) => {
          noteOnce(`sample-${t.id}`, `metrics: ${t.id}: ${err.message.split('\n')[0]}`);
          return undefined;
        }),
      ),
    );
    const backing = await Promise.all((opts.backing ?? []).map(sampleBacking));
    if (stopped) return;
    const t = now();
    store.setState((s) => {
      const controllers = { ...s.controllers };
      for (const st of statuses) if (st) controllers[st.id] = st;
      const perController = { ...s.throttling.perController };
      for (const [id, w] of windows) perController[id] = w.stats(t);
      const backingMap = { ...s.backing };
      for (const b of backing) backingMap[b.name] = b;
      const clusters = Object.values(s.clusters);
      return {
        controllers,
        throttling: { ...s.throttling, perController },
        backing: backingMap,
        timing: perStep(clusters),
        readyPerMinute: readyPerMinute(clusters),
      };
    });
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
      if (flushTimer) clearTimeout(flushTimer);
      flushLines();
      for (const f of followers.values()) f.abort.abort();
      await running?.catch(() => undefined);
    },
  };
}
