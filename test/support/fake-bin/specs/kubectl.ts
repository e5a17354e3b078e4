// kubectl v1.32: the commands scale-tui runs (apply, exec, port-forward, version) and the
// ones its tests and operators reach for, with every flag each accepts. Read from the
// genuine kubectl 1.32.5 (`kubectl <command> --help`, `kubectl options`); a value-taking
// flag is marked `?` when `kubectl <command> --<flag>` with no value was accepted. The
// top-level command list is in kubectl's own order, which its "Did you mean" follows.
import type { CobraToolSpec, CommandSpec } from '../cli-parse.mjs';
import { flags } from './notation.js';

/** `kubectl options`, plus the hidden --warnings-as-errors (accepted by every command). */
const GLOBAL = flags(
  '--as string', '--as-group list', '--as-uid string', '--cache-dir string', '--certificate-authority string',
  '--client-certificate string', '--client-key string', '--cluster string', '--context string',
  '--disable-compression bool', '--insecure-skip-tls-verify bool', '--kubeconfig string',
  '--log-flush-frequency goDuration', '--match-server-version bool', '-n --namespace string', '--password string',
  '--profile string', '--profile-output string', '--request-timeout string', '-s --server string',
  '--tls-server-name string', '--token string', '--user string', '--username string', '-v --v int',
  '--vmodule string', '--warnings-as-errors bool',
);

const MODELLED: Record<string, CommandSpec['flags']> = {
  get: flags(
    '-A --all-namespaces bool', '--allow-missing-template-keys bool', '--chunk-size int',
    '--field-selector string', '-f --filename list', '--ignore-not-found bool', '-k --kustomize string',
    '-L --label-columns list', '--no-headers bool', '-o --output string', '--output-watch-events bool',
    '--raw string', '-R --recursive bool', '-l --selector string', '--server-print bool', '--show-kind bool',
    '--show-labels bool', '--show-managed-fields bool', '--sort-by string', '--subresource string',
    '--template string', '-w --watch bool', '--watch-only bool',
  ),
  apply: flags(
    '--all bool', '--allow-missing-template-keys bool', '--cascade string?', '--dry-run string?',
    '--field-manager string', '-f --filename list', '--force bool', '--force-conflicts bool',
    '--grace-period int', '-k --kustomize string', '--openapi-patch bool', '-o --output string',
    '--overwrite bool', '--prune bool', '--prune-allowlist list', '-R --recursive bool', '-l --selector string',
    '--server-side bool', '--show-managed-fields bool', '--subresource string', '--template string',
    '--timeout duration', '--validate string?', '--wait bool',
  ),
  exec: flags(
    '-c --container string', '-f --filename list', '--pod-running-timeout duration', '-q --quiet bool',
    '-i --stdin bool', '-t --tty bool',
  ),
  'port-forward': flags(
    '--address list', '--pod-running-timeout duration',
  ),
  version: flags(
    '--client bool', '-o --output string',
  ),
  delete: flags(
    '--all bool', '-A --all-namespaces bool', '--cascade string?', '--dry-run string?', '--field-selector string',
    '-f --filename list', '--force bool', '--grace-period int', '--ignore-not-found bool',
    '-i --interactive bool', '-k --kustomize string', '--now bool', '-o --output string', '--raw string',
    '-R --recursive bool', '-l --selector string', '--timeout duration', '--wait bool',
  ),
  describe: flags(
    '-A --all-namespaces bool', '--chunk-size int', '-f --filename list', '-k --kustomize string',
    '-R --recursive bool', '-l --selector string', '--show-events bool',
  ),
  logs: flags(
    '--all-containers bool', '--all-pods bool', '-c --container string', '-f --follow bool',
    '--ignore-errors bool', '--insecure-skip-tls-verify-backend bool', '--limit-bytes int',
    '--max-log-requests int', '--pod-running-timeout duration', '--prefix bool', '-p --previous bool',
    '-l --selector string', '--since duration', '--since-time string', '--tail int', '--timestamps bool',
  ),
  wait: flags(
    '--all bool', '-A --all-namespaces bool', '--allow-missing-template-keys bool', '--field-selector string',
    '-f --filename list', '--for string', '--local bool', '-o --output string', '-R --recursive bool',
    '-l --selector string', '--show-managed-fields bool', '--template string', '--timeout duration',
  ),
  patch: flags(
    '--allow-missing-template-keys bool', '--dry-run string?', '--field-manager string', '-f --filename list',
    '-k --kustomize string', '--local bool', '-o --output string', '-p --patch string', '--patch-file string',
    '-R --recursive bool', '--show-managed-fields bool', '--subresource string', '--template string',
    '--type string',
  ),
  label: flags(
    '--all bool', '-A --all-namespaces bool', '--allow-missing-template-keys bool', '--dry-run string?',
    '--field-manager string', '--field-selector string', '-f --filename list', '-k --kustomize string',
    '--list bool', '--local bool', '-o --output string', '--overwrite bool', '-R --recursive bool',
    '--resource-version string', '-l --selector string', '--show-managed-fields bool', '--template string',
  ),
  annotate: flags(
    '--all bool', '-A --all-namespaces bool', '--allow-missing-template-keys bool', '--dry-run string?',
    '--field-manager string', '--field-selector string', '-f --filename list', '-k --kustomize string',
    '--list bool', '--local bool', '-o --output string', '--overwrite bool', '-R --recursive bool',
    '--resource-version string', '-l --selector string', '--show-managed-fields bool', '--template string',
  ),
  scale: flags(
    '--all bool', '--allow-missing-template-keys bool', '--current-replicas int', '--dry-run string?',
    '-f --filename list', '-k --kustomize string', '-o --output string', '-R --recursive bool', '--replicas int',
    '--resource-version string', '-l --selector string', '--show-managed-fields bool', '--template string',
    '--timeout duration',
  ),
};

const ORDER = [
  'create', 'expose', 'run', 'set', 'explain', 'get', 'edit', 'delete', 'rollout', 'scale', 'autoscale', 'certificate',
  'cluster-info', 'top', 'cordon', 'uncordon', 'drain', 'taint', 'describe', 'logs', 'attach', 'exec', 'port-forward',
  'proxy', 'cp', 'auth', 'debug', 'events', 'diff', 'apply', 'patch', 'replace', 'wait', 'kustomize', 'label',
  'annotate', 'completion', 'api-resources', 'api-versions', 'config', 'plugin', 'version', 'options',
];

export const kubectl: CobraToolSpec = {
  style: 'cobra',
  tool: 'kubectl',
  version: 'v1.32.5',
  source: 'kubectl 1.32 --help / options, run on this machine',
  dialect: 'kubectl',
  root: {
    name: 'kubectl',
    persistentFlags: GLOBAL,
    commands: ORDER.map((name): CommandSpec => {
      const own = MODELLED[name];
      return own ? { name, flags: own } : { name, unmodelled: true };
    }),
  },
};
