import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('ui', { isDefault: true }).description('open the full-screen control center (default)').action(action(notYet('ui')));
}
