import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands, subcommandOf } from '../../src/cli/commands/index.js';

describe('lazy subcommand loading', () => {
  it('finds the subcommand past global options and their values', () => {
    expect(subcommandOf(['status', '--json'])).toBe('status');
    expect(subcommandOf(['-c', 'exp.yaml', 'create', '--count', '5'])).toBe('create');
    expect(subcommandOf(['--config', 'status', 'delete'])).toBe('delete');
    expect(subcommandOf(['--help'])).toBeUndefined();
    expect(subcommandOf([])).toBeUndefined();
    expect(subcommandOf(['--', 'status'])).toBeUndefined();
  });

  it('registers exactly the named command, and every command when none is named', async () => {
    const one = new Command();
    await registerCommands(one, ['report', 'run-1']);
    expect(one.commands.map((c) => c.name())).toEqual(['report']);

    const all = new Command();
    await registerCommands(all, ['--help']);
    const names = all.commands.map((c) => c.name());
    // Each name in the table must be the command its module registers, or argv naming it
    // would load the wrong module and commander would call the word unknown.
    for (const name of names) {
      const alone = new Command();
      await registerCommands(alone, [name]);
      expect(alone.commands.map((c) => c.name())).toEqual([name]);
    }
    expect(names.length).toBeGreaterThanOrEqual(14);
  });

  it('loads no command for --version alone', async () => {
    const program = new Command();
    await registerCommands(program, ['--version']);
    expect(program.commands).toEqual([]);
  });
});
