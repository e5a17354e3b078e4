// etcdctl 3.4 (Debian's etcd-client 3.4.23; scale-tui supports 3.4 to 3.6 and this is the
// oldest): the commands the tenancy admin runs and their neighbours, with every flag, read
// from `etcdctl <command> --help` and, for argument counts, from what it prints when they
// are wrong. Those checks run before etcdctl dials, and exit 128 (ExitBadArgs).
// Not described: check, completion, elect, lease, lock, make-mirror, migrate, move-leader,
// snapshot, txn, watch, and member changes.
import type { ArgsSpec, CobraToolSpec, CommandSpec } from '../cli-parse.mjs';
import { flags } from './notation.js';

const GLOBAL = flags(
  '--cacert string',
  '--cert string',
  '--command-timeout duration',
  '--debug bool',
  '--dial-timeout duration',
  '-d --discovery-srv string',
  '--discovery-srv-name string',
  '--endpoints list',
  '--hex bool',
  '--insecure-discovery bool',
  '--insecure-skip-tls-verify bool',
  '--insecure-transport bool',
  '--keepalive-time duration',
  '--keepalive-timeout duration',
  '--key string',
  '--password string',
  '--user string',
  '-w --write-out string',
);

const exactly = (n: number, message: string): ArgsSpec => ({ min: n, max: n, message, exit: 128 });
const cmd = (name: string, args: ArgsSpec | undefined, rows: string[] = []): CommandSpec => ({
  name,
  flags: flags(...rows),
  ...(args ? { args } : {}),
});
const unmodelled = (name: string): CommandSpec => ({ name, unmodelled: true });

const RANGE = 'one argument as key and an optional argument as range_end';

export const etcdctl: CobraToolSpec = {
  style: 'cobra',
  tool: 'etcdctl',
  version: '3.4.23',
  source: 'etcdctl 3.4.23 --help, run on this machine (Debian etcd-client)',
  dialect: 'etcdctl',
  // etcdctl sets cobra.EnablePrefixMatching: `etcdctl user ad x` runs `user add`.
  prefixMatching: true,
  sortCommands: true,
  root: {
    name: 'etcdctl',
    persistentFlags: GLOBAL,
    commands: [
      {
        name: 'alarm',
        commands: [
          cmd('disarm', { max: 0, message: 'alarm disarm command accepts no arguments', exit: 128 }),
          cmd('list', { max: 0, message: 'alarm list command accepts no arguments', exit: 128 }),
        ],
      },
      {
        name: 'auth',
        commands: [
          cmd('disable', { max: 0, message: 'auth disable command does not accept any arguments', exit: 128 }),
          cmd('enable', { max: 0, message: 'auth enable command does not accept any arguments', exit: 128 }),
        ],
      },
      unmodelled('check'),
      cmd('compaction', exactly(1, 'compaction command needs 1 argument'), ['--physical bool']),
      unmodelled('completion'),
      cmd('defrag', undefined, ['--cluster bool', '--data-dir string']),
      cmd('del', { min: 1, max: 2, message: `del command needs ${RANGE}`, exit: 128 }, [
        '--from-key bool',
        '--prefix bool',
        '--prev-kv bool',
      ]),
      unmodelled('elect'),
      {
        name: 'endpoint',
        persistentFlags: flags('--cluster bool'),
        commands: [cmd('hashkv', undefined, ['--rev int']), cmd('health', undefined), cmd('status', undefined)],
      },
      cmd('get', { min: 1, max: 2, message: `get command needs ${RANGE}`, exit: 128 }, [
        '--consistency string',
        '--from-key bool',
        '--keys-only bool',
        '--limit int',
        '--order string',
        '--prefix bool',
        '--print-value-only bool',
        '--rev int',
        '--sort-by string',
      ]),
      unmodelled('lease'),
      unmodelled('lock'),
      unmodelled('make-mirror'),
      {
        name: 'member',
        commands: [
          unmodelled('add'),
          cmd('list', undefined),
          unmodelled('promote'),
          unmodelled('remove'),
          unmodelled('update'),
        ],
      },
      unmodelled('migrate'),
      unmodelled('move-leader'),
      cmd('put', { min: 1, message: 'put command needs 1 argument and input from stdin or 2 arguments', exit: 128 }, [
        '--ignore-lease bool',
        '--ignore-value bool',
        '--lease string',
        '--prev-kv bool',
      ]),
      {
        name: 'role',
        commands: [
          cmd('add', exactly(1, 'role add command requires role name as its argument')),
          cmd('delete', exactly(1, 'role delete command requires role name as its argument')),
          cmd('get', exactly(1, 'role get command requires role name as its argument')),
          cmd(
            'grant-permission',
            {
              min: 3,
              max: 4,
              message: 'role grant command requires role name, permission type, and key [endkey] as its argument',
              exit: 128,
            },
            ['--from-key bool', '--prefix bool'],
          ),
          cmd('list', { max: 0, message: 'role list command requires no arguments', exit: 128 }),
          cmd(
            'revoke-permission',
            {
              min: 2,
              max: 3,
              message: 'role revoke-permission command requires role name and key [endkey] as its argument',
              exit: 128,
            },
            ['--from-key bool', '--prefix bool'],
          ),
        ],
      },
      unmodelled('snapshot'),
      unmodelled('txn'),
      {
        name: 'user',
        commands: [
          cmd('add', exactly(1, 'user add command requires user name as its argument'), [
            '--interactive bool',
            '--new-user-password string',
            '--no-password bool',
          ]),
          cmd('delete', exactly(1, 'user delete command requires user name as its argument')),
          cmd('get', exactly(1, 'user get command requires user name as its argument'), ['--detail bool']),
          cmd('grant-role', exactly(2, 'user grant command requires user name and role name as its argument')),
          cmd('list', { max: 0, message: 'user list command requires no arguments', exit: 128 }),
          cmd('passwd', exactly(1, 'user passwd command requires user name as its argument'), ['--interactive bool']),
          cmd('revoke-role', exactly(2, 'user revoke-role requires user name and role name as its argument')),
        ],
      },
      cmd('version', undefined),
      unmodelled('watch'),
    ],
  },
};
