// `scale-tui demo`: everything against an embedded simulated management cluster, no
// Docker, no cluster. Figures come from the simulator's cost model, not from CAPI.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { UserError } from '../../core/errors.js';
import { runDemo } from '../../sim/demo/run.js';
import { SEED_PATCH_ARGS } from '../../sim/demo/manifests.js';

interface DemoOpts {
  clusters: number;
  backing: number;
  headless?: boolean;
  concurrency: number;
  seedPatch?: boolean;
  nodePortBase: number;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run everything on an embedded simulated management cluster (figures come from a model, not from CAPI)',
    )
    .option(
      '--clusters <n>',
      'clusters to create (headless), or the planned size (TUI)',
      intInRange('--clusters', 1, 2000),
      100,
    )
    .option(
      '--backing <k>',
      'backing clusters, each its own embedded API server and etcd',
      intInRange('--backing', 1, 20),
      2,
    )
    .option('--headless', 'no TUI: create --clusters clusters, print the timing table, exit 0 when all are ready')
    .option(
      '--concurrency <n>',
      'per-cluster pipelines in flight (the seed used 10)',
      intInRange('--concurrency', 1, 500),
      10,
    )
    .option(
      '--seed-patch',
      "start the controllers with the seed's rate-limit/concurrency patch (§10: concurrency 100, QPS 200, burst 300)",
    )
    .option(
      '--node-port-base <port>',
      'cluster N listens on 127.0.0.1:<base+N>',
      intInRange('--node-port-base', 1024, 32000),
      30000,
    )
    .action(
      action(async (opts: DemoOpts) => {
        if (opts.nodePortBase + opts.clusters > 32767) {
          throw new UserError(
            `--node-port-base ${opts.nodePortBase} leaves no NodePort for cluster ${opts.clusters} (NodePorts end at 32767)`,
            `Use --node-port-base ${32767 - opts.clusters} or lower.`,
          );
        }
        const { exitCode } = await runDemo({
          clusters: opts.clusters,
          backing: opts.backing,
          headless: Boolean(opts.headless),
          concurrency: opts.concurrency,
          args: opts.seedPatch ? SEED_PATCH_ARGS : undefined,
          nodePortBase: opts.nodePortBase,
        });
        process.exitCode = exitCode;
      }),
    );
}
