// The one Engine per session (DESIGN.md §2, §5): the TUI, the CLI and the demo all build
// it with createEngine(). It allocates clusters, runs the per-cluster pipeline in a
// bounded pool, journals every transition, resumes after a crash, deletes, and tunes.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { KubeObject } from '../manifests/types.js';
import { LABEL_BATCH, LABEL_CLUSTER, MANAGED_SELECTOR } from '../manifests/labels.js';
import {
  addBatch,
  appendLog,
  endBatch,
  removeCluster,
  type ScaleStore,
  setPhase,
  setQueue,
  startRun,
  upsertCluster,
} from '../state/store.js';
import { resolveSelection } from '../state/selection.js';
import { allocate, usedNumbers } from './allocate/allocate.js';
import type { ExperimentConfig } from './config/schema.js';
import { UserError } from '../core/errors.js';
import { ForwardSupervisor } from './forward/supervisor.js';
import { Journal, listRuns, readJournal, runJournalPath } from '../core/journal/journal.js';
import { replay, type ReplayState } from '../core/journal/replay.js';
import { KubeClient, type KubeTarget } from '../core/kube/client.js';
import { DEFAULT_TIMEOUTS, type ManagementWatches, type PipelineContext, type Timeouts } from './pipeline/context.js';
import {
  bringUpApi,
  clusterSpec,
  createCluster,
  createObjects,
  sharedApiName,
  sharedApiNamespace,
} from './pipeline/create.js';
import { deleteCluster } from './pipeline/delete.js';
import type { ClusterSpec, ObjectSource } from './pipeline/objects.js';
import { Pool } from './pipeline/pool.js';
import { endpointFor, maxNumberFor, type WorkloadReach } from './pipeline/reach.js';
import { makeTopology } from './topology/strategies.js';
import { AUTO_HOST, endpointHostFor, nodePortHost } from './topology/addresses.js';
import { SiteHealth } from './topology/site-health.js';
import { clusterctlRenderer, createCapdCluster } from './topology/capd.js';
import { FarmTopology } from './topology/farm-topology.js';
import { createFarmCluster, deleteFarmCluster } from './topology/farm-pipeline.js';
import type { FarmFault } from './topology/farm.js';
import { type FarmFaultChange, farmFault } from './topology/farm-fault.js';
import { writePrivateFile } from '../core/pki/index.js';
import { MANAGEMENT_SITE, type EtcdTenantAdmin, type Site, type TopologyStrategy } from './topology/types.js';
import type {
  BatchOptions,
  BatchRecord,
  BatchSummary,
  ClusterRecord,
  ClusterSelection,
  ControllerId,
  DeleteSummary,
  EngineIntents,
  JournalEvent,
  Phase,
  TuneRequest,
} from '../core/types.js';
import { Informer } from '../core/kube/informer.js';
import { syncAll } from '../core/kube/sync-all.js';
import { recordMilestones, type MilestoneRecorder } from './watch/milestones.js';
import { redact } from './log/redact.js';
import { API } from './watch/capi-state.js';
import { tune as tuneController } from './tune/tune.js';
import { setVerbosity } from './tune/verbosity.js';
import { LABEL_COMPONENT_WORKLOAD_APISERVER } from './pipeline/labels.js';

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

export interface StatusReport {
  clusters: ClusterRecord[];
  /** Labelled namespaces still present, per site. */
  namespaces: Record<string, string[]>;
  /** Backing clusters that did not answer, with why: status still reports the rest. */
  unreachable: Record<string, string>;
  forwarders: number;
}

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

function unlimitedListeners(c: AbortController): AbortController {
  setMaxListeners(0, c.signal);
  return c;
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

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const objects =
    opts.objects ?? (await import('./pipeline/default-objects.js')).defaultObjectSource(opts.config, opts.stateDir);
  return new EngineImpl(opts, objects);
}

