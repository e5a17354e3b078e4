// Reads each farm's control API (in-process or remote, same path) every few seconds into the
// store, where the TUI's farm row shows it. Why a poll and not a push: a remote farm is
// another process on another machine, and its control API already closes one metrics
// window every 5 s; reading it is one small GET per farm with a deadline.
import { setFarm, type FarmStatusView, type ScaleStore } from '../../state/store.js';

export interface FarmSource {
  name: string;
  /** Read at each round: a restarted farm's client changes it in place. */
  url: string;
  /** Restarts of the local farm after it died (farm-supervisor.ts). */
  restarts?: () => number;
}

interface ClustersBody {
  capacity: number;
  clusters: Array<{ listening: boolean; fault: Record<string, unknown> }>;
}

/** The figures the farm's GET /metrics gives, kept in the store's row under the same names. */
const METRIC_FIELDS = [
  'requestsPerSecond',
  'healthProbesPerSecond',
  'p50Ms',
  'p99Ms',
  'errors',
  'portForwardActive',
  'portForwardSessions',
] as const;
type MetricsBody = Pick<FarmStatusView, (typeof METRIC_FIELDS)[number]>;

const metricsOf = (m: MetricsBody | undefined): MetricsBody =>
  Object.fromEntries(METRIC_FIELDS.map((f) => [f, m ? m[f] : 0])) as MetricsBody;

async function getJson<T>(url: string, timeoutMs: number): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** One reading of one farm; an unreachable farm is a row saying so, not an error. */
export async function readFarm(src: FarmSource, timeoutMs = 3000): Promise<FarmStatusView> {
  try {
    const [c, m] = await Promise.all([
      getJson<ClustersBody>(`${src.url}/clusters`, timeoutMs),
      getJson<MetricsBody>(`${src.url}/metrics`, timeoutMs),
    ]);
    const restarts = src.restarts?.() ?? 0;
    return {
      name: src.name,
      url: src.url,
      ...(restarts > 0 ? { restarts } : {}),
      reachable: true,
      clusters: c.clusters.length,
      capacity: c.capacity,
      down: c.clusters.filter((x) => !x.listening).length,
      faulted: c.clusters.filter((x) => Object.keys(x.fault).length > 0).length,
      ...metricsOf(m),
    };
  } catch {
    return {
      name: src.name,
      url: src.url,
      reachable: false,
      clusters: 0,
      capacity: 0,
      down: 0,
      faulted: 0,
      ...metricsOf(undefined),
    };
  }
}

/** Polls every farm into the store until the returned stop() is called. */
export function monitorFarms(store: ScaleStore, sources: FarmSource[], intervalMs = 5000): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async (): Promise<void> => {
    const views = await Promise.all(sources.map((s) => readFarm(s)));
    if (stopped) return;
    for (const v of views) setFarm(store, v);
    timer = setTimeout(() => void round(), intervalMs);
    timer.unref();
  };
  void round();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
