// `scale-tui delete (--all | --clusters test-3..test-40|last | --batch ID) [--yes]`: only
// objects carrying scale-tui's label are touched.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import { UserError } from '../../core/errors.js';
import type { ClusterSelection } from '../../core/types.js';
import { parseSelectionText } from '../../state/selection.js';
import { followPhases, openSession, sessionOptions, type SessionOpts } from './create.js';

interface DeleteOpts extends SessionOpts {
  all?: boolean;
  clusters?: string;
  batch?: string;
  yes?: boolean;
}

/**
 * `--clusters` text: `test-3..test-40`, `3..40`, `last`, `batch ID`, or names. Parsed by the
 * same function as the TUI's delete dialog (src/state/selection.ts), so both read it alike.
 */
export function parseClusters(spec: string, prefix: string): ClusterSelection {
  const parsed = parseSelectionText(spec, { prefix });
  if (parsed.ok) return parsed.selection;
  throw new UserError(
    `--clusters ${spec}: ${parsed.error}`,
    `${parsed.fix} Examples: --clusters ${prefix}-3..${prefix}-40, --clusters ${prefix}-1,${prefix}-7, --clusters last`,
  );
}

export function register(program: Command): void {
  sessionOptions(
    program
      .command('delete')
      .description(
        'delete workload clusters created by scale-tui (Cluster first, then apiserver, etcd tenant, namespaces)',
      )
      .option('--all', 'every cluster scale-tui created')
      .option('--clusters <range|names|last>', 'e.g. test-3..test-40, test-1,test-7 or last (the last batch)')
      .option('--batch <id>', 'every cluster of one batch')
      .option('--yes', 'do not ask for confirmation')
      .option('--concurrency <n>', 'clusters deleted at once', intInRange('--concurrency', 1, 500)),
  ).action(
    action(async (opts: DeleteOpts) => {
      const chosen = [opts.all, opts.clusters, opts.batch].filter((x) => x !== undefined).length;
      if (chosen !== 1)
        throw new UserError(
          'delete needs exactly one of --all, --clusters, --batch',
          'Example: scale-tui delete --clusters test-3..test-40 --yes',
        );
      // Parsed before connecting: a typo is reported without touching any cluster.
      const { prefix } = (await loadConfig(program.opts<{ config?: string }>().config)).naming;
      const selection: ClusterSelection = opts.all
        ? { kind: 'all' }
        : opts.batch
          ? { kind: 'batch', batchId: opts.batch }
          : parseClusters(opts.clusters!, prefix);
      const { engine, store } = await openSession(program, opts);
      try {
        if (!opts.yes) {
          if (!process.stdin.isTTY)
            throw new UserError(
              'delete needs confirmation but stdin is not a terminal',
              'Pass --yes to confirm in scripts.',
            );
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question(
            `Delete ${opts.all ? 'ALL scale-tui clusters' : (opts.clusters ?? `batch ${opts.batch}`)}? [y/N] `,
          );
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            process.stdout.write('nothing deleted\n');
            return;
          }
        }
        const stop = followPhases(store, (l) => process.stdout.write(`${l}\n`));
        const r = await engine.deleteClusters(selection);
        stop();
        if (r.deleted.length + r.failed.length === 0 && selection.kind !== 'all') {
          // Not an error: re-running a finished delete is how scripts make sure it is done.
          process.stdout.write(
            `no cluster matches ${opts.clusters ?? `batch ${opts.batch}`}; nothing to delete (scale-tui status lists the clusters)\n`,
          );
          return;
        }
        process.stdout.write(`deleted ${r.deleted.length}, failed ${r.failed.length}\n`);
        for (const f of r.failed) process.stdout.write(`  ${f.cluster}: ${f.reason}\n`);
        if (r.failed.length)
          throw new UserError(
            `${r.failed.length} cluster(s) could not be deleted`,
            'Run the same delete again; `scale-tui status` shows what is left.',
            1,
          );
      } finally {
        await engine.shutdown();
      }
    }),
  );
}
