import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('setup').description('create or attach to the management cluster and install the providers').action(action(notYet('setup')));
}
