// The engine's state, built once per session and handed to each operation (batch, delete,
// resume, adopt, status, tune, start-up) in ./, the way a CAPI reconciler builds one scope
// per reconcile and passes it down. It holds no copy of the run's clusters: those live in
// the store (src/state/store.ts) and are read from it; the scope holds only what the store
// does not (clients, informers, the pool, the journal handle, the abort signal).
//
// Phase changes reach the store through a per-tick batcher (src/state/phase-batch.ts): each
// store write copies the whole clusters map, and a watch burst moves many clusters in one tick.
// The journal still gets each change at once; the store gets the tick's changes in one write at
// the end of the tick (a microtask, so before any await resumes). Operations read the store
// through state(), which writes what is queued first, so no read here sees a phase late.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { UserError } from '../../core/errors.js';
import { Journal, listRuns, runJournalPath } from '../../core/journal/journal.js';
import { KubeClient, type KubeTarget } from '../../core/kube/client.js';
import { Informer } from '../../core/kube/informer.js';
import type { JournalEvent, Phase } from '../../core/types.js';
import { MANAGED_SELECTOR } from '../../manifests/labels.js';
import { createPhaseBatcher, type PhaseBatcher } from '../../state/phase-batch.js';
import { appendLog, type ScaleState, type ScaleStore, setQueue } from '../../state/store.js';
import type { ExperimentConfig } from '../config/schema.js';
import { ForwardSupervisor } from '../forward/supervisor.js';
import { redact } from '../log/redact.js';
import { DEFAULT_TIMEOUTS, type ManagementWatches, type PipelineContext, type Timeouts } from '../pipeline/context.js';
import { LABEL_COMPONENT_WORKLOAD_APISERVER } from '../pipeline/labels.js';
import type { ObjectSource } from '../pipeline/objects.js';
import { Pool } from '../pipeline/pool.js';
import type { WorkloadReach } from '../pipeline/reach.js';
import type { SiteHealth } from '../topology/site-health.js';
import { makeTopology } from '../topology/strategies.js';
import { type EtcdTenantAdmin, MANAGEMENT_SITE, type Site, type TopologyStrategy } from '../topology/types.js';
import type { MilestoneRecorder } from '../watch/milestones.js';

export interface BackingSiteOptions {
  name: string;
  target: KubeTarget;
  capacity: number;
  etcd: EtcdTenantAdmin;
  /** Where its NodePorts are reachable; default: the host of its API server URL. */
  nodeHost?: string;
}

export interface EngineOptions {
  config: ExperimentConfig;
  store: ScaleStore;
  management: KubeTarget;
  backing?: BackingSiteOptions[];
  /** The multi-tenant etcd of the management cluster (dedicated, and the shared API). */
  managementEtcd?: EtcdTenantAdmin;
  stateDir: string;
  runId?: string;
  reach?: WorkloadReach;
  /** Renders per-cluster objects; default binds src/manifests + src/engine/pki. */
  objects?: ObjectSource;
  now?: () => number;
  timeouts?: Partial<Timeouts>;
  /** Node host of the management cluster's NodePorts; default: host of its API URL. */
  managementNodeHost?: string;
  /** capd topology: renders one cluster's YAML; default runs `clusterctl generate cluster`. */
  capdRender?: (cluster: string, namespace: string) => Promise<string>;
}

