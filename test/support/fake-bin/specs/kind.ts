// kind v0.30.0 (the version .devcontainer pins): every command and flag of its CLI, read
// from kubernetes-sigs/kind@v0.30.0 pkg/cmd/kind/**. Group commands (create, get, ...)
// have a RunE that prints help and fails with "Subcommand is required".
import type { CobraToolSpec, CommandSpec } from '../cli-parse.mjs';
import { flags } from './notation.js';

const REQUIRED = 'Subcommand is required';
const NONE = { max: 0 };
const LOAD = ['-n --name string', '--nodes list'];
const leaf = (name: string, rows: string[] = [], args: CommandSpec['args'] = NONE): CommandSpec => ({
  name,
  flags: flags(...rows),
  args,
});

export const kind: CobraToolSpec = {
  style: 'cobra',
  tool: 'kind',
  version: 'v0.30.0',
  source: 'kubernetes-sigs/kind@v0.30.0 pkg/cmd/kind',
  dialect: 'kind',
  root: {
    name: 'kind',
    // --version comes from cobra (the root sets Version); -v is taken by --verbosity.
    flags: flags('--version bool'),
    persistentFlags: flags('-v --verbosity int', '-q --quiet bool'),
    commands: [
      {
        name: 'build',
        groupError: REQUIRED,
        commands: [
          leaf('node-image', ['--type string', '--image string', '--base-image string', '--arch string'], { max: 1 }),
        ],
      },
      {
        name: 'completion',
        groupError: REQUIRED,
        commands: ['bash', 'fish', 'powershell', 'zsh'].map((shell) => leaf(shell)),
      },
      {
        name: 'create',
        groupError: REQUIRED,
        commands: [
          leaf('cluster', [
            '-n --name string',
            '--config string',
            '--image string',
            '--retain bool',
            '--wait duration',
            '--kubeconfig string',
          ]),
        ],
      },
      {
        name: 'delete',
        groupError: REQUIRED,
        commands: [
          leaf('cluster', ['-n --name string', '--kubeconfig string']),
          // `delete clusters` takes names; without any and without --all it fails in RunE.
          leaf('clusters', ['--kubeconfig string', '-A --all bool'], undefined),
        ],
      },
      {
        name: 'export',
        groupError: REQUIRED,
        commands: [
          leaf('kubeconfig', ['-n --name string', '--kubeconfig string', '--internal bool']),
          leaf('logs', ['-n --name string'], { max: 1 }),
        ],
      },
      {
        name: 'get',
        groupError: REQUIRED,
        commands: [
          leaf('clusters'),
          leaf('nodes', ['-n --name string', '-A --all-clusters bool']),
          leaf('kubeconfig', ['-n --name string', '--internal bool']),
        ],
      },
      { name: 'version', flags: [] },
      {
        name: 'load',
        groupError: REQUIRED,
        args: NONE,
        commands: [
          leaf('docker-image', LOAD, { min: 1, message: 'a list of image names is required' }),
          leaf('image-archive', LOAD, { min: 1, message: 'name of image archive is required' }),
        ],
      },
    ],
  },
};
