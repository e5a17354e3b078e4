// `scale-tui delete (--all | --clusters test-3..test-40 | --batch ID) [--yes]`: only
// objects carrying scale-tui's label are touched.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import { UserError } from '../../core/errors.js';
import type { ClusterSelection } from '../../core/types.js';
import { followPhases, openSession, sessionOptions, type SessionOpts } from './create.js';

interface DeleteOpts extends SessionOpts {
  all?: boolean;
  clusters?: string;
  batch?: string;
  yes?: boolean;
}

/** `test-3..test-40`, `3..40`, or a comma list of names. */
export function parseClusters(spec: string, prefix: string): ClusterSelection {
  const range = new RegExp(`^(?:${prefix}-)?(\\d+)\\.\\.(?:${prefix}-)?(\\d+)$`).exec(spec.trim());
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > to)
      throw new UserError(
        `--clusters ${spec}: the range is reversed`,
        `Write the lower number first, e.g. ${prefix}-${to}..${prefix}-${from}.`,
      );
    return { kind: 'range', from, to };
  }
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(n));
  if (names.length === 0 || bad.length) {
    throw new UserError(
      `--clusters "${spec}" is not a range or a list of cluster names`,
      `Examples: --clusters ${prefix}-3..${prefix}-40, --clusters ${prefix}-1,${prefix}-7`,
    );
  }
  return { kind: 'names', names };
}

export function register(program: Command): void {
  sessionOptions(
    program
      .command('delete')
      .description(
        'delete workload clusters created by scale-tui (Cluster first, then apiserver, etcd tenant, namespaces)',
      )
      .option('--all', 'every cluster scale-tui created')
      .option('--clusters <range|names>', 'e.g. test-3..test-40 or test-1,test-7')
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
