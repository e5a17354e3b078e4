// Issue 9, bad input: a corpus of bad inputs run against the real binary. Each must give a
// non-zero exit, exactly one `error:` line naming the problem (plus a `fix:` line, or
// commander's usage pointer for flag-parsing errors), no stack trace, and no partial
// writes: the process runs with a fresh empty HOME and working directory (the default
// state dir is ./.scale-tui), which must still be empty afterwards.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { REPO_ROOT } from '../support/test-cluster.js';

const BIN = join(REPO_ROOT, 'bin/scale-tui.js');
let inputs: string;
let api: ApiServerHandle;
/** A reachable kubeconfig (embedded API server), for inputs that are checked after the session opens. */
let goodKubeconfig: string;

const FILES: Record<string, string> = {
  'malformed.yaml': 'topology: [backing\nbatch: {size: 1\n',
  'tabs.yaml': 'batch:\n\tsize: 3\n',
  'duplicate-key.yaml': 'batch:\n  size: 5\nbatch:\n  size: 6\n',
  'top-level-list.yaml': '- topology\n- backing\n',
  'unknown-topology.yaml': 'topology: mesh\n',
  'negative-batch.yaml': 'batch:\n  size: -5\n',
  'unknown-field.yaml': 'bacth:\n  size: 5\n',
  'nested-unknown-field.yaml': 'endpoint:\n  mode: nodeport\n  prot: 1\n',
  'wrong-type.yaml': 'batch:\n  concurrency: ten\n',
  'bad-enum.yaml': 'endpoint:\n  mode: ingress\n',
  'low-port.yaml': 'endpoint:\n  basePort: 80\n',
  'bad-prefix.yaml': 'naming:\n  prefix: 7up\n',
  'bad-backing-name.yaml': 'backingClusters:\n  - name: Backing_1\n    kubeconfig: /x\n',
  'garbage.kubeconfig': '::: {{{ not yaml\n\u0000\u0001',
  'not-a-kubeconfig.yaml': 'hello: world\n',
};

type Fix = 'fix' | 'usage';
interface Case {
  name: string;
  args: () => string[];
  /** What the one error line must say (names the problem). */
  error: RegExp;
  fix: Fix;
  env?: Record<string, string>;
}

const f = (name: string) => join(inputs, name);
const cfg =
  (file: string, ...rest: string[]) =>
  () => ['-c', f(file), ...rest];

