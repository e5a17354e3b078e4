import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('hosts').description('print BareMetalHost YAML (like the seed produce-hosts script)').action(action(notYet('hosts')));
}
