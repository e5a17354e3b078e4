// `scale-tui farm`: the workload-API farm as a process of its own (`serve`, `stop`), and the
// client side of its control API (`fault`, `status`, `register`, `kubeconfig`).
//
// Why a separate process: the farm topology's clusters must stay reachable after the command
// that made them exits, so the engine runs its farm as a background `serve`
// (engine/topology/farm-process.ts); users who outgrow one VM run farms on several machines
// and point the engine at them (`farm add NAME --url URL`). `serve` writes
// `<stateDir>/farm/control.json` (the URL) and `control-token` (mode 0600) so the other
// subcommands on the same machine find the farm without flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { UserError } from '../../core/errors.js';
import { loadConfig } from '../../engine/config/load.js';
import { parseFaultFlags, parseDurationMs, type FaultFlags } from './farm-args.js';

interface ServeOpts {
  host: string;
  advertise?: string;
  basePort: string;
  controlPort: string;
  capacity: string;
  kubeconfig?: string;
  stateDir?: string;
  background?: boolean;
  kubernetesVersion?: string;
}

interface ClientOpts {
  url?: string;
  namespace?: string;
  stateDir?: string;
  json?: boolean;
}

function intFlag(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(
      `${name} "${v}" is not a whole number from ${min} to ${max}`,
      `Example: ${name} ${min === 0 ? 3333 : min}`,
    );
  return n;
}

async function farmDir(program: Command, override?: string): Promise<string> {
  if (override) return override;
  return join((await loadConfig(program.opts<{ config?: string }>().config)).stateDir, 'farm');
}

/** The farm's control URL and token: from flags, else from what `farm serve` wrote. */
async function endpoint(program: Command, o: ClientOpts): Promise<{ url: string; token?: string }> {
  const dir = await farmDir(program, o.stateDir);
  let token: string | undefined;
  try {
    token = readFileSync(join(dir, 'control-token'), 'utf8').trim();
  } catch {
    token = process.env.SCALE_TUI_FARM_TOKEN;
  }
  if (o.url) return { url: o.url.replace(/\/$/, ''), token };
  try {
    const { url } = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8')) as { url: string };
    return { url, token };
  } catch {
    throw new UserError(
      `no farm found: ${join(dir, 'control.json')} does not exist`,
      'start one with `scale-tui farm serve`, or pass --url http://HOST:PORT of a running farm',
    );
  }
}