const CASES: Case[] = [
  // --- config files (malformed, invalid values, unknown topology) ---
  {
    name: 'config: malformed YAML',
    args: cfg('malformed.yaml', 'config'),
    error: /malformed\.yaml: not valid YAML/,
    fix: 'fix',
  },
  {
    name: 'config: tab indentation',
    args: cfg('tabs.yaml', 'config'),
    error: /tabs\.yaml: not valid YAML: Tabs/,
    fix: 'fix',
  },
  {
    name: 'config: duplicate key',
    args: cfg('duplicate-key.yaml', 'config'),
    error: /not valid YAML: Map keys must be unique/,
    fix: 'fix',
  },
  {
    name: 'config: top level is a list',
    args: cfg('top-level-list.yaml', 'config'),
    error: /top level must be a mapping/,
    fix: 'fix',
  },
  {
    name: 'config: unknown topology',
    args: cfg('unknown-topology.yaml', 'config'),
    error: /topology: got an unsupported value; allowed: .*"backing"/,
    fix: 'fix',
  },
  {
    name: 'config: negative batch size',
    args: cfg('negative-batch.yaml', 'config'),
    error: /batch\.size: must be at least 1/,
    fix: 'fix',
  },
  {
    name: 'config: unknown field',
    args: cfg('unknown-field.yaml', 'config'),
    error: /unknown field\(s\) "bacth"/,
    fix: 'fix',
  },
  {
    name: 'config: nested unknown field',
    args: cfg('nested-unknown-field.yaml', 'config'),
    error: /endpoint: unknown field\(s\) "prot"/,
    fix: 'fix',
  },
  {
    name: 'config: wrong type',
    args: cfg('wrong-type.yaml', 'config'),
    error: /batch\.concurrency: expected number/,
    fix: 'fix',
  },
  {
    name: 'config: unsupported endpoint mode',
    args: cfg('bad-enum.yaml', 'config'),
    error: /endpoint\.mode: got an unsupported value/,
    fix: 'fix',
  },
  {
    name: 'config: privileged base port',
    args: cfg('low-port.yaml', 'config'),
    error: /endpoint\.basePort: must be at least 1024/,
    fix: 'fix',
  },
  {
    name: 'config: prefix not a DNS label',
    args: cfg('bad-prefix.yaml', 'config'),
    error: /naming\.prefix: must be a DNS label/,
    fix: 'fix',
  },
  {
    name: 'config: backing cluster name not a DNS label',
    args: cfg('bad-backing-name.yaml', 'config'),
    error: /backingClusters\.0\.name: must be a DNS label/,
    fix: 'fix',
  },
  {
    name: 'config: file missing',
    args: () => ['-c', f('no-such-config.yaml'), 'config'],
    error: /cannot read config file .*no-such-config\.yaml \(ENOENT\)/,
    fix: 'fix',
  },
  {
    name: 'config: path is a directory',
    args: () => ['-c', inputs, 'config'],
    error: /cannot read config file .* \(EISDIR\)/,
    fix: 'fix',
  },
  {
    name: 'config: invalid file given to create',
    args: cfg('unknown-topology.yaml', 'create', '--count', '1'),
    error: /topology: got an unsupported value/,
    fix: 'fix',
  },
  {
    name: 'config: invalid file given to tune',
    args: cfg('negative-batch.yaml', 'tune', 'capi', '--qps', '50'),
    error: /batch\.size/,
    fix: 'fix',
  },

  // --- counts: negative, zero, non-numeric, huge ---
  {
    name: 'create: --count -1',
    args: () => ['create', '--count', '-1'],
    error: /--count must be from 1 to \d+, got -1/,
    fix: 'usage',
  },
  { name: 'create: --count 0', args: () => ['create', '--count', '0'], error: /--count must be from 1/, fix: 'usage' },
  {
    name: 'create: --count ten',
    args: () => ['create', '--count', 'ten'],
    error: /--count must be a whole number.*"ten"/,
    fix: 'usage',
  },
  {
    name: 'create: --count 1.5',
    args: () => ['create', '--count', '1.5'],
    error: /--count must be a whole number.*"1\.5"/,
    fix: 'usage',
  },
  {
    name: 'create: huge --count',
    args: () => ['create', '--count', '99999999999999999999'],
    error: /--count must be from 1 to \d+/,
    fix: 'usage',
  },
  { name: 'create: no --count', args: () => ['create'], error: /create needs --count/, fix: 'fix' },
  {
    name: 'create: --batch-size 0',
    args: () => ['create', '--count', '3', '--batch-size', '0'],
    error: /--batch-size must be from 1/,
    fix: 'usage',
  },
  {
    name: 'create: huge --concurrency',
    args: () => ['create', '--count', '3', '--concurrency', '100000'],
    error: /--concurrency must be from 1 to 500/,
    fix: 'usage',
  },
  {
    name: 'hosts: --count -3',
    args: () => ['hosts', '--count', '-3'],
    error: /--count must be from 1 to 100000, got -3/,
    fix: 'usage',
  },
  {
    name: 'hosts: --count 0',
    args: () => ['hosts', '--count', '0'],
    error: /--count must be from 1 to 100000, got 0/,
    fix: 'usage',
  },
  {
    name: 'hosts: --count abc',
    args: () => ['hosts', '--count', 'abc'],
    error: /--count must be a whole number.*"abc"/,
    fix: 'usage',
  },
  {
    name: 'hosts: --count 1e9',
    args: () => ['hosts', '--count', '1e9'],
    error: /--count must be a whole number.*"1e9"/,
    fix: 'usage',
  },
  {
    name: 'hosts: huge --count',
    args: () => ['hosts', '--count', '100000000'],
    error: /--count must be from 1 to 100000/,
    fix: 'usage',
  },
  {
    name: 'hosts: --start 0',
    args: () => ['hosts', '--count', '5', '--start', '0'],
    error: /--start must be from 1/,
    fix: 'usage',
  },
  {
    name: 'hosts: no --count',
    args: () => ['hosts'],
    error: /required option '--count <n>' not specified/,
    fix: 'usage',
  },
  {
    name: 'hosts: invalid --namespace',
    args: () => ['hosts', '--count', '2', '--namespace', 'Bad_NS'],
    error: /--namespace "Bad_NS" is not a valid namespace name/,
    fix: 'fix',
  },
  {
    name: 'demo: --clusters 0',
    args: () => ['demo', '--headless', '--clusters', '0'],
    error: /--clusters must be from 1/,
    fix: 'usage',
  },

  // --- delete selections: reversed, overlapping, conflicting ---
  {
    name: 'delete: reversed range',
    args: () => ['delete', '--clusters', 'test-40..test-3', '--yes', '--kubeconfig', goodKubeconfig],
    error: /--clusters test-40\.\.test-3: the range test-40\.\.test-3 ends before it starts/,
    fix: 'fix',
  },
  {
    name: 'delete: overlapping ranges',
    args: () => ['delete', '--clusters', 'test-1..test-5,test-3..test-7', '--yes', '--kubeconfig', goodKubeconfig],
    error: /--clusters test-1\.\.test-5,test-3\.\.test-7: "test-1\.\.test-5,test-3\.\.test-7" is not a range or a list/,
    fix: 'fix',
  },
  {
    name: 'delete: names that are not cluster names',
    args: () => ['delete', '--clusters', 'Test_1,test-2', '--yes', '--kubeconfig', goodKubeconfig],
    error: /--clusters Test_1,test-2: "Test_1" is not a cluster name/,
    fix: 'fix',
  },
  {
    name: 'delete: --all with --clusters',
    args: () => ['delete', '--all', '--clusters', 'test-1', '--yes'],
    error: /exactly one of --all, --clusters, --batch/,
    fix: 'fix',
  },
  {
    name: 'delete: no selection',
    args: () => ['delete', '--yes'],
    error: /exactly one of --all, --clusters, --batch/,
    fix: 'fix',
  },
  {
    name: 'delete: --all without --yes and no terminal',
    args: () => ['delete', '--all', '--kubeconfig', goodKubeconfig],
    error: /needs confirmation but stdin is not a terminal/,
    fix: 'fix',
  },

  // --- kubeconfigs: missing, unreadable (a directory: root reads any file), garbage, wrong context ---
  {
    name: 'create: missing kubeconfig',
    args: () => ['create', '--count', '1', '--kubeconfig', f('missing.kubeconfig')],
    error: /kubeconfig .*missing\.kubeconfig does not exist/,
    fix: 'fix',
  },
  {
    name: 'create: kubeconfig is a directory',
    args: () => ['create', '--count', '1', '--kubeconfig', inputs],
    error: /kubeconfig .* cannot be read: EISDIR/,
    fix: 'fix',
  },
  {
    name: 'create: garbage kubeconfig',
    args: () => ['create', '--count', '1', '--kubeconfig', f('garbage.kubeconfig')],
    error: /kubeconfig .*garbage\.kubeconfig cannot be read/,
    fix: 'fix',
  },
  {
    name: 'create: YAML that is not a kubeconfig',
    args: () => ['create', '--count', '1', '--kubeconfig', f('not-a-kubeconfig.yaml')],
    error: /kubeconfig has no current cluster/,
    fix: 'fix',
  },
  {
    name: 'create: wrong --context',
    args: () => ['create', '--count', '1', '--kubeconfig', goodKubeconfig, '--context', 'kind-nope'],
    error: /context "kind-nope" is not in the kubeconfig/,
    fix: 'fix',
  },
  {
    name: 'delete: missing kubeconfig',
    args: () => ['delete', '--all', '--yes', '--kubeconfig', f('missing.kubeconfig')],
    error: /does not exist/,
    fix: 'fix',
  },
  {
    name: 'status: garbage kubeconfig',
    args: () => ['status', '--kubeconfig', f('garbage.kubeconfig')],
    error: /cannot be read/,
    fix: 'fix',
  },
  {
    name: 'status: wrong --context',
    args: () => ['status', '--kubeconfig', goodKubeconfig, '--context', 'nope'],
    error: /context "nope" is not in the kubeconfig/,
    fix: 'fix',
  },
  {
    name: 'tune: missing kubeconfig',
    args: () => ['tune', 'capi', '--qps', '50', '--kubeconfig', f('missing.kubeconfig')],
    error: /does not exist/,
    fix: 'fix',
  },
  {
    name: 'tune --show: wrong --context',
    args: () => ['tune', '--show', '--kubeconfig', goodKubeconfig, '--context', 'nope'],
    error: /context "nope" is not in the kubeconfig/,
    fix: 'fix',
  },
  {
    name: 'setup --attach: garbage kubeconfig',
    args: () => ['setup', '--attach', '--kubeconfig', f('garbage.kubeconfig')],
    error: /cannot be read/,
    fix: 'fix',
  },

  // --- tune: unknown controller, values out of range, unsupported flags ---
  {
    name: 'tune: unknown controller',
    args: () => ['tune', 'kube-scheduler', '--qps', '50'],
    error: /unknown controller "kube-scheduler"/,
    fix: 'fix',
  },
  {
    name: 'tune: negative --qps',
    args: () => ['tune', 'capi', '--qps', '-1'],
    error: /--qps must be from 1 to \d+, got -1/,
    fix: 'usage',
  },
  {
    name: 'tune: huge --qps',
    args: () => ['tune', 'capi', '--qps', '1000000000'],
    error: /--qps must be from 1 to \d+/,
    fix: 'usage',
  },
  {
    name: 'tune: non-numeric --burst',
    args: () => ['tune', 'kcp', '--burst', 'lots'],
    error: /--burst must be a whole number.*"lots"/,
    fix: 'usage',
  },
  {
    name: 'tune: zero --concurrency',
    args: () => ['tune', 'capm3', '--concurrency', '0'],
    error: /--concurrency must be from 1/,
    fix: 'usage',
  },
  {
    name: 'tune: huge --concurrency',
    args: () => ['tune', 'capm3', '--concurrency', '99999999'],
    error: /--concurrency must be from 1 to \d+/,
    fix: 'usage',
  },
  {
    name: 'tune: flag the controller does not have',
    args: () => ['tune', 'ipam', '--flag', 'kubeadmcontrolplane-concurrency=10'],
    error: /ipam\) has no --kubeadmcontrolplane-concurrency flag/,
    fix: 'fix',
  },
  {
    name: 'tune: malformed --flag',
    args: () => ['tune', 'capi', '--flag', 'cluster-concurrency=many'],
    error: /--flag "cluster-concurrency=many" is not NAME-concurrency=N/,
    fix: 'fix',
  },
  { name: 'tune: nothing to change', args: () => ['tune', 'capi'], error: /nothing to change for capi/, fix: 'fix' },
  {
    name: 'tune: neither controller, --show nor --seed-patch',
    args: () => ['tune'],
    error: /tune needs a CONTROLLER, --show or --seed-patch/,
    fix: 'fix',
  },

  // --- backing add ---
  {
    name: 'backing add: missing kubeconfig file',
    args: () => ['backing', 'add', 'b1', '--kubeconfig', f('missing.kubeconfig')],
    error: /kubeconfig .*missing\.kubeconfig does not exist/,
    fix: 'fix',
  },
  {
    name: 'backing add: no --kubeconfig',
    args: () => ['backing', 'add', 'b1'],
    error: /required option '--kubeconfig <file>' not specified/,
    fix: 'usage',
  },
  {
    name: 'backing add: name not a DNS label',
    args: () => ['backing', 'add', 'Backing_1', '--kubeconfig', goodKubeconfig],
    error: /backing cluster name "Backing_1" is not a DNS label/,
    fix: 'fix',
  },
  {
    name: 'backing add: unsupported --etcd-via',
    args: () => ['backing', 'add', 'b1', '--kubeconfig', goodKubeconfig, '--etcd-via', 'ssh'],
    error: /--etcd-via "ssh" is not supported/,
    fix: 'fix',
  },
  {
    name: 'backing add: capacity 0',
    args: () => ['backing', 'add', 'b1', '--kubeconfig', goodKubeconfig, '--capacity', '0'],
    error: /--capacity must be from 1/,
    fix: 'usage',
  },

  // --- unknown flags ---
  {
    name: 'create: unknown flag',
    args: () => ['create', '--count', '1', '--frobnicate'],
    error: /unknown option '--frobnicate'/,
    fix: 'usage',
  },
  {
    name: 'delete: unknown flag',
    args: () => ['delete', '--all', '--force'],
    error: /unknown option '--force'/,
    fix: 'usage',
  },
  {
    name: 'hosts: unknown flag',
    args: () => ['hosts', '--count', '1', '--bmc-password', 'x'],
    error: /unknown option '--bmc-password'/,
    fix: 'usage',
  },
  {
    name: 'tune: unknown flag',
    args: () => ['tune', 'capi', '--qps', '5', '--dry-run'],
    error: /unknown option '--dry-run'/,
    fix: 'usage',
  },
  { name: 'status: unknown flag', args: () => ['status', '--watch'], error: /unknown option '--watch'/, fix: 'usage' },
  {
    name: 'backing list: unknown flag',
    args: () => ['backing', 'list', '--all-namespaces'],
    error: /unknown option '--all-namespaces'/,
    fix: 'usage',
  },
  {
    name: 'global: unknown flag',
    args: () => ['--verbose', 'status'],
    error: /unknown option '--verbose'/,
    fix: 'usage',
  },

  // --- the TUI without a terminal (stdin is a pipe here) ---
  { name: 'ui: no TTY', args: () => [], error: /terminal|TTY/i, fix: 'fix' },
  {
    name: 'ui: no TTY (explicit subcommand)',
    args: () => ['ui'],
    error: /terminal|TTY/i,
    fix: 'fix',
  },
];

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** At most two binaries at once: the machine's two cores are shared. */
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runBin(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return limited(
    () =>
      new Promise<Result>((resolve, reject) => {
        const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: cwd, ...env };
        delete childEnv.KUBECONFIG;
        delete childEnv.SCALE_TUI_DEBUG;
        delete childEnv.SCALE_TUI_MANAGEMENT_ETCD;
        const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdin.end();
        // A hang is a failure too (e.g. waiting forever on an unreachable cluster).
        const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
      }),
  );
}

