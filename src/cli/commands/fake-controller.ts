// `scale-tui fake-controller`: creates fake worker Nodes for scaled MachineDeployments,
// driven by a watch on Metal3Machines (not the seed's 5 s poll). Runs until interrupted.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { KubeClient } from '../../core/kube/client.js';
import { FakeController } from '../../engine/fake-controller/fake-controller.js';

export function register(program: Command): void {
  program
    .command('fake-controller')
    .description('create fake Nodes for scaled MachineDeployments (watches Metal3Machines; runs until Ctrl-C)')
    .option('--kubeconfig <file>', 'management cluster kubeconfig')
    .option('--context <name>', 'kubeconfig context')
    .action(
      action(async (opts: { kubeconfig?: string; context?: string }) => {
        const config = await loadConfig(program.opts<{ config?: string }>().config);
        const management = KubeClient.from({
          kubeconfigPath: opts.kubeconfig ?? config.management.kubeconfig,
          context: opts.context ?? config.management.context,
        });
        const fc = new FakeController({
          management,
          kubernetesVersion: config.cluster.kubernetesVersion,
          runId: 'fake-controller',
          log: (l) => process.stdout.write(`${l}\n`),
        });
        await fc.start();
        process.stdout.write('fake-controller: watching Metal3Machines in all namespaces (Ctrl-C to stop)\n');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        fc.stop();
        process.stdout.write(`fake-controller: stopped after creating ${fc.created} Node(s)\n`);
      }),
    );
}
