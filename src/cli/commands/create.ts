// `scale-tui create --count N [--backing NAME|auto] [--batch-size K] [--resume]`:
// the headless face of the same engine the TUI drives.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import type { ExperimentConfig } from '../../engine/config/schema.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { UserError } from '../../core/errors.js';
import { backingSitesFromConfig, managementEtcdAdmin, type SiteSpec } from '../../engine/topology/sites.js';
import type { KubeTarget } from '../../core/kube/client.js';
import { createScaleStore, type ScaleStore } from '../../state/store.js';
import type { BatchSummary } from '../../core/types.js';
import { readJournal, runJournalPath } from '../../core/journal/journal.js';
import { buildReport } from '../../metrics/report/build.js';
import { loadThresholds, verdict, verdictLines } from '../../metrics/report/thresholds.js';

export interface SessionOpts {
  kubeconfig?: string;
  context?: string;
  stateDir?: string;
  concurrency?: number;
}

export interface Session {
  engine: Engine;
  store: ScaleStore;
  config: ExperimentConfig;
  stateDir: string;
  management: KubeTarget;
  backing: SiteSpec[];
}

/** Builds the engine from the config file, the flags and the backing registry. */
export async function openSession(program: Command, opts: SessionOpts): Promise<Session> {
  const config = await loadConfig(program.opts<{ config?: string }>().config);
  if (opts.concurrency) config.batch.concurrency = opts.concurrency;
  const stateDir = opts.stateDir ?? config.stateDir;
  const management: KubeTarget = {
    kubeconfigPath: opts.kubeconfig ?? config.management.kubeconfig,
    context: opts.context ?? config.management.context,
    role: 'management cluster',
  };
  const store = createScaleStore();
  const backing = config.topology === 'backing' ? backingSitesFromConfig(config, stateDir) : [];
  const engine = await createEngine({
    config,
    store,
    management,
    backing,
    managementEtcd: config.topology === 'backing' ? undefined : managementEtcdAdmin(management),
    stateDir,
  });
  return { engine, store, config, stateDir, management, backing };
}

export function sessionOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'management cluster kubeconfig (default: config, $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--state-dir <dir>', 'per-run state (journal, keys); default: config stateDir');
}

/** Prints phase transitions as they happen: one line per cluster and phase. */
export function followPhases(store: ScaleStore, out: (line: string) => void): () => void {
  const last = new Map<string, string>();
  return store.subscribe((s) => {
    for (const c of Object.values(s.clusters)) {
      if (last.get(c.name) === c.phase) continue;
      last.set(c.name, c.phase);
      out(`${c.name} ${c.phase}${c.failure ? ` (${c.failure.step}: ${c.failure.reason})` : ''}`);
    }
  });
}

function printSummary(s: BatchSummary): void {
  process.stdout.write(`batch ${s.batchId}: ${s.ready} of ${s.requested} ready, ${s.failed} failed\n`);
  for (const f of s.failures) process.stdout.write(`  ${f.cluster}: failed at ${f.step}: ${f.reason}\n`);
}

interface CreateOpts extends SessionOpts {
  count?: number;
  backing?: string;
  batchSize?: number;
  resume?: boolean;
  quiet?: boolean;
  serve?: boolean;
  thresholds?: string;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function register(program: Command): void {
  sessionOptions(
    program
      .command('create')
      .description(
        'create workload clusters in batches (numbers and names are allocated; --resume finishes an interrupted run)',
      )
      .option('--count <n>', 'how many clusters to add', intInRange('--count', 1, 10000))
      .option(
        '--backing <name|auto>',
        'backing cluster to place them on (backing topology); auto = by free capacity',
        'auto',
      )
      .option(
        '--batch-size <k>',
        'split --count into batches of K, one after the other (default: config batch.size)',
        intInRange('--batch-size', 1, 10000),
      )
      .option(
        '--concurrency <n>',
        'clusters in flight at once (default: config batch.concurrency)',
        intInRange('--concurrency', 1, 500),
      )
      .option('--resume', 'finish the clusters a killed run left half-done, then add --count (if given)')
      .option('--quiet', 'print only the summary')
      .option('--serve', 'then stay up serving the endpoints CAPI dials (port-forward mode) until Ctrl-C')
      .option(
        '--thresholds <file>',
        'judge the run against YAML rules at the end (exit 1 error, 2 timeout, 3 alert, 4 threshold)',
      ),
  ).action(
    action(async (opts: CreateOpts) => {
      if (!opts.count && !opts.resume)
        throw new UserError('create needs --count N (or --resume)', 'Example: scale-tui create --count 100');
      // Read before any cluster is created: a bad rules file must not cost a run.
      const rules = opts.thresholds ? loadThresholds(opts.thresholds) : undefined;
      const { engine, store, config, stateDir } = await openSession(program, opts);
      const stop = opts.quiet ? () => {} : followPhases(store, (l) => process.stdout.write(`${l}\n`));
      const onSignal = (): void => {
        void engine.shutdown().finally(() => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let failed = 0;
      let ready = 0;
      try {
        if (opts.resume) {
          const s = await engine.resumeRun();
          printSummary(s);
          failed += s.failed;
          ready += s.ready;
        }
        let left = opts.count ?? 0;
        const size = opts.batchSize ?? config.batch.size;
        while (left > 0) {
          const n = Math.min(size, left);
          const s = await engine.addBatch({ count: n, backing: opts.backing });
          printSummary(s);
          failed += s.failed;
          ready += s.ready;
          left -= n;
        }
        // In port-forward mode CAPI's path to each workload API is a forwarder in this
        // process (the seed's never-stopped kubectl port-forward): say so when it ends.
        const forwarded =
          config.endpoint.mode === 'port-forward' &&
          config.topology !== 'capd' &&
          config.topology !== 'farm' &&
          (ready > 0 || opts.resume);
        // The farm topology's clusters are served by a farm process that outlives this one.
        const farm = config.topology === 'farm' ? (await engine.status()).farm : undefined;
        if (farm?.background)
          process.stderr.write(
            `note: the background farm (pid ${farm.pid}) keeps serving these clusters; \`scale-tui status\` shows it, \`scale-tui delete --all\` stops it\n`,
          );
        if (forwarded && opts.serve) {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          process.stdout.write('serving the workload API endpoints CAPI dials; Ctrl-C to stop\n');
          await untilSignal();
        } else if (forwarded) {
          process.stderr.write(
            'note: CAPI reaches these clusters through forwarders in this process (endpoint.mode: port-forward), which stop now; ' +
              'keep them up with `scale-tui create --resume --serve` or the TUI, or use endpoint.mode: nodeport\n',
          );
        }
      } finally {
        stop();
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        await engine.shutdown();
      }
      if (rules) {
        const v = verdict(buildReport(readJournal(runJournalPath(stateDir, engine.runId))), rules);
        for (const l of verdictLines(v)) process.stderr.write(`${l}\n`);
        process.exitCode = v.exitCode;
        return;
      }
      if (failed > 0)
        throw new UserError(
          `${failed} cluster(s) failed`,
          'See the reasons above; `scale-tui status` lists them, `scale-tui delete --clusters NAME` removes them.',
          1,
        );
    }),
  );
}