function newRunId(now: number): string {
  const d = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${d}-${randomBytes(2).toString('hex')}`;
}

function hostOf(client: KubeClient): string {
  try {
    return new URL(client.server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '127.0.0.1';
  }
}

export class EngineScope {
  readonly runId: string;
  readonly counters = { creates: 0, skipped: 0 };
  readonly now: () => number;
  readonly store: ScaleStore;
  readonly config: ExperimentConfig;
  readonly management: Site;
  readonly sites = new Map<string, Site>();
  readonly topology: TopologyStrategy;
  /** Replaced once by start-up when the endpoint host is `auto` (ops/start.ts). */
  reach: WorkloadReach;
  readonly pool: Pool;
  readonly forwards: ForwardSupervisor;
  readonly timeouts: Timeouts;
  // Every in-flight wait listens on this signal; with hundreds of clusters in flight Node's
  // default of 10 listeners would print a leak warning over the TUI.
  readonly abortCtl = new AbortController();
  /** Set by start-up (ops/start.ts); every operation runs after it. */
  watches?: ManagementWatches;
  readonly siteDeployments = new Map<string, Informer>();
  readonly siteNamespaces = new Map<string, Informer>();
  siteHealth?: SiteHealth;
  milestones?: MilestoneRecorder;
  /** The shared/sharded topologies' one workload API, made once (ops/shared-api.ts). */
  sharedApi?: Promise<KubeClient>;
  /** This tick's phase changes, written to the store in one write (see the top of this file). */
  readonly phases: PhaseBatcher;
  private journal?: Journal;

  constructor(
    readonly opts: EngineOptions,
    readonly objects: ObjectSource,
  ) {
    setMaxListeners(0, this.abortCtl.signal);
    this.now = opts.now ?? Date.now;
    this.store = opts.store;
    this.phases = createPhaseBatcher(opts.store);
    this.config = opts.config;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    const mgmtClient = KubeClient.from(opts.management);
    this.management = {
      name: MANAGEMENT_SITE,
      client: mgmtClient,
      etcd: opts.managementEtcd,
      nodeHost: opts.managementNodeHost ?? hostOf(mgmtClient),
    };
    this.sites.set(MANAGEMENT_SITE, this.management);
    for (const b of opts.backing ?? []) {
      if (b.name === MANAGEMENT_SITE)
        throw new UserError(`a backing cluster cannot be called "${MANAGEMENT_SITE}"`, 'Rename it in the config.');
      const client = KubeClient.from(b.target);
      this.sites.set(b.name, {
        name: b.name,
        client,
        etcd: b.etcd,
        capacity: b.capacity,
        nodeHost: b.nodeHost ?? hostOf(client),
      });
    }
    this.topology = makeTopology(opts.config.topology, {
      config: opts.config,
      management: this.management,
      backing: this.backingSites(),
      stateDir: opts.stateDir,
      // The farm binds what CAPI dials: the resolved endpoint host (start-up resolves `auto`).
      farmHost: () => (this.reach.mode === 'port-forward' ? this.reach.host : this.management.nodeHost),
      log: (level, message) => this.log(level, message),
      store: this.store,
    });
    this.reach =
      opts.reach ??
      (opts.config.endpoint.mode === 'nodeport'
        ? { mode: 'nodeport', nodePortBase: 30000 }
        : { mode: 'port-forward', host: opts.config.endpoint.host, basePort: opts.config.endpoint.basePort });
    // The listen host is known once start-up has resolved `auto` against the cluster.
    this.forwards = new ForwardSupervisor(
      () => (this.reach.mode === 'port-forward' ? this.reach.host : '127.0.0.1'),
      (m) => this.log('warn', m),
    );
    const latest = listRuns(opts.stateDir).at(-1);
    this.runId = opts.runId ?? latest ?? newRunId(this.now());
    this.pool = new Pool(opts.config.batch.concurrency, (s) =>
      setQueue(this.store, { paused: s.paused, concurrency: s.concurrency, pending: s.pending, inFlight: s.inFlight }),
    );
  }

  get signal(): AbortSignal {
    return this.abortCtl.signal;
  }

  backingSites(): Site[] {
    return [...this.sites.values()].filter((s) => s !== this.management);
  }

  write(e: JournalEvent): void {
    if (!this.journal) this.journal = new Journal(runJournalPath(this.opts.stateDir, this.runId));
    this.journal.append(e);
  }

  closeJournal(): void {
    this.journal?.close();
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    // Error texts can carry a kubeconfig or a Secret echoed back by an API server.
    appendLog(this.store, level, redact(message), this.now());
  }

  /** The store's state with the queued phase changes written: what operations read. */
  state(): ScaleState {
    this.phases.flush();
    return this.store.getState();
  }

  /** A phase change: journal first, then the store at the end of the tick (the batcher). */
  record = (cluster: string, phase: Phase, given?: { step: string; reason: string }): void => {
    const t = this.now();
    // Failure reasons go to the journal, the store and the report: never a key or token.
    const failure = given && { step: given.step, reason: redact(given.reason) };
    this.write({
      t,
      type: 'phase',
      cluster,
      phase,
      ...(failure ? { step: failure.step, reason: failure.reason } : {}),
    });
    this.phases.setPhase({ name: cluster, phase, t, ...(failure ? { failure } : {}) });
  };

  /** Informer failures after start-up go to the engine log (they retry with backoff). */
  watchError(site: string): (message: string) => void {
    return (m) => this.log('warn', `${site}: ${m}`);
  }

  informerFor(site: Site, kind: 'deploy' | 'ns'): Informer {
    const map = kind === 'deploy' ? this.siteDeployments : this.siteNamespaces;
    let inf = map.get(site.name);
    if (!inf) {
      const onError = this.watchError(site.name);
      inf =
        kind === 'deploy'
          ? new Informer(site.client, 'apps/v1', 'Deployment', {
              labelSelector: LABEL_COMPONENT_WORKLOAD_APISERVER,
              onError,
            })
          : new Informer(site.client, 'v1', 'Namespace', { labelSelector: MANAGED_SELECTOR, onError });
      map.set(site.name, inf);
      void inf.start();
    }
    return inf;
  }

  /** What the per-cluster pipeline (src/engine/pipeline/) needs, over this scope. */
  context(): PipelineContext {
    return {
      config: this.config,
      runId: this.runId,
      topology: this.topology,
      management: this.management,
      sites: this.sites,
      objects: this.objects,
      watches: this.watches!,
      deployments: (s) => this.informerFor(s, 'deploy'),
      namespaces: (s) => this.informerFor(s, 'ns'),
      reach: this.reach,
      forwards: this.forwards,
      timeouts: this.timeouts,
      signal: this.signal,
      record: this.record,
      log: (l, m) => this.log(l, m),
      workloadClient: (yaml) => KubeClient.from({ kubeconfigYaml: yaml }),
      create: async (client, obj) => {
        const created = await client.createOrSkip(obj);
        if (created) this.counters.creates++;
        else this.counters.skipped++;
        return created;
      },
    };
  }
}
