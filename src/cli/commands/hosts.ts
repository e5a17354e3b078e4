// `scale-tui hosts`: prints BareMetalHost + BMC Secret YAML, like the seed's
// produce-hosts.sh / produce-available-hosts.sh. BMC passwords are random per host,
// generated here at print time (test-mode BMO never uses them, but nothing ships a
// fixed password).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { hostsYaml, MAX_HOST_INDEX } from '../../manifests/hosts.js';
import { intInRange } from '../args.js';
import { action } from '../run-command.js';

/** Hosts printed at once; the MAC space allows MAX_HOST_INDEX, this keeps the stream manageable. */
export const MAX_HOSTS = 100_000;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface HostsOptions {
  count: number;
  start: number;
  provisioned?: boolean;
  namespace?: string;
}

export function register(program: Command): void {
  program
    .command('hosts')
    .description('print BareMetalHost + BMC Secret YAML (like the seed produce-hosts scripts)')
    .requiredOption('--count <n>', `number of hosts (1-${MAX_HOSTS})`, intInRange('--count', 1, MAX_HOSTS))
    .option('--start <i>', 'index of the first host (worker-<i>)', intInRange('--start', 1, MAX_HOST_INDEX), 1)
    .option(
      '--provisioned',
      'give the hosts an image and userData so test-mode BMO provisions them (default: available)',
    )
    .option('--namespace <ns>', 'set metadata.namespace on every object (default: none, apply with -n)')
    .action(action((opts: HostsOptions) => printHosts(opts)));
}

export function printHosts(opts: HostsOptions): void {
  if (opts.namespace !== undefined && (!DNS1123_LABEL.test(opts.namespace) || opts.namespace.length > 63)) {
    throw new UserError(
      `--namespace "${opts.namespace}" is not a valid namespace name.`,
      'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters.',
    );
  }
  if (opts.start + opts.count - 1 > MAX_HOST_INDEX) {
    throw new UserError(
      `--start ${opts.start} with --count ${opts.count} goes past host index ${MAX_HOST_INDEX}.`,
      'lower --start or --count.',
    );
  }
  const yaml = hostsYaml({
    count: opts.count,
    start: opts.start,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    variant: opts.provisioned ? 'provisioned' : 'available',
    credentials: () => ({ username: 'admin', password: randomBytes(16).toString('base64url') }),
    ownership: { runId: 'manual' },
  });
  process.stdout.write(yaml);
}
