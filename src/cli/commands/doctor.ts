import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { formatChecklist, runDoctor } from '../../engine/setup/doctor.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the machine for a real run (docker, kind, kubectl, clusterctl, inotify, memory, kubeconfig)')
    .option('--kubeconfig <file>', 'also check that this management cluster is reachable')
    .option('--context <name>', 'kubeconfig context to check')
    .action(
      action(async (opts: { kubeconfig?: string; context?: string }) => {
        const config = await loadConfig(program.opts<{ config?: string }>().config);
        const kubeconfig = opts.kubeconfig ?? config.management.kubeconfig;
        const context = opts.context ?? config.management.context;
        const results = await runDoctor({
          capiVersion: config.providers.capi,
          kindNodes: config.management.nodes,
          endpoint: config.endpoint,
          kube: kubeconfig || context ? { kubeconfigPath: kubeconfig, context, required: true } : undefined,
        });
        process.stdout.write(`scale-tui doctor: preflight for a real kind + CAPI run\n\n${formatChecklist(results)}`);
        if (results.some((r) => r.status === 'fail')) process.exitCode = 1;
      }),
    );
}
