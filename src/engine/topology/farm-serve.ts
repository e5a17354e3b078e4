// Starting a farm: the farm itself (src/sim/farm) plus its control API, bound to an address
// the management cluster's pods reach, with the control URL and token written beside its
// state so `scale-tui farm fault/status` on this machine find it.
//
// Why here and not in the CLI: `farm serve` (alone, or as the engine's background farm, see
// farm-process.ts) and tests that run a farm in their own process start it the same way;
// `auto` is resolved the way the port-forward endpoints resolve it (addresses.ts). Each farm
// holds its state dir's lock while it runs, so no second farm serves the same clusters.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Farm, type FarmOptions } from '../../sim/farm/farm.js';
import { startControlApi } from '../../sim/farm/control-api.js';
import type { PortForwardHook } from '../../sim/farm/cluster-server.js';
import type { FarmMetricsSnapshot } from '../../sim/farm/metrics.js';
import { FarmStateDir } from '../../sim/farm/state.js';
import { UserError } from '../../core/errors.js';
import { AUTO_HOST, endpointHostFor, pickNodeAddress } from './addresses.js';
import { FARM_CONTROL, FARM_LOG, FarmBusyError, acquireFarmLock, stopBackgroundFarm } from './farm-process.js';

export interface ServeFarmOptions {
  stateDir: string;
  /** An address, or 'auto': this machine's address on the management cluster's node network. */
  host: string;
  advertiseHost?: string;
  basePort: number;
  /** 0 = any free port. */
  controlPort: number;
  capacity: number;
  /** The management cluster, for host 'auto'. */
  kubeconfig?: string;
  kubernetesVersion?: string;
  portForward?: PortForwardHook;
  /** How often a metrics window closes and is journaled (default 5000 ms). */
  metricsIntervalMs?: number;
  /** Started by the engine to outlive it (farm-process.ts): marked so in its lock. */
  background?: boolean;
  /** Stop a background farm serving the same state dir and serve in its place. */
  takeOver?: boolean;
}

export interface FarmHandle {
  farm: Farm;
  controlUrl: string;
  token: string;
  restoreMs: number;
  /** The pid of the background farm this one replaced (takeOver), if any. */
  tookOverFrom?: number;
  close(): Promise<void>;
}

/** Resolves `auto` to the local address facing the management cluster's first Ready node. */
export async function resolveFarmHost(host: string, kubeconfig: string | undefined): Promise<string> {
  if (host !== AUTO_HOST) return host;
  if (!kubeconfig)
    throw new UserError(
      '--host auto needs the management cluster to find the address its pods reach this machine on',
      'pass --kubeconfig FILE of the management cluster, or give --host the address (kind: `docker network inspect kind` Gateway)',
    );
  // Loaded only here: the Kubernetes client costs ~1 s to import, `farm serve` restarts must be quick.
  const { KubeClient } = await import('../../core/kube/client.js');
  const client = KubeClient.from({ kubeconfigPath: kubeconfig });
  const node = pickNodeAddress(await client.list('v1', 'Node'));
  if (!node)
    throw new UserError(
      'the management cluster has no Ready node with an InternalIP',
      'check `kubectl get nodes -o wide`, or give --host',
    );
  return endpointHostFor(AUTO_HOST, node);
}

/** The control token kept across restarts (clients keep working after the farm restarts). */
function controlToken(state: FarmStateDir): string {
  const path = join(state.root, 'control-token');
  if (existsSync(path)) {
    const t = readFileSync(path, 'utf8').trim();
    if (t.length >= 32) return t;
  }
  const t = randomBytes(24).toString('hex');
  state.writePrivate('control-token', `${t}\n`);
  return t;
}

/**
 * One farm per state dir: two would serve the same clusters on the same ports and write the
 * same state files. A background farm (the engine's) gives way to `farm serve` when asked.
 */
async function lockStateDir(o: ServeFarmOptions): Promise<{ release: () => void; tookOver?: number }> {
  try {
    return { release: acquireFarmLock(o.stateDir, o.background === true) };
  } catch (err) {
    if (!(err instanceof FarmBusyError)) throw err;
    if (!(err.holder.background && o.takeOver))
      throw new UserError(
        err.message,
        err.holder.background
          ? 'stop it with `scale-tui farm stop`, or use it as it is (`scale-tui farm status`)'
          : 'stop that farm first, or give this one another --state-dir',
      );
    await stopBackgroundFarm(o.stateDir);
    return { release: acquireFarmLock(o.stateDir, o.background === true), tookOver: err.holder.pid };
  }
}

export async function serveFarm(o: ServeFarmOptions): Promise<FarmHandle> {
  const host = await resolveFarmHost(o.host, o.kubeconfig);
  const lock = await lockStateDir(o);
  try {
    return await openLocked(o, host, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openLocked(
  o: ServeFarmOptions,
  host: string,
  lock: { release: () => void; tookOver?: number },
): Promise<FarmHandle> {
  const t0 = performance.now();
  const opts: FarmOptions = {
    stateDir: o.stateDir,
    host,
    advertiseHost: o.advertiseHost,
    basePort: o.basePort,
    capacity: o.capacity,
    kubernetesVersion: o.kubernetesVersion,
    portForward: o.portForward,
  };
  let farm: Farm;
  try {
    farm = await Farm.open(opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UserError(
        `a saved farm cluster's port is taken (${(err as Error).message})`,
        'stop the other farm using this state dir (or the program on that port), then start again',
      );
    throw err;
  }
  const restoreMs = performance.now() - t0;
  const state = new FarmStateDir(o.stateDir);
  const token = controlToken(state);
  // One metrics window every 5 s, shared by the control API (the TUI's farm row) and the
  // farm's journal (metrics.jsonl beside its state, for the report).
  const journal = join(o.stateDir, 'metrics.jsonl');
  let latest: FarmMetricsSnapshot = farm.metrics.snapshot();
  const tick = setInterval(() => {
    latest = farm.metrics.snapshot();
    const { topClusters: _top, ...figures } = latest;
    appendFileSync(journal, `${JSON.stringify({ t: latest.at, type: 'farm-metrics', ...figures })}\n`, { mode: 0o600 });
  }, o.metricsIntervalMs ?? 5000);
  tick.unref();
  const api = await startControlApi({ farm, host, port: o.controlPort, token, metrics: () => latest });
  const control = {
    url: api.url,
    pid: process.pid,
    background: o.background === true,
    ...(o.background ? { log: join(o.stateDir, FARM_LOG) } : {}),
  };
  state.writePrivate(FARM_CONTROL, `${JSON.stringify(control)}\n`);
  return {
    farm,
    controlUrl: api.url,
    token,
    restoreMs,
    tookOverFrom: lock.tookOver,
    close: async () => {
      clearInterval(tick);
      await api.close();
      await farm.close();
      const controlPath = join(o.stateDir, FARM_CONTROL);
      try {
        if ((JSON.parse(readFileSync(controlPath, 'utf8')) as { pid?: number }).pid === process.pid)
          rmSync(controlPath, { force: true });
      } catch {
        // already gone or rewritten by another farm: not ours to remove
      }
      lock.release();
    },
  };
}
