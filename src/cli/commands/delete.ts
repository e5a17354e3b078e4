import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('delete').description('delete workload clusters created by scale-tui').action(action(notYet('delete')));
}
