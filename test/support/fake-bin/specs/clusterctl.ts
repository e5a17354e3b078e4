// clusterctl v1.14.0 (the CAPI release scale-tui pins): its commands and flags, read from
// kubernetes-sigs/cluster-api@v1.14.0 cmd/clusterctl/cmd/*.go. The alpha rollout commands
// are named but not described. Argument errors are clusterctl's helpErrors
// (cmd/clusterctl/cmd/args.go): the message, then the help text.
import type { CobraToolSpec, CommandSpec } from '../cli-parse.mjs';
import { flags } from './notation.js';

const NONE = { max: 0 };
const PROVIDERS = [
  '-i --infrastructure list',
  '-b --bootstrap list',
  '-c --control-plane list',
  '--ipam list',
  '--runtime-extension list',
  '--addon list',
];
const KUBECONFIG = ['--kubeconfig string', '--kubeconfig-context string'];

const init: CommandSpec = {
  name: 'init',
  args: NONE,
  persistentFlags: flags(...KUBECONFIG, '--core string', ...PROVIDERS),
  flags: flags(
    '-n --target-namespace string',
    '--wait-providers bool',
    '--wait-provider-timeout int',
    '--validate bool',
  ),
  commands: [{ name: 'list-images', args: NONE }],
};

const generate: CommandSpec = {
  name: 'generate',
  commands: [
    {
      name: 'cluster',
      args: { min: 1, max: 1, message: 'please specify a cluster name' },
      flags: flags(
        ...KUBECONFIG,
        '-n --target-namespace string',
        '--kubernetes-version string',
        '--control-plane-machine-count int',
        '--worker-machine-count int',
        '-i --infrastructure string',
        '-f --flavor string',
        '--from string',
        '--from-config-map string',
        '--from-config-map-namespace string',
        '--from-config-map-key string',
        '--list-variables bool',
        '--write-to string',
      ),
    },
    {
      name: 'provider',
      args: NONE,
      flags: flags(
        '--core string',
        '-i --infrastructure string',
        '-b --bootstrap string',
        '-c --control-plane string',
        '--ipam string',
        '--runtime-extension string',
        '--addon string',
        '-n --target-namespace string',
        '--describe bool',
        '--raw bool',
        '--write-to string',
      ),
    },
    { name: 'yaml', flags: flags('--from string', '--list-variables bool') },
  ],
};

export const clusterctl: CobraToolSpec = {
  style: 'cobra',
  tool: 'clusterctl',
  version: 'v1.14.0',
  source: 'kubernetes-sigs/cluster-api@v1.14.0 cmd/clusterctl/cmd',
  dialect: 'clusterctl',
  // cobra's default: commands (and so "Did you mean") in name order.
  sortCommands: true,
  root: {
    name: 'clusterctl',
    // -v is Go's flag package (flag.CommandLine) added to pflag: both -v and --v.
    persistentFlags: flags('-v --v goInt', '--config string'),
    commands: [
      { name: 'alpha', commands: [{ name: 'rollout', unmodelled: true }] },
      { name: 'completion', args: { min: 1, max: 1, message: 'please specify a shell' } },
      { name: 'config', commands: [{ name: 'repositories', args: NONE, flags: flags('-o --output string') }] },
      {
        name: 'delete',
        args: NONE,
        flags: flags(
          ...KUBECONFIG,
          '--include-namespace bool',
          '--include-crd bool',
          '--core string',
          ...PROVIDERS,
          '--all bool',
        ),
      },
      {
        name: 'describe',
        commands: [
          {
            name: 'cluster',
            args: { min: 1, max: 1, message: 'please specify a cluster name' },
            flags: flags(
              ...KUBECONFIG,
              '-n --namespace string',
              '--show-conditions string',
              '--show-machinesets bool',
              '--show-resourcesets bool',
              '--show-templates bool',
              '--echo bool',
              '--grouping bool',
              '--v1beta2 bool',
              '-c --color bool',
            ),
          },
        ],
      },
      generate,
      {
        name: 'get',
        commands: [
          {
            name: 'kubeconfig',
            args: { min: 1, max: 1, message: 'please specify a workload cluster name' },
            flags: flags('-n --namespace string', ...KUBECONFIG),
          },
        ],
      },
      init,
      {
        name: 'move',
        args: NONE,
        flags: flags(
          '--kubeconfig string',
          '--to-kubeconfig string',
          '--kubeconfig-context string',
          '--to-kubeconfig-context string',
          '-n --namespace string',
          '--dry-run bool',
          '--to-directory string',
          '--from-directory string',
          '--hide-api-warnings string',
        ),
      },
      {
        name: 'upgrade',
        args: NONE,
        commands: [
          { name: 'plan', flags: flags(...KUBECONFIG) },
          {
            name: 'apply',
            args: NONE,
            flags: flags(
              ...KUBECONFIG,
              '--contract string',
              '--core string',
              ...PROVIDERS,
              '--wait-providers bool',
              '--wait-provider-timeout int',
            ),
          },
        ],
      },
      { name: 'version', args: NONE, flags: flags('-o --output string') },
    ],
  },
};
