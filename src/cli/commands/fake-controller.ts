import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('fake-controller').description('create fake Nodes for scaled MachineDeployments').action(action(notYet('fake-controller')));
}
