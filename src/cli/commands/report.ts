import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('report').description('render a run journal as tables and charts').action(action(notYet('report')));
}
