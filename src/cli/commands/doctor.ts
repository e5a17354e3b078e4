import type { Command } from 'commander';
import { action } from '../run-command.js';
import { notYet } from './not-yet.js';

export function register(program: Command): void {
  program.command('doctor').description('check the machine for a real run (docker, kind, kubectl, clusterctl, inotify, memory, kubeconfig)').action(action(notYet('doctor')));
}