/** Every file and directory under `dir` with its size (a snapshot to compare). */
function tree(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = p.slice(base.length + 1);
    if (e.isDirectory()) out.push(`${rel}/`, ...tree(p, base));
    else out.push(`${rel} ${statSync(p).size}`);
  }
  return out.sort();
}

beforeAll(async () => {
  inputs = mkdtempSync(join(tmpdir(), 'scale-tui-bad-input-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(inputs, name), text);
  api = await startApiServer({ name: 'bad-input', dataDir: join(inputs, 'api') });
  goodKubeconfig = api.kubeconfigPath!;
});

afterAll(async () => {
  await api?.stop();
  if (inputs) rmSync(inputs, { recursive: true, force: true });
});

describe('bad input: the real binary refuses clearly and writes nothing', () => {
  it('the corpus has at least 30 inputs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it.concurrent(c.name, async () => {
      const home = mkdtempSync(join(tmpdir(), 'scale-tui-bad-home-'));
      try {
        mkdirSync(join(home, 'keep'));
        const before = tree(home);
        const args = c.args();
        const r = await runBin(args, home, c.env);
        const all = `${r.stdout}${r.stderr}`;
        const where = `scale-tui ${args.join(' ')}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
        expect(r.signal, `killed (hung?): ${where}`).toBeNull();
        expect(r.code, where).not.toBe(0);
        const errors = all.split('\n').filter((l) => l.startsWith('error:'));
        expect(errors, where).toHaveLength(1);
        expect(errors[0], where).toMatch(c.error);
        if (c.fix === 'fix') expect(r.stderr, where).toMatch(/^fix: \S.*$/m);
        else expect(r.stderr, where).toMatch(/\(run with --help for usage\)|^fix: /m);
        expect(all, where).not.toMatch(/^\s+at .+[(:]/m);
        expect(all, where).not.toMatch(/TransformError|node:internal|this is unexpected|Unhandled|ERR_/);
        expect(tree(home), `partial writes: ${where}`).toEqual(before);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  }
});
