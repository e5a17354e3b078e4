// One line per subcommand module; the module owns its flags and help text.
// Modules load lazily: a subcommand's module pulls in the engine, the Kubernetes client or
// Ink (each about half a second to import here), and every CLI call paid for all of them.
// When argv names a subcommand only its module loads; help, the default command and
// unknown words load them all so commander's listing and errors stay complete.
import type { Command } from 'commander';

type Registrar = { register(program: Command): void };

const COMMANDS: Record<string, () => Promise<Registrar>> = {
  ui: () => import('./ui.js'),
  demo: () => import('./demo.js'),
  doctor: () => import('./doctor.js'),
  setup: () => import('./setup.js'),
  backing: () => import('./backing.js'),
  create: () => import('./create.js'),
  delete: () => import('./delete.js'),
  status: () => import('./status.js'),
  hosts: () => import('./hosts.js'),
  tune: () => import('./tune.js'),
  'fake-controller': () => import('./fake-controller.js'),
  report: () => import('./report.js'),
  sim: () => import('./sim.js'),
  config: () => import('./config.js'),
  info: () => import('./info.js'),
  farm: () => import('./farm.js'),
};

/** Program-level options that take a value, so their value is not read as the subcommand. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-c', '--config']);

/** The subcommand argv names, or undefined when it names none (or asks for help). */
export function subcommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return undefined;
}

/** Registers the subcommand `args` names, or all of them when it names none we know. */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const name = subcommandOf(args);
  // `--version` alone needs no subcommand at all.
  if (name === undefined && args.some((a) => a === '-V' || a === '--version')) return;
  const wanted = name !== undefined && name !== 'help' && COMMANDS[name] ? [name] : Object.keys(COMMANDS);
  const modules = await Promise.all(wanted.map((n) => COMMANDS[n]!()));
  for (const m of modules) m.register(program);
}
