import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('status').description('show clusters, batches and what is left').action(action(notYet('status')));
}
