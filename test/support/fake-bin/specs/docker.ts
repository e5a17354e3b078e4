// docker CLI 28 (the client on this machine, 28.2.2): the root's options and `version`, the
// one command scale-tui runs (doctor and `backing create` probe the daemon with it). The
// root's options go before the command only (docker does not let subcommands inherit
// them). Every other docker command is named, not described.
import type { CobraToolSpec, CommandSpec } from '../cli-parse.mjs';
import { flags } from './notation.js';

const OTHER = [
  'run', 'exec', 'ps', 'build', 'pull', 'push', 'images', 'login', 'logout', 'search', 'info', 'builder', 'buildx',
  'checkpoint', 'compose', 'container', 'context', 'image', 'manifest', 'network', 'plugin', 'system', 'trust',
  'volume',
  'config', 'node', 'secret', 'service', 'stack', 'swarm', 'attach', 'commit', 'cp', 'create', 'diff', 'events',
  'export', 'history', 'import', 'inspect', 'kill', 'load', 'logs', 'pause', 'port', 'rename', 'restart', 'rm', 'rmi',
  'save', 'start', 'stats', 'stop', 'tag', 'top', 'unpause', 'update', 'wait',
];

export const docker: CobraToolSpec = {
  style: 'cobra',
  tool: 'docker',
  version: '28.2.2',
  source: 'docker --help / docker version --help, run on this machine',
  dialect: 'docker',
  rootFlagsFirst: true,
  root: {
    name: 'docker',
    usage: 'docker [OPTIONS] COMMAND [ARG...]',
    // Any word that is no command is "unknown command" (docker's root accepts no arguments).
    args: { max: 0 },
    flags: flags(
      '--config string', '-c --context string', '-D --debug bool', '-H --host list', '-l --log-level string',
      '--tls bool', '--tlscacert string', '--tlscert string', '--tlskey string', '--tlsverify bool',
      '-v --version bool',
    ),
    commands: [
      {
        name: 'version',
        usage: 'docker version [OPTIONS]',
        args: { max: 0, message: "docker: 'docker version' accepts no arguments" },
        flags: flags('-f --format string'),
      },
      ...OTHER.map((name): CommandSpec => ({ name, unmodelled: true })),
    ],
  },
};
