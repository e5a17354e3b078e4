import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('demo').description('run everything on an embedded simulated management cluster').action(action(notYet('demo')));
}
