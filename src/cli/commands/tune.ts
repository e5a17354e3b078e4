import type { Command } from 'commander';
import { join } from 'node:path';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import { KubeClient } from '../../engine/kube/client.js';
import { CONTROLLERS, applyTune, controllerSpec, effectiveFlags, showControllers, tune } from '../../engine/tune/index.js';
import { Journal, listRuns, runJournalPath } from '../../engine/journal/journal.js';
import { CONTROLLER_IDS, type ControllerFlags, type ControllerId, type TuneRequest } from '../../engine/types.js';
import { UserError } from '../../engine/errors.js';

interface TuneOpts {
  show?: boolean;
  concurrency?: number;
  qps?: number;
  burst?: number;
  flag?: string[];
  kubeconfig?: string;
  context?: string;
  timeout: number;
}

function fmt(flags: ControllerFlags): string {
  const parts = Object.entries(flags.concurrency).map(([k, v]) => `--${k}=${v}`);
  if (flags.qps !== undefined) parts.push(`--kube-api-qps=${flags.qps}`);
  if (flags.burst !== undefined) parts.push(`--kube-api-burst=${flags.burst}`);
  return parts.length ? parts.join(' ') : '(defaults)';
}

/** `--flag name=N` narrows --concurrency to one named flag. */
function parseFlagPairs(pairs: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^(?:--)?([a-z0-9-]+-concurrency)=(\d+)$/.exec(p);
    if (!m) throw new UserError(`--flag "${p}" is not NAME-concurrency=N`, 'Example: --flag kubeadmcontrolplane-concurrency=100 (see `scale-tui tune --show`).');
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('tune')
    .description('show or patch controller concurrency and QPS/burst (patches only the flags it changes, waits for the rollout)')
    .argument('[controller]', `one of ${CONTROLLER_IDS.join(', ')}`)
    .option('--show', 'print every controller\'s current tuning flags')
    .option('--concurrency <n>', 'set every --*-concurrency flag of the controller', intInRange('--concurrency', 1, 10000))
    .option('--flag <name=n...>', 'set one named concurrency flag, e.g. kubeadmcontrolplane-concurrency=100')
    .option('--qps <n>', 'client QPS (--kube-api-qps)', intInRange('--qps', 1, 100000))
    .option('--burst <n>', 'client burst (--kube-api-burst)', intInRange('--burst', 1, 100000))
    .option('--kubeconfig <file>', 'management cluster kubeconfig (default: config, $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--timeout <seconds>', 'how long to wait for the rollout', intInRange('--timeout', 1, 3600), 300)
    .action(
      action(async (controller: string | undefined, opts: TuneOpts) => {
        const config = await loadConfig(program.opts<{ config?: string }>().config);
        const target = { kubeconfigPath: opts.kubeconfig ?? config.management.kubeconfig, context: opts.context ?? config.management.context };
        if (opts.show || !controller) {
          if (!opts.show) throw new UserError('tune needs a CONTROLLER or --show', `Controllers: ${CONTROLLER_IDS.join(', ')}.`);
          const client = KubeClient.from(target);
          if (controller) controllerSpec(controller);
          const views = await showControllers(client, controller ? [controller as ControllerId] : [...CONTROLLER_IDS]);
          for (const v of views) {
            const spec = CONTROLLERS[v.id];
            if (!v.found) {
              process.stdout.write(`${v.id.padEnd(18)} not installed (${spec.namespace}/${spec.deployment})\n`);
              continue;
            }
            const eff = effectiveFlags(v.args, v.id);
            const conc = Object.entries(eff.concurrency)
              .map(([k, n]) => `${k}=${n}${k in v.flags.concurrency ? '' : '*'}`)
              .join(' ');
            process.stdout.write(`${v.id.padEnd(18)} qps=${eff.qps}${v.flags.qps === undefined ? '*' : ''} burst=${eff.burst}${v.flags.burst === undefined ? '*' : ''} ${conc}\n`);
          }
          process.stdout.write('(* = not set on the Deployment; the binary default applies)\n');
          return;
        }
        const id = controller as ControllerId;
        controllerSpec(id);
        const request: TuneRequest = {};
        if (opts.concurrency !== undefined) request.concurrency = opts.concurrency;
        const named = parseFlagPairs(opts.flag);
        if (Object.keys(named).length) request.concurrencyFlags = named;
        if (opts.qps !== undefined) request.qps = opts.qps;
        if (opts.burst !== undefined) request.burst = opts.burst;
        // Refuse unsupported flags before touching the cluster.
        applyTune([], id, request);
        const client = KubeClient.from(target);
        process.stdout.write(`tuning ${id}: patching ${CONTROLLERS[id].namespace}/${CONTROLLERS[id].deployment} and waiting for the rollout...\n`);
        const res = await tune(client, id, request, { timeoutMs: opts.timeout * 1000 });
        const runs = listRuns(config.stateDir);
        const journalPath = runs.length ? runJournalPath(config.stateDir, runs[runs.length - 1]!) : join(config.stateDir, 'tuning.jsonl');
        const journal = new Journal(journalPath);
        journal.append({ t: Date.now(), type: 'tune', controller: id, before: res.before, after: res.after });
        journal.close();
        process.stdout.write(`before: ${fmt(res.before)}\nafter:  ${fmt(res.after)}\nrolled out; recorded in ${journalPath}\n`);
      }),
    );
}
