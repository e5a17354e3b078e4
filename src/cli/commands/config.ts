import type { Command } from 'commander';
import { stringify } from 'yaml';
import { action } from '../run-command.js';
import { defaultConfig, loadConfig } from '../../engine/config/load.js';

export function register(program: Command): void {
  program
    .command('config')
    .description('print the effective experiment config (validated), or the defaults')
    .option('--defaults', 'print the built-in defaults instead of the loaded file')
    .action(
      action(async (opts: { defaults?: boolean }) => {
        const cfg = opts.defaults ? defaultConfig() : await loadConfig(program.opts<{ config?: string }>().config);
        process.stdout.write(stringify(cfg));
      }),
    );
}
