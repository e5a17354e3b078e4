import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('backing').description('manage backing clusters and their multi-tenant etcd').action(action(notYet('backing')));
}
