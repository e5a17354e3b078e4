// Start-up and close of an engine session: the management cluster's informers, milestone
// journalling, NodePort/endpoint address resolution, backing-site health probes, the
// topology's own set-up, and the run's first journal lines. Kept apart from the operations
// because every one of them runs after it, and close() must undo exactly what it started.
import { readJournal, runJournalPath } from '../../core/journal/journal.js';
import { Informer } from '../../core/kube/informer.js';
import { syncAll } from '../../core/kube/sync-all.js';
import { MANAGED_SELECTOR } from '../../manifests/labels.js';
import { startRun } from '../../state/store.js';
import { AUTO_HOST, endpointHostFor, nodePortHost } from '../topology/addresses.js';
import { SiteHealth } from '../topology/site-health.js';
import { MANAGEMENT_SITE } from '../topology/types.js';
import { API } from '../watch/capi-state.js';
import { recordMilestones } from '../watch/milestones.js';
import type { EngineScope } from './scope.js';

export async function startEngine(scope: EngineScope): Promise<void> {
  const c = scope.management.client;
  const onError = scope.watchError(MANAGEMENT_SITE);
  const mk = (a: { apiVersion: string; kind: string }, sel?: string) =>
    new Informer(c, a.apiVersion, a.kind, { labelSelector: sel, onError });
  scope.watches = {
    cluster: mk(API.cluster),
    kcp: mk(API.kcp),
    machine: mk(API.machine),
    m3m: mk(API.m3m),
    bmh: mk(API.bmh, MANAGED_SELECTOR),
    namespace: mk(API.namespace, MANAGED_SELECTOR),
  };
  scope.siteNamespaces.set(MANAGEMENT_SITE, scope.watches.namespace);
  await syncAll(Object.values(scope.watches));
  startMilestones(scope);
  await resolveAddresses(scope);
  startSiteHealth(scope);
  await scope.topology.setup();
  const versions = { ...scope.config.providers };
  const context = scope.management.client.server;
  const started = startRun(scope.store, {
    runId: scope.runId,
    context,
    topology: scope.topology.name,
    versions,
    startedAt: scope.now(),
  });
  if (started) {
    scope.write({
      t: scope.now(),
      type: 'run-start',
      runId: scope.runId,
      topology: scope.topology.name,
      context,
      versions,
    });
    scope.write({ t: scope.now(), type: 'run-config', source: 'engine', config: { ...scope.config } });
  }
}

/** Journals the first True of each CAPI/CAPM3/BMO condition per cluster of this engine (phase latencies). */
function startMilestones(scope: EngineScope): void {
  const seen = readJournal(runJournalPath(scope.opts.stateDir, scope.runId))
    .filter((e) => e.type === 'milestone')
    .map((e): [string, string] => [e.cluster, e.milestone]);
  scope.milestones = recordMilestones(
    scope.watches!,
    // Whether a cluster is known, not its phase: no flush, so a watch burst stays one write.
    (cluster) => scope.store.getState().clusters[cluster] !== undefined,
    (cluster, milestone) => scope.write({ t: scope.now(), type: 'milestone', cluster, milestone }),
    seen,
  );
}

/** Backing clusters are probed on their own, so one that goes silent fails only its clusters (site-health.ts). */
function startSiteHealth(scope: EngineScope): void {
  const backing = scope.backingSites();
  if (backing.length === 0 || scope.topology.name !== 'backing') return;
  scope.siteHealth = new SiteHealth(
    backing.map((site) => ({
      name: site.name,
      probe: async () => void (await site.client.get('v1', 'Namespace', 'kube-system')),
    })),
    {
      onChange: (site, up, reason) =>
        scope.log(
          up ? 'info' : 'error',
          `backing cluster ${site} ${up ? 'answers again' : `is down: ${reason}; its clusters in flight fail`}`,
        ),
    },
  );
  scope.siteHealth.start();
}

/** NodePort hosts of loopback sites and an `auto` endpoint host, from what the clusters say (addresses.ts). */
async function resolveAddresses(scope: EngineScope): Promise<void> {
  for (const site of scope.sites.values()) {
    const given =
      site === scope.management
        ? scope.opts.managementNodeHost
        : scope.opts.backing?.find((b) => b.name === site.name)?.nodeHost;
    if (given) continue;
    try {
      site.nodeHost = await nodePortHost(site.client, site.nodeHost);
    } catch (err) {
      // Listing Nodes may be forbidden to a narrow identity: keep the API host and say so.
      scope.log(
        'warn',
        `${site.name}: cannot list Nodes (${(err as Error).message.split('\n')[0]}); NodePorts are dialled at ${site.nodeHost}`,
      );
    }
  }
  if (scope.reach.mode === 'port-forward' && scope.reach.host === AUTO_HOST) {
    scope.reach = { ...scope.reach, host: endpointHostFor(AUTO_HOST, scope.management.nodeHost) };
    scope.log(
      'info',
      `workload API endpoints: ${scope.reach.host}:${scope.reach.basePort}+N (this machine, as the management cluster's nodes reach it)`,
    );
  }
}

/** Stops everything start-up and the operations started: probes, informers, forwarders, the topology, the journal. */
export async function closeEngine(scope: EngineScope): Promise<void> {
  scope.siteHealth?.stop();
  scope.milestones?.stop();
  for (const i of Object.values(scope.watches ?? {})) i.stop();
  for (const i of scope.siteDeployments.values()) i.stop();
  for (const i of scope.siteNamespaces.values()) i.stop();
  await scope.forwards.stopAll();
  await scope.topology.close?.();
  scope.phases.flush();
  scope.closeJournal();
}
