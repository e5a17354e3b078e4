import type { Command } from 'commander';
import { join } from 'node:path';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import { KubeClient } from '../../core/kube/client.js';
import {
  CONTROLLERS,
  SEED_PATCH,
  applyTune,
  controllerSpec,
  effectiveFlags,
  showControllers,
  tune,
  tuneWarnings,
} from '../../engine/tune/index.js';
import { Journal, listRuns, runJournalPath } from '../../core/journal/journal.js';
import { CONTROLLER_IDS, type ControllerFlags, type ControllerId, type TuneRequest } from '../../core/types.js';
import { UserError } from '../../core/errors.js';
import { setVerbosity } from '../../engine/tune/verbosity.js';

interface TuneOpts {
  show?: boolean;
  concurrency?: number;
  qps?: number;
  burst?: number;
  verbosity?: number;
  flag?: string[];
  seedPatch?: boolean;
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

/** `--flag NAME=N` (repeatable) sets one named concurrency flag, e.g. clustercache-concurrency=50. */
function parseFlagPairs(pairs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^(?:--)?([a-z0-9-]+-concurrency)=(\d+)$/.exec(p);
    if (!m) {
      throw new UserError(
        `--flag "${p}" is not NAME-concurrency=N`,
        'Example: --flag clustercache-concurrency=50 (see `scale-tui tune --show`).',
      );
    }
    const [, name, value] = m as unknown as [string, string, string];
    if (out[name] !== undefined && out[name] !== Number(value)) {
      throw new UserError(`--flag ${name} is given twice, as ${out[name]} and ${value}`, 'Pass each flag once.');
    }
    out[name] = Number(value);
  }
  return out;
}

