import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('tune').description('show or patch controller concurrency and QPS/burst').action(action(notYet('tune')));
}