async function call(url: string, method: string, token: string | undefined, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new UserError(
      `the farm at ${new URL(url).origin} did not answer (${(err as Error).message})`,
      'check that `scale-tui farm serve` runs there, or pass the right --url',
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let parsed: { error?: string; fix?: string } = {};
    try {
      parsed = JSON.parse(text) as { error?: string; fix?: string };
    } catch {
      parsed = { error: text };
    }
    throw new UserError(`the farm refused: ${parsed.error ?? res.status}`, parsed.fix ?? 'see the farm log');
  }
  return res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

function splitCluster(arg: string, namespace?: string): { cluster: string; namespace: string } {
  const [a, b] = arg.includes('/') ? arg.split('/', 2) : [namespace ?? arg, arg];
  return { namespace: a!, cluster: b! };
}

/** The options of a command about one farm cluster: its namespace, and which farm to ask. */
function clusterOptions(c: Command): Command {
  return c
    .option('-n, --namespace <ns>', 'the cluster namespace (default: the cluster name)')
    .option('--url <url>', 'the farm control API (default: the local farm)')
    .option('--state-dir <dir>', 'the farm state dir');
}

export function register(program: Command): void {
  const farm = program
    .command('farm')
    .description('the workload-API farm: every workload cluster served by one process');
  registerFarmList(program, farm);

  farm
    .command('serve')
    .description(
      'serve workload clusters: one TLS listener each from --base-port; control API (FKAS /register, /updateNode; /clusters, /metrics) on --control-port',
    )
    .option(
      '--host <addr>',
      "address to bind: an address, or 'auto' (this machine's address on the management cluster's node network; needs --kubeconfig)",
      '127.0.0.1',
    )
    .option('--advertise <addr>', 'address returned to callers and put in certificates (default: --host)')
    .option('--base-port <n>', 'cluster N listens on base-port + N', '20000')
    .option('--control-port <n>', 'the control API port (FKAS uses 3333)', '3333')
    .option('--capacity <n>', 'most clusters this farm takes', '2000')
    .option('--kubeconfig <file>', "the management cluster's kubeconfig (for --host auto)")
    .option('--state-dir <dir>', 'where clusters are kept across restarts (default <config stateDir>/farm)')
    .option('--kubernetes-version <v>', 'the version the clusters report (default: the farm default)')
    .option(
      '--background',
      "run as the engine's background farm: `delete --all` stops it when it serves no cluster, and a `farm serve` on the same state dir takes its place",
    )
    .action(
      action(async (o: ServeOpts) => {
        const { serveFarm } = await import('../../engine/topology/farm-serve.js');
        const stateDir = await farmDir(program, o.stateDir);
        const handle = await serveFarm({
          stateDir,
          host: o.host,
          advertiseHost: o.advertise,
          basePort: intFlag(o.basePort, '--base-port', 1024, 65000),
          controlPort: intFlag(o.controlPort, '--control-port', 0, 65535),
          capacity: intFlag(o.capacity, '--capacity', 1, 20000),
          kubeconfig: o.kubeconfig,
          kubernetesVersion: o.kubernetesVersion,
          background: o.background === true,
          // In the foreground, the user's farm replaces the engine's background one.
          takeOver: o.background !== true,
        });
        if (handle.tookOverFrom)
          process.stderr.write(
            `farm: the background farm (pid ${handle.tookOverFrom}) was stopped; this one serves its clusters\n`,
          );
        process.stdout.write(
          `farm: ${handle.farm.size} clusters restored in ${handle.restoreMs.toFixed(0)} ms; clusters on ${handle.farm.advertiseHost}:${handle.farm.basePort}+, control API ${handle.controlUrl}\n`,
        );
        for (const u of handle.farm.unreadable) process.stderr.write(`warning: unreadable cluster state ${u}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await handle.close();
      }),
    );

  farm
    .command('stop')
    .description(
      "stop the engine's background farm of this state dir (its clusters stay saved; the next create or delete starts it again)",
    )
    .option('--state-dir <dir>', 'the farm state dir')
    .action(
      action(async (o: { stateDir?: string }) => {
        const { farmLockHolder, stopBackgroundFarm } = await import('../../engine/topology/farm-process.js');
        const dir = await farmDir(program, o.stateDir);
        const holder = farmLockHolder(dir);
        if (!holder) {
          process.stdout.write(`no farm serves ${dir}\n`);
          return;
        }
        if (!holder.background)
          throw new UserError(
            `the farm serving ${dir} (pid ${holder.pid}) runs in the foreground, not in the background`,
            'stop it where it runs (Ctrl-C)',
          );
        await stopBackgroundFarm(dir);
        process.stdout.write(`background farm (pid ${holder.pid}) stopped\n`);
      }),
    );

  farm
    .command('fault <cluster>')
    .description('inject a fault into one farm cluster (NAMESPACE/NAME, or NAME when the namespace is the name)')
    .option('--down', "close the cluster's listener (connections refused)")
    .option('--up', 'reopen it')
    .option('--latency <duration>', 'add latency to every request, e.g. 200ms, 1s (0 removes it)')
    .option('--error-rate <share>', 'answer this share of requests 503, from 0 to 1 (0 removes it)')
    .option('--clear', 'remove every fault')
    .option('-n, --namespace <ns>', 'the cluster namespace (default: the cluster name)')
    .option('--url <url>', 'the farm control API (default: the local farm)')
    .option('--state-dir <dir>', 'the farm state dir (to find the local farm and its token)')
    .action(
      action(async (arg: string, o: FaultFlags & ClientOpts) => {
        const fault = parseFaultFlags(o);
        const { url, token } = await endpoint(program, o);
        const { namespace, cluster } = splitCluster(arg, o.namespace);
        const current = (await call(`${url}/clusters`, 'GET', token)) as {
          clusters: Array<{ key: string; fault: Record<string, unknown> }>;
        };
        const have = current.clusters.find((c) => c.key === `${namespace}/${cluster}`);
        if (!have)
          throw new UserError(
            `cluster ${namespace}/${cluster} is not in the farm at ${url}`,
            '`scale-tui farm status` lists its clusters; give NAMESPACE/NAME when they differ',
          );
        const next = o.clear ? {} : { ...have.fault, ...fault };
        const r = await call(`${url}/clusters/${namespace}/${cluster}/fault`, 'PUT', token, next);
        process.stdout.write(`${JSON.stringify(r)}\n`);
      }),
    );

  farm
    .command('status')
    .description("the farm's clusters, faults and request metrics")
    .option('--url <url>', 'the farm control API (default: the local farm)')
    .option('--state-dir <dir>', 'the farm state dir')
    .option('--json', 'print JSON')
    .action(
      action(async (o: ClientOpts) => {
        const { url, token } = await endpoint(program, o);
        const clusters = (await call(`${url}/clusters`, 'GET', token)) as {
          clusters: Array<{ key: string; port: number; listening: boolean; fault: object; objects: number }>;
        };
        const metrics = (await call(`${url}/metrics`, 'GET', token)) as Record<string, number>;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...clusters, metrics }, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `farm ${url}: ${clusters.clusters.length} clusters, ${metrics.requestsPerSecond?.toFixed(1)} req/s, health probes ${metrics.healthProbesPerSecond?.toFixed(1)}/s, p50 ${metrics.p50Ms?.toFixed(2)} ms, p99 ${metrics.p99Ms?.toFixed(2)} ms, port-forward sessions ${metrics.portForwardSessions}\n`,
        );
        for (const c of clusters.clusters)
          process.stdout.write(
            `  ${c.key.padEnd(30)} :${c.port} ${c.listening ? 'up  ' : 'DOWN'} objects ${c.objects} ${Object.keys(c.fault).length ? JSON.stringify(c.fault) : ''}\n`,
          );
      }),
    );

  clusterOptions(
    farm
      .command('register <cluster>')
      .description('register a cluster as FKAS /register does (prints {"Resource","Host","Port"})'),
  ).action(
    action(async (arg: string, o: ClientOpts) => {
      const { url, token } = await endpoint(program, o);
      const r = await call(`${url}/register`, 'POST', token, splitCluster(arg, o.namespace));
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }),
  );

  clusterOptions(
    farm
      .command('kubeconfig <cluster>')
      .description("print a farm cluster's admin kubeconfig (client certificate from its CA)"),
  ).action(
    action(async (arg: string, o: ClientOpts) => {
      const { url, token } = await endpoint(program, o);
      const { namespace, cluster } = splitCluster(arg, o.namespace);
      process.stdout.write(String(await call(`${url}/clusters/${namespace}/${cluster}/kubeconfig`, 'GET', token)));
    }),
  );
}

/** `farm add/list/remove`: the remote farms the farm topology allocates clusters to. */
function registerFarmList(program: Command, farm: Command): void {
  const stateDir = async (): Promise<string> => (await loadConfig(program.opts<{ config?: string }>().config)).stateDir;
  farm
    .command('add <name>')
    .description('add a remote farm (its control API) for the farm topology; it must answer now')
    .requiredOption('--url <url>', 'the farm control API, e.g. http://10.0.0.5:3333')
    .option('--token-file <file>', "the farm's control-token file (for remove, kubeconfig, faults)")
    .action(
      action(async (name: string, o: { url: string; tokenFile?: string }) => {
        let token: string | undefined;
        if (o.tokenFile) {
          try {
            token = readFileSync(o.tokenFile, 'utf8').trim();
          } catch (err) {
            throw new UserError(
              `cannot read --token-file ${o.tokenFile} (${(err as Error).message})`,
              "copy the farm's <state dir>/farm/control-token here",
            );
          }
        }
        const { addFarm } = await import('../../engine/topology/farm-registry.js');
        const cap = await addFarm(await stateDir(), { name, url: o.url, token });
        process.stdout.write(`farm ${name} added (${o.url}: ${cap.used}/${cap.capacity} clusters)\n`);
      }),
    );
  farm
    .command('list')
    .description('the remote farms added with `farm add`, with their clusters and capacity')
    .action(
      action(async () => {
        const { readFarms } = await import('../../engine/topology/farm-registry.js');
        const { FarmClient } = await import('../../engine/topology/farm.js');
        const refs = readFarms(await stateDir());
        if (refs.length === 0) process.stdout.write('no remote farm added (the engine starts one in-process)\n');
        for (const ref of refs) {
          const c = await new FarmClient(ref).capacity();
          process.stdout.write(
            `${ref.name.padEnd(16)} ${ref.url.padEnd(32)} ${c.reachable ? `${c.used}/${c.capacity}` : 'NOT ANSWERING'}\n`,
          );
        }
      }),
    );
  farm
    .command('remove <name>')
    .description('forget a remote farm (its clusters stay served there)')
    .action(
      action(async (name: string) => {
        const { removeFarm } = await import('../../engine/topology/farm-registry.js');
        if (!removeFarm(await stateDir(), name))
          throw new UserError(`no farm named ${name} was added`, '`scale-tui farm list` shows the farms');
        process.stdout.write(`farm ${name} removed\n`);
      }),
    );
}

export { parseDurationMs };
