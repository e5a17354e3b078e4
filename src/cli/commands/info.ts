// `scale-tui info`: every path scale-tui reads and writes, resolved for this shell (k9s
// info), and the command ids the preferences file's `keys:` remaps. Answers "where is my
// config?" without reading the source; reads nothing but the two config files.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadConfig } from '../../engine/config/load.js';
import { uiConfigPath } from '../../ui/config/paths.js';
import { loadPrefs } from '../../ui/config/prefs.js';
import { COMMANDS } from '../../ui/model/commands.js';

export function infoLines(
  configFile: string | undefined,
  stateDir: string,
  kubeconfig: string | undefined,
  env = process.env,
): string[] {
  const prefsPath = uiConfigPath(env);
  const prefs = loadPrefs(prefsPath);
  const state = resolve(stateDir);
  const kube = kubeconfig ?? (env.KUBECONFIG || '~/.kube/config');
  const rows: Array<[string, string, string]> = [
    [
      'ui preferences',
      'r',
      `${prefsPath} (${prefs.found ? 'found' : 'not found: defaults'}; $SCALE_TUI_CONFIG_DIR or $XDG_CONFIG_HOME move it)`,
    ],
    ['experiment config', 'r', configFile ? resolve(configFile) : 'none given (-c FILE); built-in defaults'],
    ['management kubeconfig', 'r', `${kube} (config management.kubeconfig, --kubeconfig, $KUBECONFIG)`],
    ['state directory', 'rw', `${state} (config stateDir, --state-dir)`],
    ['run journals', 'rw', `${resolve(state, 'runs', '<run-id>', 'journal.jsonl')}`],
    ['report charts', 'w', `${resolve(state, 'runs', '<run-id>')}/report.svg, phases.svg`],
    ['backing registry', 'rw', resolve(state, 'backing-clusters.json')],
    ['cluster PKI (keys 0600)', 'rw', `${resolve(state, 'pki')}/`],
    ['etcd client PKI (keys 0600)', 'rw', `${resolve(state, 'pki', 'etcd')}/`],
    ['saved logs (0600)', 'w', `${resolve(state, 'logs')}/log-<source>-<time>.txt (ctrl-s in the log viewer)`],
  ];
  const width = Math.max(...rows.map(([n]) => n.length));
  const out = rows.map(([n, mode, p]) => `${n.padEnd(width)}  ${mode.padEnd(2)}  ${p}`);
  for (const p of prefs.problems) out.push(`warning: ${p}`);
  out.push('', `command ids for keys: in ${prefsPath}:`);
  out.push(...COMMANDS.map((c) => `  ${c.command.padEnd(14)} ${c.keys.join(' ').padEnd(10)} ${c.help}`));
  return out;
}

export function register(program: Command): void {
  program
    .command('info')
    .description('print every path scale-tui reads and writes, and the command ids keys can be remapped to')
    .option('--state-dir <dir>', 'per-run state directory (default: config stateDir)')
    .option('--kubeconfig <file>', 'management cluster kubeconfig')
    .action(
      action(async (opts: { stateDir?: string; kubeconfig?: string }) => {
        const configFile = program.opts<{ config?: string }>().config;
        const cfg = await loadConfig(configFile);
        const lines = infoLines(
          configFile,
          opts.stateDir ?? cfg.stateDir,
          opts.kubeconfig ?? cfg.management.kubeconfig,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
