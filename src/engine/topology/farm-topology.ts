// The `farm` topology: every workload cluster's API is served by a farm (src/sim/farm), not
// by a kube-apiserver Deployment. Which farms: the remote ones added with `scale-tui farm
// add` (<stateDir>/farms.json), or, when there are none, the local farm: the one serving
// <stateDir>/farm on this machine, or a background `scale-tui farm serve` the engine starts
// (farm-process.ts), so the clusters stay reachable after `create` exits. `delete --all`
// stops that background farm once it serves no cluster. While an engine runs, a local farm
// that dies is started again (farm-supervisor.ts). A cluster's placement is the name
// of the farm that serves it, chosen by free capacity like backing clusters are.
//
// setup() runs before every batch, not once per engine: a TUI session lives through
// `delete --all` (which stops the local farm) and then creates again, and that batch needs
// the farm back. When the farm serves, the check is a few file reads and no request.
//
// Why a strategy of its own and not a Site: a farm is no Kubernetes cluster (no Deployment,
// Service or etcd tenant to write); it is reached through its FKAS-style control API only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PlacementTarget } from '../allocate/allocate.js';
import type { ExperimentConfig } from '../config/schema.js';
import { UserError } from '../../core/errors.js';
import { FarmClient, type FarmCapacity } from './farm.js';
import { readFarms } from './farm-registry.js';
import { FARM_LOCK, ensureLocalFarm, findLocalFarm, stopBackgroundFarm, type LocalFarm } from './farm-process.js';
import { type FarmRestarts, type FarmSupervisor, readFarmRestarts, superviseLocalFarm } from './farm-supervisor.js';
import { monitorFarms } from './farm-monitor.js';
import type { ScaleStore } from '../../state/store.js';
import type { ClusterPlace, Site, TopologyStrategy } from './types.js';

/** The name of the in-process farm (not a name `farm add` accepts for another farm). */
export const LOCAL_FARM = 'local';

export interface FarmTopologyDeps {
  config: ExperimentConfig;
  stateDir: string;
  /** The address the management cluster's pods reach this machine on (resolved endpoint host). */
  host: () => string;
  /** The engine log (the local farm's restarts are reported there). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Where each farm's row is kept for the TUI (polled every 5 s; none: no polling). */
  store?: ScaleStore;
}

export class FarmTopology implements TopologyStrategy {
  readonly name = 'farm' as const;
  /** Each cluster has its own workload API (on the farm): no shared API server is made. */
  readonly dedicatedApi = true;
  readonly sharedNamespace = false;
  private readonly clients = new Map<string, FarmClient>();
  private capacities: FarmCapacity[] = [];
  /** The local farm in use (undefined with remote farms); `started`: by this session. */
  private local?: LocalFarm & { started: boolean };
  private starting?: Promise<void>;
  /** start() has finished: its farms are known and their capacity read. */
  private ready = false;
  /** This engine stopped the local farm (`delete --all` left it empty). */
  private stoppedHere = false;
  /** Restarts the local farm if it dies while this engine runs (farm-supervisor.ts). */
  private supervisor?: FarmSupervisor;
  private stopMonitor?: () => void;

  constructor(private readonly deps: FarmTopologyDeps) {}

  namespaceFor(cluster: string): string {
    return cluster;
  }

  /** Free room per answering farm; a farm's own count may include clusters of other runs. */
  placementTargets(used: Map<string, number>): PlacementTarget[] {
    const open = this.capacities.filter((c) => c.reachable);
    if (open.length === 0)
      throw new UserError(
        'the farm topology has no farm that answers',
        'start one with `scale-tui farm serve` and add it with `scale-tui farm add NAME --url URL`, or remove <stateDir>/farms.json to use the in-process farm',
      );
    return open.map((c) => ({ name: c.name, capacity: c.capacity, used: Math.max(used.get(c.name) ?? 0, c.used) }));
  }

  apiserverSite(_c: ClusterPlace): Site | undefined {
    return undefined;
  }

  /** The client of the farm serving a cluster; throws a UserError naming an unknown farm. */
  client(placement: string | undefined): FarmClient {
    const c = placement ? this.clients.get(placement) : undefined;
    if (!c)
      throw new UserError(
        `the cluster is placed on farm "${placement ?? '(none)'}", which is not known`,
        'add it again with `scale-tui farm add NAME --url URL`, or delete the cluster',
      );
    return c;
  }

  /** Every farm in use (delete of a cluster whose placement was lost asks them all). */
  allClients(): FarmClient[] {
    return [...this.clients.values()];
  }

