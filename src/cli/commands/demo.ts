// `scale-tui demo`: everything against an embedded simulated management cluster, no
// Docker, no cluster. Figures come from the simulator's cost model, not from CAPI.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { UserError } from '../../core/errors.js';
import { runDemo } from '../../demo/run.js';
import { loadPrefs } from '../../ui/config/prefs.js';
import { type InitialArgs, SEED_PATCH_ARGS } from '../../demo/manifests.js';
import { CONTROLLER_IDS, type ControllerId } from '../../core/types.js';
import { parseGoDuration } from '../../metrics/throttle/duration.js';
import { loadThresholds } from '../../metrics/report/thresholds.js';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../sim/cost-model/model.js';

interface DemoOpts {
  clusters: number;
  backing: number;
  headless?: boolean;
  readOnly?: boolean;
  concurrency: number;
  seedPatch?: boolean;
  nodePortBase: number;
  stateDir?: string;
  thresholds?: string;
  timeout?: number;
  timeScale?: number;
  controllerArg: string[];
}

function duration(raw: string): number {
  const ms = parseGoDuration(raw);
  if (ms === undefined || ms <= 0)
    throw new UserError(`--timeout must be a duration such as 90s or 10m, got "${raw}"`, 'Example: --timeout 10m', 1);
  return ms;
}

function timeScale(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.001 || n > 10)
    throw new UserError(
      `--time-scale must be a factor from 0.001 to 10, got "${raw}"`,
      'Example: --time-scale 0.05 (twice as fast as the default 0.1)',
      1,
    );
  return n;
}

/** `kcp=--kubeadmcontrolplane-concurrency=1` -> kcp gets that flag at start (after the seed patch, so it wins). */
function controllerArgs(list: string[], seedPatch: boolean): InitialArgs | undefined {
  const out: InitialArgs = {};
  for (const [id, args] of Object.entries(seedPatch ? SEED_PATCH_ARGS : {}))
    out[id as ControllerId] = [...(args ?? [])];
  for (const raw of list) {
    const m = /^([\w-]+)=(--[\w-]+(?:=\S*)?)$/.exec(raw);
    if (!m || !(CONTROLLER_IDS as readonly string[]).includes(m[1]!))
      throw new UserError(
        `--controller-arg must be CONTROLLER=--flag[=value] with CONTROLLER one of ${CONTROLLER_IDS.join(', ')}, got "${raw}"`,
        'Example: --controller-arg kcp=--kubeadmcontrolplane-concurrency=1',
        1,
      );
    const id = m[1] as ControllerId;
    out[id] = [...(out[id] ?? []), m[2]!];
  }
  return Object.keys(out).length ? out : undefined;
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
    .option('--read-only', 'TUI: hide and refuse every action that changes clusters (create, delete, tune, pause)')
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
    .option('--state-dir <dir>', 'keep the run journal in DIR (a new run each time) for `scale-tui report`')
    .option('--thresholds <file>', 'headless: judge the run with these YAML rules (exit 3 alert, 4 threshold)')
    .option('--timeout <duration>', 'headless: give up after this long (e.g. 10m) and exit 2', duration)
    .option(
      '--time-scale <factor>',
      'how fast the simulated world runs: every modelled delay times this (default 0.1)',
      timeScale,
    )
    .option(
      '--controller-arg <controller=flag>',
      'start a controller with this extra flag (repeatable), e.g. kcp=--kubeadmcontrolplane-concurrency=1',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .action(
      action(async (opts: DemoOpts) => {
        if (!opts.headless && (opts.thresholds || opts.timeout))
          throw new UserError(
            `${opts.thresholds ? '--thresholds' : '--timeout'} needs --headless (the TUI run ends when you quit it)`,
            'Add --headless, or judge a kept TUI run afterwards with scale-tui report DIR --thresholds FILE.',
            1,
          );
        const rules = opts.thresholds ? loadThresholds(opts.thresholds) : undefined;
        const args = controllerArgs(opts.controllerArg, Boolean(opts.seedPatch));
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
          readOnly: Boolean(opts.readOnly),
          // The TUI's log viewer shows each controller's log: how much of it to keep is a UI preference.
          ...(opts.headless ? {} : { controllerLogLines: loadPrefs().prefs.log.controllerLines }),
          concurrency: opts.concurrency,
          args,
          nodePortBase: opts.nodePortBase,
          ...(opts.timeScale ? { model: withTimeScale(DEFAULT_COST_MODEL, opts.timeScale) } : {}),
          ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
          ...(rules ? { thresholds: rules } : {}),
          ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
        });
        process.exitCode = exitCode;
      }),
    );
}
