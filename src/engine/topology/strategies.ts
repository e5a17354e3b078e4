// The topology implementations (DESIGN.md §3, SEED §1.1).
import { UserError } from '../../core/errors.js';
import type { PlacementTarget } from '../allocate/allocate.js';
import type { ExperimentConfig } from '../config/schema.js';
import type { Topology } from '../../core/types.js';
import { MANAGEMENT_SITE, type ClusterPlace, type Site, type TopologyStrategy } from './types.js';
import { ShardSetup } from './sharded.js';
import { ensureCapdProvider } from './capd.js';
import { FarmTopology } from './farm-topology.js';
import type { ScaleStore } from '../../state/store.js';

export interface StrategyDeps {
  config: ExperimentConfig;
  management: Site;
  backing: Site[];
  /** The farm topology: where its state and farms.json live, and the host its farm binds. */
  stateDir?: string;
  farmHost?: () => string;
  /** The engine log (the farm topology reports its local farm's restarts there). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The farm topology polls its farms into the store's farm rows (farm-monitor.ts). */
  store?: ScaleStore;
}

abstract class Base implements TopologyStrategy {
  abstract readonly name: Topology;
  abstract readonly dedicatedApi: boolean;
  readonly sharedNamespace: boolean = false;
  constructor(protected readonly deps: StrategyDeps) {}
  namespaceFor(cluster: string, _placement: string | undefined): string {
    return cluster;
  }
  placementTargets(_used: Map<string, number>): PlacementTarget[] | undefined {
    return undefined;
  }
  abstract apiserverSite(c: ClusterPlace): Site | undefined;
  async setup(): Promise<void> {}
  async teardown(): Promise<void> {}
}

/** v1: one shared workload API in the management cluster. */
class Shared extends Base {
  readonly name = 'shared' as const;
  readonly dedicatedApi = false;
  apiserverSite(): Site | undefined {
    return undefined;
  }
}

/** v2: one kube-apiserver per cluster in the management cluster, tenants in one etcd. */
class Dedicated extends Base {
  readonly name = 'dedicated' as const;
  readonly dedicatedApi = true;
  apiserverSite(): Site {
    return this.deps.management;
  }
}

/** v3: kube-apiservers in backing clusters, tenants in each backing cluster's etcd. */
class Backing extends Base {
  readonly name = 'backing' as const;
  readonly dedicatedApi = true;
  override placementTargets(used: Map<string, number>): PlacementTarget[] {
    if (this.deps.backing.length === 0) {
      throw new UserError(
        'the backing topology needs at least one backing cluster',
        'Register one with `scale-tui backing add NAME --kubeconfig FILE`, or choose topology "dedicated".',
      );
    }
    return this.deps.backing.map((b) => ({ name: b.name, capacity: b.capacity ?? 100, used: used.get(b.name) ?? 0 }));
  }
  apiserverSite(c: ClusterPlace): Site {
    const site = this.deps.backing.find((b) => b.name === c.placement);
    if (!site)
      throw new UserError(
        `cluster ${c.name} is placed on backing cluster "${c.placement ?? '(none)'}", which is not registered`,
        'Register it again with `scale-tui backing add`, or delete the cluster.',
      );
    return site;
  }
}

/** Shared API, N shard namespaces each watched by its own KCP Deployment. */
class Sharded extends Base {
  readonly name = 'sharded' as const;
  readonly dedicatedApi = false;
  override readonly sharedNamespace = true;
  private readonly shards: ShardSetup;
  constructor(deps: StrategyDeps) {
    super(deps);
    this.shards = new ShardSetup(deps.management.client, deps.config);
  }
  override namespaceFor(_cluster: string, placement: string | undefined): string {
    if (!placement) throw new Error('sharded clusters need a shard placement');
    return placement;
  }
  override placementTargets(used: Map<string, number>): PlacementTarget[] {
    // Shards have no hard capacity: spread evenly by current count.
    return this.shards
      .namespaces()
      .map((name) => ({ name, capacity: Number.MAX_SAFE_INTEGER, used: used.get(name) ?? 0 }));
  }
  apiserverSite(): Site | undefined {
    return undefined;
  }
  override setup(): Promise<void> {
    return this.shards.ensure();
  }
  override teardown(): Promise<void> {
    return this.shards.remove();
  }
}

/** CAPD comparison (SEED §16.4): real Docker runs; clusters follow topology/capd.ts, not the Metal3 pipeline. */
class Capd extends Base {
  readonly name = 'capd' as const;
  readonly dedicatedApi = false;
  apiserverSite(): Site | undefined {
    return undefined;
  }
  override setup(): Promise<void> {
    return ensureCapdProvider(this.deps.management.client, this.deps.config.providers.capi);
  }
}

export function makeTopology(name: Topology, deps: StrategyDeps): TopologyStrategy {
  switch (name) {
    case 'shared':
      return new Shared(deps);
    case 'dedicated':
      return new Dedicated(deps);
    case 'backing':
      return new Backing(deps);
    case 'sharded':
      return new Sharded(deps);
    case 'capd':
      return new Capd(deps);
    case 'farm':
      return new FarmTopology({
        config: deps.config,
        stateDir: deps.stateDir ?? deps.config.stateDir,
        host: deps.farmHost ?? (() => deps.management.nodeHost),
        log: deps.log,
        store: deps.store,
      });
  }
}

export { MANAGEMENT_SITE };
