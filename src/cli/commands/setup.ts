import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { KubeClient } from '../../core/kube/client.js';
import { formatChecklist, runDoctor } from '../../engine/setup/doctor.js';
import { verifyAttach } from '../../engine/setup/attach.js';
import { runSetupSteps, topologyStepsFor } from '../../engine/setup/steps.js';
import { UserError } from '../../core/errors.js';

interface SetupOpts {
  attach?: boolean;
  kubeconfig?: string;
  context?: string;
  skipPreflight?: boolean;
}

export function register(program: Command): void {
  program
    .command('setup')
    .description(
      'create (kind, 3 control-plane nodes) or attach to the management cluster and install the pinned providers; re-runs skip what is done',
    )
    .option('--attach', 'use an existing management cluster: verify the providers and report what is missing')
    .option(
      '--kubeconfig <file>',
      'kubeconfig of the cluster to attach to (default: config, $KUBECONFIG, ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context')
    .option('--skip-preflight', 'do not run the doctor checks first')
    .action(
      action(async (opts: SetupOpts) => {
        const config = await loadConfig(program.opts<{ config?: string }>().config);
        const say = (l: string) => process.stdout.write(`${l}\n`);
        if (opts.attach) {
          const kubeconfigPath = opts.kubeconfig ?? config.management.kubeconfig;
          const kube = KubeClient.from({ kubeconfigPath, context: opts.context ?? config.management.context });
          say(`attaching to ${kube.config.getCurrentContext()} (${kube.server})\n`);
          const results = await verifyAttach(kube, config.topology);
          process.stdout.write(formatChecklist(results));
          if (results.some((r) => r.status === 'fail')) {
            throw new UserError(
              'the management cluster is missing pieces (listed above)',
              'Install them (scale-tui setup on a fresh kind cluster does all of it), then run setup --attach again.',
            );
          }
          // The providers are the user's; what scale-tui itself needs for the topology
          // (the management etcd for dedicated, shared and sharded) it prepares here too.
          const steps = topologyStepsFor(config);
          if (steps.length) {
            await runSetupSteps(
              {
                config,
                kubeconfigPath: kubeconfigPath ?? '',
                context: opts.context ?? config.management.context,
                kube: () => kube,
                log: say,
                timeouts: { shortMs: 300_000, longMs: 900_000 },
                pollMs: 2000,
              },
              steps,
            );
          }
          return;
        }
        if (!opts.skipPreflight) {
          const checks = await runDoctor({ capiVersion: config.providers.capi, kindNodes: config.management.nodes });
          if (checks.some((c) => c.status === 'fail')) {
            process.stdout.write(formatChecklist(checks));
            throw new UserError(
              'preflight failed; setup did not change anything',
              'Fix the problems listed above (scale-tui doctor re-checks), or pass --skip-preflight.',
            );
          }
        }
        const kubeconfigPath = resolve(opts.kubeconfig ?? join(config.stateDir, 'management.kubeconfig'));
        let client: KubeClient | undefined;
        const reports = await runSetupSteps({
          config,
          kubeconfigPath,
          context: opts.context,
          kube: () => (client ??= KubeClient.from({ kubeconfigPath, context: opts.context })),
          log: say,
          timeouts: { shortMs: 300_000, longMs: 900_000 },
          pollMs: 2000,
        });
        const ran = reports.filter((r) => r.result === 'done').length;
        say(
          `\nmanagement cluster ready (${ran} step(s) run, ${reports.length - ran} already done); kubeconfig: ${kubeconfigPath}`,
        );
      }),
    );
}
