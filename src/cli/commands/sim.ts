// `scale-tui sim controllers`: runs the emulated controllers against any cluster that has
// the CAPI/CAPM3/BMO CRDs and the controller Deployments (they read their flags there).
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadKubeConfig } from '../../core/kube/client.js';
import { UserError } from '../../core/errors.js';
import { CONTROLLER_IDS, type ControllerId } from '../../core/types.js';
import { startControllers } from '../../sim/controllers/index.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../sim/cost-model/model.js';
import { registerSimApiserver } from './sim-apiserver.js';
import { registerSimKubelet } from './sim-kubelet.js';

interface SimOpts {
  kubeconfig?: string;
  context?: string;
  only?: string;
  timeScale: string;
}

function parseOnly(v: string | undefined): ControllerId[] | undefined {
  if (!v) return undefined;
  const ids = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!(CONTROLLER_IDS as readonly string[]).includes(id)) {
      throw new UserError(
        `unknown controller "${id}" in --only`,
        `Use a comma-separated list of: ${CONTROLLER_IDS.join(', ')}.`,
      );
    }
  }
  return ids as ControllerId[];
}

export function register(program: Command): void {
  const sim = program.command('sim').description('run parts of the simulation against a cluster');
  registerSimApiserver(sim);
  registerSimKubelet(sim);
  sim
    .command('controllers')
    .description('run the emulated CAPI/KCP/CABPK/CAPM3/BMO controllers against a cluster with the CRDs installed')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--only <ids>', `comma-separated subset of: ${CONTROLLER_IDS.join(', ')}`)
    .option('--time-scale <factor>', 'multiply every modelled delay (1 = demo speed)', '1')
    .action(
      action(async (opts: SimOpts) => {
        const scale = Number(opts.timeScale);
        if (!Number.isFinite(scale) || scale < 0)
          throw new UserError(
            `--time-scale must be a number >= 0, got "${opts.timeScale}"`,
            'Example: --time-scale 0.1 for ten times faster.',
          );
        const kc = loadKubeConfig({ kubeconfigPath: opts.kubeconfig, context: opts.context });
        let running: Awaited<ReturnType<typeof startControllers>>;
        try {
          running = await startControllers({
            kubeconfig: kc,
            only: parseOnly(opts.only),
            // Relative to the demo's speed (the model's own timeScale compresses real time).
            model: withTimeScale(DEFAULT_COST_MODEL, DEFAULT_COST_MODEL.timeScale * scale),
          });
        } catch (err) {
          throw new UserError(
            `cannot start the controllers against ${kc.getCurrentCluster()?.server}: ${(err as Error).message}`,
            'Check that the cluster is reachable and has the CRDs and the controller Deployments (see `scale-tui setup`).',
          );
        }
        process.stdout.write(
          `emulated controllers running against ${kc.getCurrentCluster()?.server}; Ctrl-C to stop\n`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await running.stop();
      }),
    );
}
