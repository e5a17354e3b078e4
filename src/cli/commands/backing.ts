import type { Command } from 'commander';
import { action } from '../run-command.js';
import { intInRange } from '../args.js';
import { loadConfig } from '../../engine/config/load.js';
import { addBacking, listBacking, removeBacking } from '../../engine/backing/index.js';
import { createRemoteBacking } from '../../engine/backing/create-remote.js';
import type { EtcdAccess } from '../../engine/backing/admin.js';
import { parseSshTarget } from '../../engine/tools/ssh.js';
import { UserError } from '../../core/errors.js';

interface AccessOpts {
  etcdVia: string;
  etcdEndpoint?: string;
}

function accessOf(o: AccessOpts): EtcdAccess {
  if (o.etcdEndpoint) return { mode: 'endpoint', endpoint: o.etcdEndpoint };
  if (o.etcdVia === 'exec') return { mode: 'exec' };
  if (o.etcdVia === 'port-forward') return { mode: 'port-forward' };
  throw new UserError(
    `--etcd-via "${o.etcdVia}" is not supported`,
    'Use port-forward (local etcdctl, root client cert) or exec (etcdctl inside the etcd pod).',
  );
}

const runId = () => `backing-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
const say = (line: string) => process.stdout.write(`${line}\n`);

export function register(program: Command): void {
  const backing = program.command('backing').description('manage backing clusters and their multi-tenant etcd');
  const stateDir = async () => (await loadConfig(program.opts<{ config?: string }>().config)).stateDir;
  const accessOptions = (c: Command) =>
    c
      .option('--etcd-via <mode>', 'how to reach etcd for admin work: port-forward | exec', 'port-forward')
      .option('--etcd-endpoint <url>', 'reach etcd directly at this https URL instead');
  // add and create set up the etcd and wait for it: the same wait bound, after their own options.
  const setupOptions = (c: Command) =>
    accessOptions(
      c.option(
        '--timeout <seconds>',
        'how long to wait for etcd to become ready',
        intInRange('--timeout', 10, 3600),
        300,
      ),
    );

  setupOptions(
    backing
      .command('add')
      .description('set up the multi-tenant etcd in a cluster and register it as a backing cluster')
      .argument('<name>', 'backing cluster name (DNS label)')
      .requiredOption('--kubeconfig <file>', 'kubeconfig of the backing cluster')
      .option('--context <name>', 'kubeconfig context')
      .option('--capacity <n>', 'workload clusters it may hold', intInRange('--capacity', 1, 10000), 100),
  ).action(
    action(
      async (
        name: string,
        o: AccessOpts & { kubeconfig: string; context?: string; capacity: number; timeout: number },
      ) => {
        const { entry, setup } = await addBacking({
          stateDir: await stateDir(),
          name,
          kubeconfig: o.kubeconfig,
          context: o.context,
          capacity: o.capacity,
          runId: runId(),
          access: accessOf(o),
          readyTimeoutMs: o.timeout * 1000,
          log: say,
        });
        say(
          `registered backing cluster ${entry.name} (${entry.endpoint}, capacity ${entry.capacity}); etcd objects created: ${setup.created.length}, already present: ${setup.existing.length}`,
        );
      },
    ),
  );

  accessOptions(
    backing.command('list').description('list registered backing clusters with etcd and API server health'),
  ).action(
    action(async (o: AccessOpts) => {
      const rows = await listBacking(await stateDir(), accessOf(o));
      if (rows.length === 0) {
        say('no backing clusters registered (scale-tui backing add NAME --kubeconfig FILE)');
        return;
      }
      for (const r of rows) {
        const db = r.etcdDbBytes !== undefined ? `${(r.etcdDbBytes / 1024 / 1024).toFixed(1)} MiB` : '?';
        say(
          `${r.name.padEnd(16)} ${r.healthy ? 'healthy  ' : 'UNHEALTHY'} tenants ${r.tenants}/${r.capacity}  apiservers ${r.apiserverPodsReady}/${r.apiserverPods}  etcd db ${db}  ${r.endpoint}${r.message ? `  (${r.message})` : ''}`,
        );
      }
    }),
  );

  accessOptions(
    backing
      .command('remove')
      .description('unregister a backing cluster (refused while workload clusters are placed there)')
      .argument('<name>')
      .option(
        '--purge',
        'also delete what scale-tui made there: the kind cluster if `backing create` made it, else its etcd-system namespace',
      )
      .option('--force', 'remove even if etcd still holds workload clusters or cannot be reached'),
  ).action(
    action(async (name: string, o: AccessOpts & { purge?: boolean; force?: boolean }) => {
      const e = await removeBacking({
        stateDir: await stateDir(),
        name,
        purge: o.purge,
        force: o.force,
        access: accessOf(o),
        log: say,
      });
      const purged = e.kindCluster ? ` and its kind cluster ${e.kindCluster.name}` : ' and its etcd-system namespace';
      say(
        `removed backing cluster ${e.name}${o.purge ? purged : ' (its etcd is left running; use --purge to delete it)'}`,
      );
    }),
  );

  setupOptions(
    backing
      .command('create')
      .description('over ssh, create a kind backing cluster on a host with docker and kind, then add it')
      .argument('<name>')
      .requiredOption('--ssh <user@host>', 'the host, e.g. ubuntu@10.0.0.5')
      .option(
        '--capacity <n>',
        'workload clusters it may hold (NodePort slots exposed)',
        intInRange('--capacity', 1, 2768),
        100,
      ),
  ).action(
    action(async (name: string, o: AccessOpts & { ssh: string; capacity: number; timeout: number }) => {
      const dir = await stateDir();
      const target = parseSshTarget(o.ssh);
      const remote = await createRemoteBacking({ name, target, capacity: o.capacity, stateDir: dir, log: say });
      for (const w of remote.warnings) process.stderr.write(`warning: ${w}\n`);
      const { entry } = await addBacking({
        stateDir: dir,
        name,
        kubeconfig: remote.kubeconfigPath,
        capacity: o.capacity,
        runId: runId(),
        access: accessOf(o),
        source: `ssh:${o.ssh}`,
        // Only a kind cluster this run created is recorded: purge may delete it, never one found there.
        ...(remote.created ? { kindCluster: { name, ssh: target } } : {}),
        readyTimeoutMs: o.timeout * 1000,
        log: say,
      });
      say(`registered backing cluster ${entry.name} (${entry.endpoint}); kubeconfig ${remote.kubeconfigPath}`);
    }),
  );
}
