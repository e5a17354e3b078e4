import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('sim').description('run parts of the simulation against a cluster').action(action(notYet('sim')));
}