/** Commander collector: every `--flag` occurrence, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return (previous ?? []).concat(value);
}

function mainFlagList(): string {
  return Object.entries(CONTROLLERS)
    .map(([id, c]) => `${id}: --${c.mainConcurrencyFlag}`)
    .join(', ');
}

export function register(program: Command): void {
  program
    .command('tune')
    .description(
      'show or patch controller concurrency and QPS/burst (patches only the flags it changes, waits for the rollout)',
    )
    .argument('[controller]', `one of ${CONTROLLER_IDS.join(', ')}`)
    .option('--show', "print every controller's current tuning flags")
    .option(
      '--concurrency <n>',
      `the controller's main reconciler flag only (${mainFlagList()}); name others with --flag`,
      intInRange('--concurrency', 1, 10000),
    )
    .option('--flag <name=n>', 'a named concurrency flag, repeatable: --flag clustercache-concurrency=50', collect)
    .option(
      '--seed-patch',
      "apply the seed's §10 patch: concurrency 100 (CAPI cluster, machine, machineset, " +
        'machinedeployment; CABPK; KCP), QPS 200, burst 300; with a CONTROLLER only its part',
    )
    .option('--qps <n>', 'client QPS (--kube-api-qps)', intInRange('--qps', 1, 100000))
    .option('--burst <n>', 'client burst (--kube-api-burst)', intInRange('--burst', 1, 100000))
    .option(
      '--verbosity <n>',
      'klog -v, so throttling counts stop being lower bounds (3 logs every wait): live via PUT /debug/flags/v ' +
        'where served (CAPI, CABPK, KCP), else by patching --v (a rollout)',
      intInRange('--verbosity', 0, 10),
    )
    .option('--kubeconfig <file>', 'management cluster kubeconfig (default: config, $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--timeout <seconds>', 'how long to wait for the rollout', intInRange('--timeout', 1, 3600), 300)
    .action(
      action(async (controller: string | undefined, opts: TuneOpts) => {
        const config = await loadConfig(program.opts<{ config?: string }>().config);
        const target = {
          kubeconfigPath: opts.kubeconfig ?? config.management.kubeconfig,
          context: opts.context ?? config.management.context,
        };
        if (opts.show) {
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
            process.stdout.write(
              `${v.id.padEnd(18)} qps=${eff.qps}${v.flags.qps === undefined ? '*' : ''} burst=${eff.burst}${v.flags.burst === undefined ? '*' : ''} ${conc}\n`,
            );
          }
          process.stdout.write('(* = not set on the Deployment; the binary default applies)\n');
          return;
        }
        const runs = listRuns(config.stateDir);
        const journalPath = runs.length
          ? runJournalPath(config.stateDir, runs[runs.length - 1]!)
          : join(config.stateDir, 'tuning.jsonl');
        const plan: Array<{ controller: ControllerId; request: TuneRequest }> = [];
        if (opts.seedPatch) {
          const own =
            [opts.concurrency, opts.qps, opts.burst, opts.verbosity].some((v) => v !== undefined) ||
            (opts.flag ?? []).length > 0;
          if (own) {
            throw new UserError(
              '--seed-patch sets its own values',
              'Run tune --seed-patch alone, then change single flags with another tune.',
            );
          }
          if (controller) controllerSpec(controller);
          const part = SEED_PATCH.filter((s) => !controller || s.controller === controller);
          if (part.length === 0) {
            throw new UserError(
              `the seed's §10 patch does not tune ${controller}`,
              `It tunes ${SEED_PATCH.map((s) => s.controller).join(', ')}: name one of those, or none for all.`,
            );
          }
          plan.push(...part);
        } else {
          if (!controller) {
            const hint = `Controllers: ${CONTROLLER_IDS.join(', ')}.`;
            throw new UserError('tune needs a CONTROLLER, --show or --seed-patch', hint);
          }
          const id = controller as ControllerId;
          controllerSpec(id);
          const request: TuneRequest = {};
          if (opts.concurrency !== undefined) request.concurrency = opts.concurrency;
          const named = parseFlagPairs(opts.flag ?? []);
          if (Object.keys(named).length) request.concurrencyFlags = named;
          if (opts.qps !== undefined) request.qps = opts.qps;
          if (opts.burst !== undefined) request.burst = opts.burst;
          if (opts.verbosity !== undefined) {
            const client = KubeClient.from(target);
            process.stdout.write(`setting ${id} log verbosity to ${opts.verbosity}...\n`);
            const v = await setVerbosity(client, id, opts.verbosity, { timeoutMs: opts.timeout * 1000 });
            const journal = new Journal(journalPath);
            journal.append({
              t: Date.now(),
              type: 'verbosity',
              controller: id,
              before: v.before,
              after: v.after,
              via: v.via,
              ...(v.pods ? { pod: v.pods.join(',') } : {}),
            });
            journal.close();
            if (v.note) process.stderr.write(`note: ${v.note}\n`);
            process.stdout.write(
              `verbosity: ${v.before} -> ${v.after} (${v.via === 'debug-flags' ? `live via PUT /debug/flags/v on ${v.pods?.join(', ')}` : 'patched --v, rolled out'}); recorded in ${journalPath}\n`,
            );
            if (Object.keys(request).length === 0) return;
          }
          plan.push({ controller: id, request });
        }
        // Refuse unsupported flags before touching the cluster.
        for (const p of plan) applyTune([], p.controller, p.request);
        const client = KubeClient.from(target);
        for (const { controller: id, request } of plan) {
          // Said before the patch, so a user who did not mean it can still stop the rollout.
          for (const w of tuneWarnings(id, request, config.providers)) process.stderr.write(`warning: ${w}\n`);
          const where = `${CONTROLLERS[id].namespace}/${CONTROLLERS[id].deployment}`;
          process.stdout.write(`tuning ${id}: patching ${where} and waiting for the rollout...\n`);
          const res = await tune(client, id, request, { timeoutMs: opts.timeout * 1000 });
          const journal = new Journal(journalPath);
          journal.append({ t: Date.now(), type: 'tune', controller: id, before: res.before, after: res.after });
          journal.close();
          process.stdout.write(`before: ${fmt(res.before)}\nafter:  ${fmt(res.after)}\n`);
          process.stdout.write(`rolled out; recorded in ${journalPath}\n`);
        }
      }),
    );
}
