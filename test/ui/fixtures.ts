// Realistic store contents for UI tests: many clusters in every phase, the six tunable
// controllers with samples, backing clusters, throttling lines.
import {
  CONTROLLER_IDS,
  CREATE_PHASES,
  type BatchSummary,
  type ClusterRecord,
  type ClusterSelection,
  type ControllerId,
  type DeleteSummary,
  type EngineIntents,
  type Phase,
  type TuneRequest,
} from '../../src/core/types.js';
import { createScaleStore, initialState, type ScaleState, type ScaleStore } from '../../src/state/store.js';
import type { Page } from '../../src/ui/model/reducer.js';

export const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);

export function clusters(n: number, prefix = 'test'): Record<string, ClusterRecord> {
  const out: Record<string, ClusterRecord> = {};
  const phases: Phase[] = [...CREATE_PHASES, 'ready', 'ready', 'ready', 'failed', 'deleting'];
  for (let i = 1; i <= n; i++) {
    const phase = phases[i % phases.length]!;
    const queued = NOW - (n - i) * 1000 - 600_000;
    out[`${prefix}-${i}`] = {
      name: `${prefix}-${i}`,
      number: i,
      namespace: `${prefix}-${i}`,
      batchId: i <= n / 2 ? 'b1' : 'b2',
      placement: `backing-${(i % 3) + 1}`,
      phase,
      transitions: { queued, ...(phase === 'ready' ? { ready: queued + 120_000 } : {}) },
      ...(phase === 'failed' ? { failure: { step: 'wait-machine', reason: 'no Machine after 600 s', at: NOW } } : {}),
    };
  }
  return out;
}

export function fullState(n = 1000): ScaleState {
  const s = initialState();
  s.run = {
    runId: '20261125T020000-abcd',
    context: 'kind-kind',
    topology: 'backing',
    versions: { capi: 'v1.14.0', capm3: 'v1.13.2' },
    startedAt: NOW - 3_600_000,
  };
  s.clusters = clusters(n);
  s.batches = [
    {
      id: 'b1',
      requested: n / 2,
      clusters: Object.keys(s.clusters).slice(0, n / 2),
      backing: 'auto',
      startedAt: NOW - 3_000_000,
      endedAt: NOW - 1_000_000,
    },
    {
      id: 'b2',
      requested: n / 2,
      clusters: Object.keys(s.clusters).slice(n / 2),
      backing: 'auto',
      startedAt: NOW - 900_000,
    },
  ];
  for (const id of CONTROLLER_IDS) {
    s.controllers[id] = {
      id,
      namespace: `${id}-system`,
      deployment: `${id}-controller-manager`,
      flags:
        id === 'kcp'
          ? { concurrency: { 'kubeadmcontrolplane-concurrency': 10 }, qps: 20, burst: 30 }
          : { concurrency: {} },
      supportedConcurrencyFlags:
        id === 'kcp' ? ['kubeadmcontrolplane-concurrency'] : id === 'ipam' ? [] : [`${id}-concurrency`],
      supportsRateFlags: id !== 'bmo',
      rollout: 'idle',
      cpuMillicores: [10, 50, 200, 400, 350],
      memoryBytes: [50e6, 60e6, 80e6, 90e6, 100e6],
      ...(id === 'kcp' ? { workqueueDepth: 42, reconcilesPerSecond: 3.5 } : {}),
    };
  }
  for (const i of [1, 2, 3]) {
    s.backing[`backing-${i}`] = {
      name: `backing-${i}`,
      endpoint: `https://10.0.0.${i}:6443`,
      healthy: i !== 3,
      tenants: 300 + i,
      capacity: 400,
      apiserverPodsReady: 300,
      apiserverPods: 300 + i,
      etcdDbBytes: 1.5e9,
      nodeCpuMillicores: 12000,
      nodeMemoryBytes: 30e9,
      ...(i === 3 ? { message: 'connection refused' } : {}),
    };
  }
  s.throttling = {
    recent: [
      {
        t: NOW,
        controller: 'kcp',
        waitMs: 1040,
        verb: 'GET',
        path: '/apis/cluster.x-k8s.io/v1beta2/namespaces/{ns}/machines',
        raw: '',
      },
    ],
    perController: { kcp: { perMinute: 42, total: 900, p50Ms: 300, p95Ms: 1200, maxMs: 4000, topPaths: [] } },
  };
  s.timing = [{ upTo: 100, minutes: 9.5 }];
  s.queue = { paused: false, concurrency: 10, pending: 20, inFlight: 10 };
  return s;
}

export function storeWith(s: ScaleState): ScaleStore {
  return createScaleStore(s);
}

/** The log viewer's page as `l` opens it on the engine log (following, not wrapped), with `over` changed. */
export function logPage(over: Partial<Page & { kind: 'log' }> = {}): Page {
  return {
    kind: 'log',
    source: 'engine',
    scroll: 0,
    follow: true,
    wrap: false,
    timestamps: true,
    filter: '',
    sinceMs: 0,
    ...over,
  };
}

export type Call =
  | { m: 'addBatch'; count: number; backing?: string }
  | { m: 'deleteClusters'; selection: ClusterSelection }
  | { m: 'tune'; controller: ControllerId; request: TuneRequest }
  | { m: 'setConcurrency'; n: number }
  | { m: 'pause' }
  | { m: 'resume' };

/** The UI's contract is EngineIntents: this double records what the UI asked for. */
export function recordingIntents(): EngineIntents & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    addBatch: async ({ count, backing }): Promise<BatchSummary> => {
      calls.push({ m: 'addBatch', count, backing });
      return { batchId: 'bx', requested: count, ready: count, failed: 0, failures: [] };
    },
    deleteClusters: async (selection): Promise<DeleteSummary> => {
      calls.push({ m: 'deleteClusters', selection });
      return { deleted: [], failed: [] };
    },
    tune: async (controller, request) => {
      calls.push({ m: 'tune', controller, request });
    },
    setConcurrency: (n) => void calls.push({ m: 'setConcurrency', n }),
    pause: () => void calls.push({ m: 'pause' }),
    resume: () => void calls.push({ m: 'resume' }),
    shutdown: async () => undefined,
  };
}
