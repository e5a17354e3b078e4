// argv -> engine calls or the UI. Each subcommand lives in its own module under commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { reportFailure } from './run-command.js';
import { registerCommands } from './commands/index.js';
import { commandMode, installCliCrashHandlers, type CrashMode } from './crash.js';

// First thing once the modules are loaded: errors nothing caught become one redacted line
// (crash.ts) instead of Node's dump of the whole error object.
// Until commander has picked a command, a failure is a one-shot's.
let mode: CrashMode = 'one-shot';
installCliCrashHandlers(() => mode);

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command();
  program
    .name('scale-tui')
    .version(PACKAGE_VERSION, '-V, --version', 'print the scale-tui version')
    .description('Terminal control center for Cluster API + Metal3 scale experiments')
    .option('-c, --config <file>', 'experiment config file (YAML); defaults reproduce the seed')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerCommands(program, args);
  program.hook('preAction', (_program, actionCommand) => {
    mode = commandMode(commandPath(actionCommand), actionCommand.opts());
  });
  return program;
}

/** ['sim', 'controllers'] for `scale-tui sim controllers`: the names below the program. */
function commandPath(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // commander has already printed its own message for usage errors.
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = (err as { exitCode?: number }).exitCode ?? 2;
      if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
        process.exitCode = 0;
      return;
    }
    process.exitCode = reportFailure(err);
  }
}

await main(process.argv);
