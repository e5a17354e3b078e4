import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('create').description('create workload clusters in batches').action(action(notYet('create')));
}
