// argv -> engine calls or the UI. Each subcommand lives in its own module under commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { reportFailure } from './run-command.js';
import { registerCommands } from './commands/index.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('scale-tui')
    .version(PACKAGE_VERSION, '-V, --version', 'print the scale-tui version')
    .description('Terminal control center for Cluster API + Metal3 scale experiments')
    .option('-c, --config <file>', 'experiment config file (YAML); defaults reproduce the seed')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // commander has already printed its own message for usage errors.
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = (err as { exitCode?: number }).exitCode ?? 2;
      if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exitCode = 0;
      return;
    }
    process.exitCode = reportFailure(err);
  }
}

await main(process.argv);