  /**
   * Before the engine's first operation and before each batch: the farms are known and the
   * local one serves. A local farm that is gone and that no supervisor brings back (this
   * engine's `delete --all` stopped it, `farm stop` did, or the supervisor gave up) is
   * started again, with a new supervisor and monitor. Concurrent callers share one start.
   */
  setup(): Promise<void> {
    if (this.ready && this.localGone()) {
      this.deps.log?.(
        'info',
        `farm: starting the background farm again for this batch (${this.stoppedHere ? 'delete --all stopped it' : 'it is not running'}); it serves ${this.localDir}`,
      );
      this.ready = false;
      this.starting = undefined;
    }
    this.starting ??= this.start().then(
      () => {
        this.ready = true;
        this.stoppedHere = false;
      },
      (err: unknown) => {
        this.starting = undefined;
        throw err;
      },
    );
    return this.starting;
  }

  /** The local farm in use no longer runs, and it is not the supervisor's to restart. */
  private localGone(): boolean {
    if (!this.local || findLocalFarm(this.localDir)) return false;
    // A lock left by a farm that died is a crash: the supervisor restarts it while it tries.
    return !this.supervisor?.active || !existsSync(join(this.localDir, FARM_LOCK));
  }

  private async start(): Promise<void> {
    const remote = readFarms(this.deps.stateDir);
    if (remote.length > 0) {
      for (const ref of remote) this.clients.set(ref.name, new FarmClient(ref));
    } else {
      const f = this.deps.config.farm;
      const start = {
        dir: this.localDir,
        host: this.deps.host(),
        basePort: f.basePort,
        capacity: f.capacity,
        kubernetesVersion: this.deps.config.cluster.kubernetesVersion,
      };
      this.local = await ensureLocalFarm(start);
      const client = new FarmClient({ name: LOCAL_FARM, url: this.local.url, token: this.local.token });
      this.clients.set(LOCAL_FARM, client);
      this.supervisor?.stop();
      this.supervisor = superviseLocalFarm({
        start,
        current: this.local,
        log: (level, message) => this.deps.log?.(level, message),
        onChange: (next) => {
          // The pipelines hold this client: its address changes in place.
          this.local = { ...next, started: this.local?.started ?? false };
          client.ref.url = next.url;
          client.ref.token = next.token;
        },
      });
    }
    this.capacities = await Promise.all([...this.clients.values()].map((c) => c.capacity()));
    this.stopMonitor?.();
    if (this.deps.store) {
      // The URL is read at each round: a restarted local farm's client follows it in place.
      const sources = [...this.clients.values()].map((c) => ({
        name: c.ref.name,
        get url() {
          return c.ref.url;
        },
        ...(c.ref.name === LOCAL_FARM ? { restarts: () => this.supervisor?.restarts ?? 0 } : {}),
      }));
      this.stopMonitor = monitorFarms(this.deps.store, sources);
    }
  }

  /** The local farm's state dir (what a background farm serves). */
  get localDir(): string {
    return join(this.deps.stateDir, 'farm');
  }

  /** The local farm as it runs now, with its cluster count; read-only (starts nothing). */
  async localFarm(): Promise<(LocalFarm & { clusters?: number; restarts?: FarmRestarts }) | undefined> {
    const found = findLocalFarm(this.localDir);
    if (!found) return undefined;
    const cap = await new FarmClient({ name: LOCAL_FARM, url: found.url, token: found.token }).capacity();
    const { token: _token, ...shown } = found;
    const restarts = readFarmRestarts(this.localDir);
    return {
      ...shown,
      ...(cap.reachable ? { clusters: cap.used } : {}),
      ...(restarts.count > 0 || restarts.gaveUp ? { restarts } : {}),
    };
  }

  /** After `delete --all`: the background farm stops once it serves no cluster (a failed delete keeps it). */
  async teardown(): Promise<void> {
    await this.stopIfEmpty();
  }

  /**
   * The background farm outlives the session: that is what keeps the clusters reachable.
   * One this session started and left empty (every create failed before registering) goes.
   */
  async close(): Promise<void> {
    this.stopMonitor?.();
    this.stopMonitor = undefined;
    this.supervisor?.stop();
    this.supervisor = undefined;
    if (this.local?.started) await this.stopIfEmpty().catch(() => undefined);
    this.local = undefined;
    this.starting = undefined;
    this.ready = false;
  }

  private async stopIfEmpty(): Promise<void> {
    const local = this.local ? this.clients.get(LOCAL_FARM) : undefined;
    if (!local || !this.local?.background) return;
    const cap = await local.capacity();
    if (!cap.reachable || cap.used !== 0) return;
    // Stopped on purpose: the supervisor must not start it again.
    this.supervisor?.stop();
    this.supervisor = undefined;
    if (await stopBackgroundFarm(this.localDir)) this.stoppedHere = true;
  }
}