class EngineImpl implements Engine {
  readonly runId: string;
  readonly counters = { creates: 0, skipped: 0 };
  private readonly now: () => number;
  private readonly store: ScaleStore;
  private readonly config: ExperimentConfig;
  private readonly management: Site;
  private readonly sites = new Map<string, Site>();
  private readonly topology: TopologyStrategy;
  private reach: WorkloadReach;
  private readonly pool: Pool;
  private readonly forwards: ForwardSupervisor;
  private journal?: Journal;
  // Every in-flight wait listens on this signal; with hundreds of clusters in flight Node's
  // default of 10 listeners would print a leak warning over the TUI.
  private abortCtl = unlimitedListeners(new AbortController());
  private started?: Promise<void>;
  private watches?: ManagementWatches;
  private readonly siteDeployments = new Map<string, Informer>();
  private readonly siteNamespaces = new Map<string, Informer>();
  private readonly timeouts: Timeouts;
  private sharedApi?: Promise<KubeClient>;
  private siteHealth?: SiteHealth;
  private milestones?: MilestoneRecorder;
  private closed = false;

  constructor(
    private readonly opts: EngineOptions,
    private readonly objects: ObjectSource,
  ) {
    this.now = opts.now ?? Date.now;
    this.store = opts.store;
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
      backing: [...this.sites.values()].filter((s) => s !== this.management),
      stateDir: opts.stateDir,
      // The farm binds what CAPI dials: the resolved endpoint host (start() resolves `auto`).
      farmHost: () => (this.reach.mode === 'port-forward' ? this.reach.host : this.management.nodeHost),
    });
    this.reach =
      opts.reach ??
      (opts.config.endpoint.mode === 'nodeport'
        ? { mode: 'nodeport', nodePortBase: 30000 }
        : { mode: 'port-forward', host: opts.config.endpoint.host, basePort: opts.config.endpoint.basePort });
    // The listen host is known once start() has resolved `auto` against the cluster.
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

  // ---------- plumbing ----------

  private write(e: JournalEvent): void {
    if (!this.journal) this.journal = new Journal(runJournalPath(this.opts.stateDir, this.runId));
    this.journal.append(e);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    // Error texts can carry a kubeconfig or a Secret echoed back by an API server.
    appendLog(this.store, level, redact(message), this.now());
  }

  private record = (cluster: string, phase: Phase, given?: { step: string; reason: string }): void => {
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
    setPhase(this.store, cluster, phase, t, failure);
    const rec = this.store.getState().clusters[cluster];
    if (rec) this.localRecords.set(cluster, rec);
  };

  /** Informer failures after start-up go to the engine log (they retry with backoff). */
  private watchError(site: string): (message: string) => void {
    return (m) => this.log('warn', `${site}: ${m}`);
  }

  /** The pipeline reads its own record (transitions) from here; kept in step with the store. */
  private localRecords = new Map<string, ClusterRecord>();

  private informerFor(site: Site, kind: 'deploy' | 'ns'): Informer {
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

  private context(): PipelineContext {
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
      signal: this.abortCtl.signal,
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

  private start(): Promise<void> {
    if (this.closed) return Promise.reject(new UserError('the engine has been shut down', 'Start a new session.'));
    this.started ??= (async () => {
      const c = this.management.client;
      const onError = this.watchError(MANAGEMENT_SITE);
      const mk = (a: { apiVersion: string; kind: string }, sel?: string) =>
        new Informer(c, a.apiVersion, a.kind, { labelSelector: sel, onError });
      this.watches = {
        cluster: mk(API.cluster),
        kcp: mk(API.kcp),
        machine: mk(API.machine),
        m3m: mk(API.m3m),
        bmh: mk(API.bmh, MANAGED_SELECTOR),
        namespace: mk(API.namespace, MANAGED_SELECTOR),
      };
      this.siteNamespaces.set(MANAGEMENT_SITE, this.watches.namespace);
      await syncAll(Object.values(this.watches));
      this.startMilestones();
      await this.resolveAddresses();
      this.startSiteHealth();
      await this.topology.setup();
      const started = startRun(this.store, {
        runId: this.runId,
        context: this.management.client.server,
        topology: this.topology.name,
        versions: { ...this.config.providers },
        startedAt: this.now(),
      });
      if (started) {
        this.write({
          t: this.now(),
          type: 'run-start',
          runId: this.runId,
          topology: this.topology.name,
          context: this.management.client.server,
          versions: { ...this.config.providers },
        });
        this.write({ t: this.now(), type: 'run-config', source: 'engine', config: { ...this.config } });
      }
    })();
    return this.started;
  }

  /** Journals the first True of each CAPI/CAPM3/BMO condition per cluster of this engine (phase latencies). */
  private startMilestones(): void {
    const seen = readJournal(runJournalPath(this.opts.stateDir, this.runId))
      .filter((e) => e.type === 'milestone')
      .map((e): [string, string] => [e.cluster, e.milestone]);
    this.milestones = recordMilestones(
      this.watches!,
      (cluster) => this.store.getState().clusters[cluster] !== undefined,
      (cluster, milestone) => this.write({ t: this.now(), type: 'milestone', cluster, milestone }),
      seen,
    );
  }

  /** Backing clusters are probed on their own, so one that goes silent fails only its clusters (site-health.ts). */
  private startSiteHealth(): void {
    const backing = [...this.sites.values()].filter((s) => s !== this.management);
    if (backing.length === 0 || this.topology.name !== 'backing') return;
    this.siteHealth = new SiteHealth(
      backing.map((site) => ({
        name: site.name,
        probe: async () => void (await site.client.get('v1', 'Namespace', 'kube-system')),
      })),
      {
        onChange: (site, up, reason) =>
          this.log(
            up ? 'info' : 'error',
            `backing cluster ${site} ${up ? 'answers again' : `is down: ${reason}; its clusters in flight fail`}`,
          ),
      },
    );
    this.siteHealth.start();
  }

  /** NodePort hosts of loopback sites and an `auto` endpoint host, from what the clusters say (addresses.ts). */
  private async resolveAddresses(): Promise<void> {
    for (const site of this.sites.values()) {
      const given =
        site === this.management
          ? this.opts.managementNodeHost
          : this.opts.backing?.find((b) => b.name === site.name)?.nodeHost;
      if (given) continue;
      try {
        site.nodeHost = await nodePortHost(site.client, site.nodeHost);
      } catch (err) {
        // Listing Nodes may be forbidden to a narrow identity: keep the API host and say so.
        this.log(
          'warn',
          `${site.name}: cannot list Nodes (${(err as Error).message.split('\n')[0]}); NodePorts are dialled at ${site.nodeHost}`,
        );
      }
    }
    if (this.reach.mode === 'port-forward' && this.reach.host === AUTO_HOST) {
      this.reach = { ...this.reach, host: endpointHostFor(AUTO_HOST, this.management.nodeHost) };
      this.log(
        'info',
        `workload API endpoints: ${this.reach.host}:${this.reach.basePort}+N (this machine, as the management cluster's nodes reach it)`,
      );
    }
  }

  /** Shared/sharded: the one workload API all clusters use (created once, idempotent). */
  private ensureSharedApi(): Promise<KubeClient> {
    this.sharedApi ??= (async () => {
      const ctx = this.context();
      const name = sharedApiName(ctx);
      const ns = sharedApiNamespace(ctx);
      const rec: ClusterRecord = {
        name,
        number: 0,
        namespace: ns,
        batchId: 'shared',
        phase: 'queued',
        transitions: {},
      };
      const spec: ClusterSpec = {
        runId: this.runId,
        batchId: 'shared',
        topology: this.topology.name,
        cluster: name,
        number: 0,
        namespace: ns,
        endpoint: endpointFor(this.reach, this.management, 0),
        apiserverNamespace: ns,
        serviceType: 'NodePort',
        nodePort: this.reach.mode === 'nodeport' ? this.reach.nodePortBase : undefined,
      };
      await createObjects(
        ctx,
        this.management.client,
        (await this.objects.apiserver(spec)).filter((o) => o.kind !== 'Deployment'),
        rec,
      );
      await this.opts.managementEtcd?.ensureTenant(name);
      return bringUpApi(ctx, rec, spec, this.management).catch((err: Error) => {
        this.sharedApi = undefined;
        throw new UserError(
          `the shared workload API did not come up: ${err.message}`,
          `Check the management cluster can run the apiserver Deployment (kubectl -n ${ns} describe deploy).`,
        );
      });
    })();
    return this.sharedApi;
  }

  // ---------- intents ----------

  async addBatch(opts: BatchOptions): Promise<BatchSummary> {
    if (!Number.isInteger(opts.count) || opts.count < 1)
      throw new UserError(`cannot create ${opts.count} clusters`, 'Ask for a whole number of clusters, at least 1.');
    await this.start();
    const prior = replay(this.allJournalEvents());
    const names = new Set<string>([...prior.clusters.keys(), ...Object.keys(this.store.getState().clusters)]);
    for (const site of this.sites.values()) {
      for (const ns of await site.client.list('v1', 'Namespace')) names.add(ns.metadata.name);
    }
    for (const c of this.watches!.cluster.list()) names.add(c.metadata.name);
    const used = usedNumbers(this.config.naming.prefix, names);
    const perPlacement = new Map<string, number>();
    for (const c of Object.values(this.store.getState().clusters))
      if (c.placement) perPlacement.set(c.placement, (perPlacement.get(c.placement) ?? 0) + 1);
    const targets = this.topology.placementTargets(perPlacement);
    if (targets === undefined && opts.backing !== undefined && opts.backing !== 'auto') {
      throw new UserError(
        `--backing ${opts.backing}: the ${this.topology.name} topology places no cluster on a backing cluster`,
        'Drop --backing, or set topology: backing in the config.',
      );
    }
    const allocations = allocate({
      prefix: this.config.naming.prefix,
      count: opts.count,
      used,
      floor: prior.maxNumber,
      targets,
      only: opts.backing,
      maxNumber: maxNumberFor(this.reach),
    });
    const batchId = `b${this.now().toString(36)}${randomBytes(1).toString('hex')}`;
    const t = this.now();
    const batch: BatchRecord = {
      id: batchId,
      requested: opts.count,
      clusters: allocations.map((a) => a.name),
      backing: opts.backing ?? 'auto',
      startedAt: t,
    };
    this.write({ t, type: 'batch-start', batchId, requested: opts.count, backing: batch.backing });
    addBatch(this.store, batch);
    const records: ClusterRecord[] = allocations.map((a) => {
      const namespace = this.topology.namespaceFor(a.name, a.placement);
      // Journalled before anything is created: a crash after this line leaves no orphan.
      this.write({
        t,
        type: 'allocated',
        cluster: a.name,
        number: a.number,
        namespace,
        batchId,
        ...(a.placement ? { placement: a.placement } : {}),
      });
      const rec: ClusterRecord = {
        name: a.name,
        number: a.number,
        namespace,
        batchId,
        placement: a.placement,
        phase: 'queued',
        transitions: { queued: t },
      };
      upsertCluster(this.store, rec);
      this.localRecords.set(a.name, rec);
      return rec;
    });
    this.log(
      'info',
      `batch ${batchId}: ${records.length} clusters queued (${records[0]?.name}..${records.at(-1)?.name})`,
    );
    return this.runCreates(batchId, records);
  }

  private async runCreates(batchId: string, records: ClusterRecord[]): Promise<BatchSummary> {
    const capd = this.topology.name === 'capd';
    const farm = this.topology instanceof FarmTopology ? this.topology : undefined;
    if (
      !capd &&
      !farm &&
      this.topology.apiserverSite(records[0] ?? { name: '', number: 0, namespace: '' }) === undefined &&
      records.length > 0
    )
      await this.ensureSharedApi();
    const ctx = this.context();
    const render = capd ? this.capdRender() : undefined;
    const results = await Promise.all(
      records.map((r) =>
        this.pool
          .run(() =>
            render
              ? createCapdCluster(ctx, this.localRecords.get(r.name) ?? r, render)
              : farm
                ? createFarmCluster(ctx, farm, this.localRecords.get(r.name) ?? r)
                : createCluster(
                    ctx,
                    this.localRecords.get(r.name) ?? r,
                    r.placement ? this.siteHealth?.signal(r.placement) : undefined,
                  ),
          )
          .catch((err: Error) => {
            if (this.abortCtl.signal.aborted) return 'aborted' as const;
            throw err;
          }),
      ),
    );
    if (this.abortCtl.signal.aborted)
      throw new UserError(
        'the engine was stopped before the batch finished',
        'Run `scale-tui create --resume` to finish it.',
      );
    const failures = records
      .map((r) => this.store.getState().clusters[r.name])
      .filter((c): c is ClusterRecord => c?.phase === 'failed')
      .map((c) => ({ cluster: c.name, step: c.failure?.step ?? 'unknown', reason: c.failure?.reason ?? 'unknown' }));
    const ready = results.filter((r) => r === 'ready').length;
    const t = this.now();
    this.write({ t, type: 'batch-end', batchId, ready, failed: failures.length });
    endBatch(this.store, batchId, t);
    this.log(failures.length ? 'warn' : 'info', `batch ${batchId}: ${ready} ready, ${failures.length} failed`);
    return { batchId, requested: records.length, ready, failed: failures.length, failures };
  }

  private capdRender(): (cluster: string, namespace: string) => Promise<string> {
    if (this.opts.capdRender) return this.opts.capdRender;
    const m = this.opts.management;
    let kubeconfig = m.kubeconfigPath;
    if (!kubeconfig && m.kubeconfigYaml) {
      // clusterctl reads a file: an inline kubeconfig (embedded clusters) is written 0600.
      kubeconfig = join(this.opts.stateDir, 'management.kubeconfig');
      writePrivateFile(kubeconfig, m.kubeconfigYaml);
    }
    return clusterctlRenderer({
      kubernetesVersion: this.config.cluster.kubernetesVersion,
      capiVersion: this.config.providers.capi,
      target: { kubeconfig, context: m.context },
    });
  }

  async deleteClusters(selection: ClusterSelection): Promise<DeleteSummary> {
    await this.start();
    // The journal first, not only what the API shows: a delete killed after a cluster's
    // namespace went but before its 'deleted' line leaves nothing on the API to adopt, and
    // without the journal it would stay 'deleting' (and keep its key material) forever.
    this.loadJournal();
    await this.adoptFromApi();
    const chosen = resolveSelection(this.store.getState(), selection);
    const ctx = this.context();
    const sharedWorkload =
      this.topology.dedicatedApi || this.topology.name === 'capd'
        ? undefined
        : () => this.ensureSharedApi().catch(() => undefined);
    const results = await Promise.all(
      chosen.map((c) =>
        this.pool
          .run(() =>
            this.topology instanceof FarmTopology
              ? deleteFarmCluster(ctx, this.topology, c)
              : deleteCluster(ctx, c, sharedWorkload),
          )
          .then((r) => [c.name, r] as const),
      ),
    );
    if (this.abortCtl.signal.aborted)
      throw new UserError(
        'the engine was stopped during delete',
        'Run `scale-tui delete` again (or `create --resume`) to finish it.',
      );
    const deleted = results.filter(([, r]) => r === 'deleted').map(([n]) => n);
    for (const n of deleted) {
      removeCluster(this.store, n);
      this.localRecords.delete(n);
    }
    if (selection.kind === 'all' && Object.keys(this.store.getState().clusters).length === 0) {
      await this.teardownShared();
    }
    const failed = results
      .filter(([, r]) => r === 'failed')
      .map(([n]) => ({ cluster: n, reason: this.store.getState().clusters[n]?.failure?.reason ?? 'unknown' }));
    return { deleted, failed };
  }

  /** After the last cluster: the shared API, its tenant, shard Deployments. */
  private async teardownShared(): Promise<void> {
    if (!this.topology.dedicatedApi) {
      const ctx = this.context();
      const ns = sharedApiNamespace(ctx);
      await this.forwards.stop('__shared__');
      const live = await this.management.client.get('v1', 'Namespace', ns);
      if (live?.metadata.labels?.['app.kubernetes.io/managed-by'] === 'scale-tui') {
        // The tenant before the namespace: a kill between the two leaves the labelled
        // namespace, which the next `delete --all` finds and finishes; the other order left
        // a tenant that nothing led back to.
        await this.opts.managementEtcd?.deleteTenant(sharedApiName(ctx));
        await this.management.client.delete('v1', 'Namespace', ns);
      }
      // The shared API's keys, as deleteCluster forgets each cluster's; unconditionally, since
      // they are minted before its namespace is written (a kill in between leaves only them).
      this.objects.forget?.(sharedApiName(ctx));
      this.sharedApi = undefined;
    }
    await this.topology.teardown();
  }

  /** Clusters present on the API servers (by label) but unknown to the store and journal. */
  private async adoptFromApi(): Promise<ClusterRecord[]> {
    const adopted: ClusterRecord[] = [];
    const known = this.store.getState().clusters;
    const prefix = this.config.naming.prefix;
    const candidates: KubeObject[] = [
      ...this.watches!.namespace.list(),
      ...this.watches!.cluster.list((c) => c.metadata.labels?.[LABEL_CLUSTER] !== undefined),
    ];
    for (const o of candidates) {
      const name = o.metadata.labels?.[LABEL_CLUSTER];
      if (!name || known[name] || adopted.some((a) => a.name === name)) continue;
      const m = new RegExp(`^${prefix}-(\\d+)$`).exec(name);
      if (!m) continue;
      const namespace = o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? name);
      const batchId = o.metadata.labels?.[LABEL_BATCH] ?? 'adopted';
      const t = this.now();
      // Placement of a backing cluster is not visible from the management cluster: find it.
      let placement: string | undefined;
      if (this.topology.name === 'backing') {
        for (const s of this.sites.values())
          if (s !== this.management && (await s.client.get('v1', 'Namespace', name))) placement = s.name;
      } else if (this.topology.name === 'sharded') placement = namespace;
      const rec: ClusterRecord = {
        name,
        number: Number(m[1]),
        namespace,
        batchId,
        placement,
        phase: 'queued',
        transitions: { queued: t },
      };
      this.write({
        t,
        type: 'allocated',
        cluster: name,
        number: rec.number,
        namespace,
        batchId,
        ...(placement ? { placement } : {}),
      });
      upsertCluster(this.store, rec);
      this.localRecords.set(name, rec);
      adopted.push(rec);
    }
    if (adopted.length)
      this.log('warn', `adopted ${adopted.length} cluster(s) found on the API server but missing from the journal`);
    return adopted;
  }

  private allJournalEvents(): JournalEvent[] {
    return listRuns(this.opts.stateDir).flatMap((r) => readJournal(runJournalPath(this.opts.stateDir, r)));
  }

  /** Puts the journal's batches and clusters that this session does not hold yet into the store. */
  private loadJournal(): ReplayState {
    const state = replay(this.allJournalEvents());
    for (const b of state.batches.values()) {
      if (!this.store.getState().batches.some((x) => x.id === b.id)) addBatch(this.store, b);
    }
    for (const c of state.clusters.values()) {
      if (!this.store.getState().clusters[c.name]) {
        upsertCluster(this.store, c);
        this.localRecords.set(c.name, c);
      }
    }
    return state;
  }

  /** `names`: resume just these clusters (the TUI's retry of the one on screen); default all. */
  async resumeRun(names?: readonly string[]): Promise<BatchSummary> {
    await this.start();
    const state = this.loadJournal();
    await this.adoptFromApi();
    const only = names && new Set(names);
    const all = Object.values(this.store.getState().clusters).filter((c) => !only || only.has(c.name));
    const deleting = all.filter((c) => state.deleting.has(c.name) || c.phase === 'deleting');
    // Failed clusters get another try: a failure is often a backing cluster or API that was
    // unreachable, and every step is idempotent, so resuming after it returns finishes them.
    const toCreate = all.filter((c) => !deleting.includes(c) && c.phase !== 'ready');
    const retried = toCreate.filter((c) => c.phase === 'failed').length;
    const ready = all.filter((c) => c.phase === 'ready');
    this.log(
      'info',
      `resume: ${toCreate.length - retried} to finish, ${retried} failed to retry, ${deleting.length} to delete, ${ready.length} ready`,
    );
    if (deleting.length) await this.deleteClusters({ kind: 'names', names: deleting.map((c) => c.name) });
    // Ready clusters in port-forward mode need their forwarder back: CAPI dials it.
    // (capd and farm clusters have no forwarder: CAPI dials their API directly.)
    if (
      this.reach.mode === 'port-forward' &&
      ready.length &&
      this.topology.name !== 'capd' &&
      this.topology.name !== 'farm'
    ) {
      const ctx = this.context();
      await Promise.all(
        ready.map((c) =>
          this.pool.run(() =>
            bringUpApi(ctx, c, clusterSpec(ctx, c), this.topology.apiserverSite(c)).then(
              () => undefined,
              (err: Error) => this.log('warn', `${c.name}: forwarder not restored: ${err.message}`),
            ),
          ),
        ),
      );
    }
    const batchId = toCreate[0]?.batchId ?? 'resume';
    return this.runCreates(batchId, toCreate);
  }
  async farmFault(cluster: string, change?: FarmFaultChange): Promise<FarmFault> {
    await this.start();
    return farmFault({ topology: this.topology, store: this.store }, cluster, change);
  }


  async status(): Promise<StatusReport> {
    const namespaces: Record<string, string[]> = {};
    const unreachable: Record<string, string> = {};
    for (const site of this.sites.values()) {
      // The management cluster must answer (its failure is the command's error); a backing
      // cluster that does not is reported, and the rest of the status still is.
      if (site === this.management) {
        namespaces[site.name] = await this.runNamespaces(site);
        continue;
      }
      try {
        namespaces[site.name] = await this.runNamespaces(site);
      } catch (err) {
        unreachable[site.name] = (err as Error).message.split('\n')[0] ?? 'no answer';
      }
    }
    const state = replay(this.allJournalEvents());
    const clusters = [...state.clusters.values()];
    return { clusters, namespaces, unreachable, forwarders: this.forwards.size };
  }

  /** A run's namespaces carry their cluster's name; setup's own (etcd-system) does not and is no run's leftover. */
  private async runNamespaces(site: Site): Promise<string[]> {
    const selector = `${MANAGED_SELECTOR},${LABEL_CLUSTER}`;
    return (await site.client.list('v1', 'Namespace', { labelSelector: selector })).map((n) => n.metadata.name).sort();
  }

  async tune(controller: ControllerId, request: TuneRequest): Promise<void> {
    const { verbosity, ...flags } = request;
    if (verbosity !== undefined) {
      const v = await setVerbosity(this.management.client, controller, verbosity);
      const { before, after, via } = v;
      this.write({
        t: this.now(),
        type: 'verbosity',
        controller,
        before,
        after,
        via,
        ...(v.pods ? { pod: v.pods.join(',') } : {}),
      });
      const how =
        via === 'debug-flags'
          ? 'live via PUT /debug/flags/v'
          : `patched --v and rolled out${v.note ? ` (${v.note})` : ''}`;
      this.log('info', `${controller}: log verbosity ${before} -> ${after}, ${how}`);
      if (Object.values(flags).every((x) => x === undefined)) return;
    }
    const result = await tuneController(this.management.client, controller, flags);
    this.write({ t: this.now(), type: 'tune', controller, before: result.before, after: result.after });
    this.log('info', `tuned ${controller}: ${result.argsAfter.join(' ')}`);
  }

  setConcurrency(n: number): void {
    this.pool.setConcurrency(n);
  }

  pause(): void {
    this.pool.pause();
  }

  resume(): void {
    this.pool.resume();
  }

  async abort(): Promise<void> {
    this.abortCtl.abort();
    this.pool.clear();
    await this.close();
  }

  async shutdown(): Promise<void> {
    this.abortCtl.abort();
    this.pool.clear();
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.siteHealth?.stop();
    this.milestones?.stop();
    for (const i of Object.values(this.watches ?? {})) i.stop();
    for (const i of this.siteDeployments.values()) i.stop();
    for (const i of this.siteNamespaces.values()) i.stop();
    await this.forwards.stopAll();
    await this.topology.close?.();
    this.journal?.close();
  }
}
