// The fake tools refuse what the real ones refuse (issue 14: "Fake tools accept anything").
// Each fake checks its argv against the real tool's commands and flags before any rule
// answers; these tests pin that down per tool, run every argv scale-tui builds through the
// fakes, and compare the fakes' refusals with the real binaries where this machine has them.
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { installFakeBin, type FakeBin, type FakeRule } from './fake-bin/index.js';
import { parseArgv, shellWords } from './fake-bin/cli-parse.mjs';
import { TOOL_SPECS } from './fake-bin/specs/index.js';
import { kindClusters, kindCreateCluster, kindKubeconfig, kindVersion } from '../../src/engine/tools/kind.js';
import { clusterctlInit } from '../../src/engine/tools/clusterctl.js';
import { applyKustomization, kubectl, kubectlClientVersion } from '../../src/engine/tools/kubectl.js';
import { dockerInfo } from '../../src/engine/tools/docker.js';
import { ssh } from '../../src/engine/tools/ssh.js';
import { probeTool, runTool } from '../../src/engine/tools/run.js';
import { clusterctlGenerateCapdArgs, clusterctlInitDockerArgs } from '../../src/engine/topology/capd.js';
import { EtcdctlAdmin, localEtcdctl, podEtcdctl } from '../../src/engine/etcd/etcdctl.js';
import { kubectlExec } from '../../src/engine/kube/exec.js';
import { startPortForward } from '../../src/engine/kube/port-forward.js';

// Resolved before any fake goes on PATH: the real binaries, for the side-by-side tests.
const REAL = {
  kubectl: genuineKubectl(),
  etcdctl: onPath('etcdctl'),
  docker: onPath('docker'),
  ssh: onPath('ssh'),
};

let fake: FakeBin | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

/** A rule that answers every call: a refused argv must never reach it. */
const ANSWER_ALL: FakeRule[] = [{ stdout: 'ANSWERED BY RULE\n' }];
const TOOLS = ['kind', 'kubectl', 'clusterctl', 'etcdctl', 'docker', 'ssh'];

async function run(tool: string, args: string[]) {
  const r = await execa(tool, args, { reject: false, input: '', stripFinalNewline: false });
  return { exit: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function install(): FakeBin {
  fake = installFakeBin(TOOLS, Object.fromEntries(TOOLS.map((t) => [t, ANSWER_ALL])));
  return fake;
}

describe('a misspelt flag fails in every fake, with the real message and exit code', () => {
  const cases: Array<{ argv: string; exit: number; stderr: string }> = [
    {
      argv: 'kubectl get pods --namespce x',
      exit: 1,
      stderr: "error: unknown flag: --namespce\nSee 'kubectl get --help' for usage.\n",
    },
    { argv: 'kind create cluster --nmae x', exit: 1, stderr: 'ERROR: unknown flag: --nmae\n' },
    { argv: 'clusterctl init --infrastucture metal3', exit: 1, stderr: 'Error: unknown flag: --infrastucture\n' },
    {
      argv: 'etcdctl user add x --no-pasword',
      exit: 1,
      stderr:
        'Error: unknown flag: --no-pasword\nUSAGE:\n\tetcdctl user add [flags]\n\n\n' +
        'Error: unknown flag: --no-pasword\n',
    },
    {
      argv: 'docker version --formt {{.Server.Version}}',
      exit: 125,
      stderr:
        'unknown flag: --formt\n\nUsage:  docker version [OPTIONS]\n\n' +
        "Run 'docker version --help' for more information\n",
    },
    {
      argv: 'ssh -o BatchMod=yes ubuntu@10.0.0.5 -- true',
      exit: 255,
      stderr: 'command-line: line 0: Bad configuration option: batchmod\r\n',
    },
  ];
  for (const c of cases) {
    it(c.argv, async () => {
      const f = install();
      const [tool, ...args] = c.argv.split(' ');
      const r = await run(tool!, args);
      expect(r).toEqual({ exit: c.exit, stdout: '', stderr: c.stderr });
      // The call is on record, marked refused: the rule did not answer it.
      expect(f.calls(tool)).toEqual([{ tool, argv: args, stdin: '', valid: false }]);
    });
  }
});

describe('other argv the real tools refuse before doing any work', () => {
  const cases: Array<[string, number, string]> = [
    ['kubectl get pods -n', 1, "error: flag needs an argument: 'n' in -n"],
    ['kubectl get pods --namespace', 1, 'error: flag needs an argument: --namespace'],
    ['kubectl gett pods', 1, 'error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n'],
    ['kubectl --kubeconfig=/k gett', 1, 'Error: flags cannot be placed before plugin name: --kubeconfig=/k'],
    ['kubectl exec -ix p -- ls', 1, "error: unknown shorthand flag: 'x' in -x"],
    [
      'kubectl apply --server-side=maybe -f -',
      1,
      'error: invalid argument "maybe" for "--server-side" flag: ' +
        'strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    [
      'kubectl exec --pod-running-timeout=5 p -- ls',
      1,
      'error: invalid argument "5" for "--pod-running-timeout" ' + 'flag: time: missing unit in duration "5"',
    ],
    ['kind create cluster --name', 1, 'ERROR: flag needs an argument: --name'],
    ['kind create cluster extra', 1, 'ERROR: unknown command "extra" for "kind create cluster"'],
    ['kind get', 1, 'ERROR: Subcommand is required'],
    ['kind creat cluster', 1, 'ERROR: unknown command "creat" for "kind"\n\nDid you mean this?\n\tcreate\n'],
    [
      'kind create cluster --wait 300',
      1,
      'ERROR: invalid argument "300" for "--wait" flag: ' + 'time: missing unit in duration "300"',
    ],
    ['clusterctl init --core', 1, 'Error: flag needs an argument: --core'],
    ['clusterctl init metal3', 1, 'Error: unknown command "metal3" for "clusterctl init"\n\n'],
    [
      'clusterctl ini',
      1,
      'Error: unknown command "ini" for "clusterctl"\n\nDid you mean this?\n\tinit\n\n' +
        "Run 'clusterctl --help' for usage.",
    ],
    ['clusterctl generate cluster --flavor=development', 1, 'Error: please specify a cluster name\n\n'],
    [
      'clusterctl init --wait-provider-timeout=10m',
      1,
      'Error: invalid argument "10m" for "--wait-provider-timeout" ' +
        'flag: strconv.ParseInt: parsing "10m": invalid syntax',
    ],
    ['etcdctl role list -w', 1, "Error: flag needs an argument: 'w' in -w"],
    [
      'etcdctl usr add x',
      1,
      'Error: unknown command "usr" for "etcdctl"\n\nDid you mean this?\n\tuser\n\n' +
        "Run 'etcdctl --help' for usage.",
    ],
    ['etcdctl user add', 128, 'Error: user add command requires user name as its argument'],
    [
      'etcdctl role grant-permission t --prefix=true readwrite',
      128,
      'Error: role grant command requires role name, ' + 'permission type, and key [endkey] as its argument',
    ],
    ['docker versio', 1, "docker: unknown command: docker versio\n\nRun 'docker --help' for more information"],
    ['docker version -D', 125, "unknown shorthand flag: 'D' in -D"],
    ['ssh -p abc ubuntu@h', 255, "Bad port 'abc'"],
    ['ssh -o BatchMode=maybe ubuntu@h', 255, 'command-line line 0: unsupported option "maybe".'],
    ['ssh -o', 255, 'option requires an argument -- o\r\nusage: ssh [-46AaCfGgKkMNnqsTtVvXxYy]'],
  ];
  it.each(cases)('%s', async (line, exit, stderrStart) => {
    install();
    const [tool, ...args] = line.split(' ');
    const r = await run(tool!, args);
    expect(r.exit).toBe(exit);
    expect(r.stderr.startsWith(stderrStart), r.stderr).toBe(true);
    expect(r.stdout).not.toMatch(/ANSWERED BY RULE/);
  });

  it('a real command the tables do not describe is refused loudly, naming the table to extend', async () => {
    install();
    const r = await run('kubectl', ['config', 'view']);
    expect(r.exit).toBe(2);
    expect(r.stderr).toMatch(/'kubectl config' is a real command .* test\/support\/fake-bin\/specs\/kubectl\.ts/);
  });

  it('help and a group without a subcommand print usage and exit 0, answering no rule (as cobra does)', async () => {
    install();
    for (const argv of [['get', '--help'], ['-h']]) {
      const r = await run('kubectl', argv);
      expect(r).toMatchObject({ exit: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Usage:\n {2}kubectl/);
    }
    const group = await run('etcdctl', ['user', 'lst']);
    expect(group.exit).toBe(0);
    expect(group.stdout).toMatch(/Usage:\n {2}etcdctl user \[flags\]\n\nAvailable Commands:\n {2}add\n/);
  });

  it('what a fake hands on is checked too: etcdctl inside kubectl exec, kind over ssh', async () => {
    install();
    const etcdctl = ['etcdctl', 'user', 'add', 'x', '--no-pasword'];
    const inPod = await run('kubectl', ['exec', '-n', 'etcd-system', 'etcd-0', '--', ...etcdctl]);
    expect(inPod.exit).toBe(1);
    expect(inPod.stderr).toMatch(/^Error: unknown flag: --no-pasword\n[\s\S]*\ncommand terminated with exit code 1\n$/);
    const remote = "kind create cluster --nmae 'b1' --config -";
    const overSsh = await run('ssh', ['-o', 'BatchMode=yes', 'u@h', '--', remote]);
    expect(overSsh).toEqual({ exit: 1, stdout: '', stderr: 'ERROR: unknown flag: --nmae\n' });
    // A remote command with shell syntax is the remote shell's business, not a tool's argv.
    const piped = await run('ssh', ['u@h', '--', "hostname -I | awk '{print $1}'"]);
    expect(piped.stdout).toBe('ANSWERED BY RULE\n');
  });
});

describe('correct argv passes through to the rules', () => {
  it('forms the real tools accept: =, separate values, grouped shorthands, optional values, prefixes', async () => {
    const f = install();
    const good = [
      'kubectl -n=ns get pods -lapp=x -A -o=json',
      'kubectl exec -it -n ns p -c etcd -- etcdctl --endpoints=https://127.0.0.1:2379 user add x --interactive=false',
      'kubectl apply --dry-run -f - --validate',
      'kubectl version --client --v=6 --request-timeout=5s',
      'kind -q create cluster -n b1 --config=- --wait=300s --retain',
      'clusterctl -v 5 init -i metal3:v1.13.2,in-memory --ipam=metal3:v1.13.2 --wait-providers=true',
      'etcdctl -w json endpoint status --cluster',
      'etcdctl user ad x --no-password',
      'etcdctl del /t/ --prefix --prev-kv=false',
      'docker -D --context=default version -f json',
      'docker -v',
      'ssh -4 -oBatchMode=yes -i key -p 22 u@h -o ConnectTimeout=1m kind get clusters',
    ];
    for (const line of good) {
      const [tool, ...args] = line.split(' ');
      const r = await run(tool!, args);
      expect({ line, ...r }).toEqual({ line, exit: 0, stdout: 'ANSWERED BY RULE\n', stderr: '' });
    }
    expect(f.calls().every((c) => c.valid)).toBe(true);
  });

  it('what the parser reads out of an argv: command path, flags with values, positional words, words after --', () => {
    const create = ['create', 'cluster', '--name', 'b1', '--config', '-', '--wait', '300s'];
    expect(parseArgv(TOOL_SPECS.kind!, create)).toEqual({
      ok: true,
      command: ['create', 'cluster'],
      flags: [
        { name: 'name', value: 'b1' },
        { name: 'config', value: '-' },
        { name: 'wait', value: '300s' },
      ],
      args: [],
      dashArgs: [],
    });
    const exec = parseArgv(TOOL_SPECS.kubectl!, ['--kubeconfig=/k', 'exec', '-i', '-n', 'ns', 'p', '--', 'ls', '-l']);
    expect(exec).toMatchObject({ ok: true, command: ['exec'], args: ['p'], dashArgs: ['ls', '-l'] });
    expect(shellWords("kind get kubeconfig --name 'b 2' --internal")).toEqual([
      'kind',
      'get',
      'kubeconfig',
      '--name',
      'b 2',
      '--internal',
    ]);
    expect(shellWords('cat /proc/x | head')).toBeUndefined();
  });
});

describe("every argv scale-tui's adapters build is one the real tools accept", () => {
  it('kind, clusterctl, kubectl, docker and ssh adapters', async () => {
    fake = installFakeBin(TOOLS, {
      kind: [{ match: '^version', stdout: 'kind v0.30.0 go1.24.6 linux/amd64\n' }, { stdout: '' }],
      clusterctl: [{ match: '^version', stdout: 'v1.14.0\n' }, { stdout: '' }],
      kubectl: [
        { match: '^version', stdout: '{"clientVersion":{"gitVersion":"v1.32.5"}}' },
        { match: 'port-forward', stdout: 'Forwarding from 127.0.0.1:40001 -> 2379\n', sleepMs: 30_000 },
        { stdout: '' },
      ],
      docker: [{ stdout: '28.2.2\n' }],
      ssh: [{ stdout: 'ok\n' }],
    });
    const target = { kubeconfig: '/k', context: 'kind-kind' };
    expect(await kindVersion()).toBe('v0.30.0');
    await kindClusters();
    await kindCreateCluster('kind', 'kind: Cluster\n', 300);
    await kindKubeconfig('kind');
    await clusterctlInit({ capi: 'v1.14.0', capm3: 'v1.13.2', ipam: 'v1.13.2' }, target);
    // cert-manager pinned: clusterctl reads it from its config file, passed with --config
    await clusterctlInit({ capi: 'v1.14.0', capm3: 'v1.13.2', ipam: 'v1.13.2', certManager: 'v1.19.1' }, target);
    await runTool('clusterctl', clusterctlInitDockerArgs('v1.14.0', target));
    const capd = { cluster: 'c1', namespace: 'c1', kubernetesVersion: 'v1.34.0', capiVersion: 'v1.14.0', target };
    await runTool('clusterctl', clusterctlGenerateCapdArgs(capd));
    expect(await kubectlClientVersion()).toBe('v1.32.5');
    await applyKustomization(target, 'https://github.com/metal3-io/baremetal-operator/config/base/crds?ref=v0.13.2');
    const applyUrl = ['apply', '--server-side', '--force-conflicts', '--field-manager=scale-tui', '-f', 'https://m/y'];
    await kubectl(target, applyUrl);
    expect((await kubectlExec({ ...target, namespace: 'ns', pod: 'p', container: 'c' }, ['ls'])).exitCode).toBe(0);
    const etcdPod = { namespace: 'etcd-system', resource: 'pod/etcd-0', remotePort: 2379 };
    const pf = await startPortForward({ ...target, ...etcdPod });
    expect(pf.localPort).toBe(40001);
    await pf.stop();
    expect((await dockerInfo()).reachable).toBe(true);
    await ssh({ user: 'ubuntu', host: '10.0.0.5', port: 2222 }, "docker version --format '{{.Server.Version}}'");
    await ssh({ user: 'ubuntu', host: '10.0.0.5' }, "kind create cluster --name 'b1' --config - --wait 300s");
    // doctor's probes
    for (const [tool, args] of [
      ['docker', ['--version']],
      ['kind', ['version']],
      ['kubectl', ['version', '--client']],
      ['clusterctl', ['version', '-o', 'short']],
      ['etcdctl', ['version']],
    ] as const) {
      expect((await probeTool(tool, [...args])).error).toBeUndefined();
    }
    const refused = fake.calls().filter((c) => !c.valid);
    expect(refused).toEqual([]);
    // kind delete and clusterctl version are gone (dead adapters); init with cert-manager is new
    expect(fake.calls('kind')).toHaveLength(5);
    expect(fake.calls('clusterctl')).toHaveLength(5);
    expect(fake.calls('clusterctl').some((c) => c.argv.some((a) => a.startsWith('--config=')))).toBe(true);
  });

  it('the etcd tenancy admin, with etcdctl run locally and inside the pod through kubectl exec', async () => {
    const status = JSON.stringify([{ Endpoint: 'e', Status: { dbSize: 4096 } }]);
    const rules: FakeRule[] = [
      { match: 'endpoint status', stdout: status },
      { match: 'role list', stdout: 'root\nt1\n' },
    ];
    fake = installFakeBin(['etcdctl', 'kubectl'], { etcdctl: rules, kubectl: rules });
    const pw = 'x'.repeat(32);
    const local = localEtcdctl({ endpoints: ['https://127.0.0.1:2379'], caFile: 'ca', certFile: 'c', keyFile: 'k' });
    const inPod = { namespace: 'etcd-system', pod: 'etcd-0', container: 'etcd' };
    const pod = podEtcdctl({ target: { kubeconfig: '/k' }, ...inPod });
    for (const admin of [new EtcdctlAdmin(local, pw), new EtcdctlAdmin(pod, pw)]) {
      await admin.ensureRoot();
      await admin.ensureTenant('t1');
      await admin.deleteTenant('t1');
      expect(await admin.status()).toEqual({ dbSizeBytes: 4096, tenants: ['t1'] });
    }
    expect(fake.calls('etcdctl').length).toBeGreaterThanOrEqual(12);
    expect(fake.calls().filter((c) => !c.valid)).toEqual([]);
  });
});

describe('the fakes refuse as the real binaries do (same exit code, same first stderr line)', () => {
  // Nothing is contacted: every argv fails while the flags are parsed, before a connection;
  // the kubeconfig and endpoints still point at a closed port in case one did not.
  let scratch: string | undefined;
  afterEach(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });
  function closedKubeconfig(): string {
    scratch = mkdtempSync(join(tmpdir(), 'scale-tui-real-'));
    const file = join(scratch, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'users: [{name: u, user: {token: x}}]',
        '',
      ].join('\n'),
    );
    return file;
  }
  async function compare(real: string, tool: string, cases: string[][], env: Record<string, string>) {
    const results = [];
    for (const args of cases) {
      const r = await execa(real, args, { reject: false, input: '', env, timeout: 20_000, stripFinalNewline: false });
      results.push({ args: args.join(' '), exit: r.exitCode, first: String(r.stderr).split('\n')[0] });
    }
    install();
    for (const [i, args] of cases.entries()) {
      const f = await run(tool, args);
      expect({ args: args.join(' '), exit: f.exit, first: f.stderr.split('\n')[0] }).toEqual(results[i]);
      expect(results[i]!.exit).not.toBe(0);
    }
  }

  it.skipIf(!REAL.kubectl)(
    `kubectl (${REAL.kubectl ?? 'no genuine kubectl 1.32 here'})`,
    async () => {
      const env = { KUBECONFIG: closedKubeconfig(), HOME: scratch! };
      await compare(
        REAL.kubectl!,
        'kubectl',
        [
          ['get', 'pods', '--namespce', 'x'],
          ['get', 'pods', '-n'],
          ['gett', 'pods'],
          ['--kubeconfig', 'get', 'pods'],
          ['apply', '--server-sid', '-f', '-'],
          ['apply', '--server-side=maybe', '-f', '-'],
          ['exec', '-i', '-n', 'ns', 'p', '-c'],
          ['port-forward', '--adress', '127.0.0.1', 'pod/p', ':1'],
          ['version', '--clien'],
          ['version', '--client', '--v=x'],
          ['logs', '--tail=0x1g', 'p'],
        ],
        env,
      );
    },
    60_000,
  );

  it.skipIf(!REAL.etcdctl)(
    `etcdctl (${REAL.etcdctl ?? 'not installed'})`,
    async () => {
      const env = { ETCDCTL_API: '3', ETCDCTL_DIAL_TIMEOUT: '100ms' };
      const at = ['--endpoints=127.0.0.1:1'];
      await compare(
        REAL.etcdctl!,
        'etcdctl',
        [
          [...at, 'user', 'add', 'x', '--no-pasword'],
          [...at, 'usr', 'add', 'x'],
          [...at, 'role', 'list', '-w'],
          [...at, '--command-timeout=zz', 'role', 'list'],
          [...at, 'role', 'grant-permission', 'r', '--prefix=maybe', 'readwrite', '/a/'],
          [...at, 'user', 'add'],
          [...at, 'del'],
          [...at, 'role', 'list', 'x'],
        ],
        env,
      );
    },
    60_000,
  );

  it.skipIf(!REAL.docker)(
    `docker (${REAL.docker ?? 'not installed'})`,
    async () => {
      const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
      await compare(
        REAL.docker!,
        'docker',
        [
          ['version', '--formt', 'x'],
          ['version', '-f'],
          ['version', 'extra'],
          ['versio'],
          ['-H'],
          ['--bogus', 'version'],
        ],
        env,
      );
    },
    60_000,
  );

  it.skipIf(!REAL.ssh)(
    `ssh (${REAL.ssh ?? 'not installed'})`,
    async () => {
      await compare(
        REAL.ssh!,
        'ssh',
        [
          ['-o', 'BatchMod=yes', 'u@127.0.0.1', '--', 'true'],
          ['-o'],
          ['-Z', 'u@127.0.0.1'],
          ['-o', 'BatchMode=maybe', 'u@127.0.0.1'],
          ['-o', 'ConnectTimeout=x', 'u@127.0.0.1'],
          ['-p', 'abc', 'u@127.0.0.1'],
        ],
        { HOME: tmpdir() },
      );
    },
    60_000,
  );
});

function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

/**
 * kubectl v1.32 itself. Google Cloud SDK installs /usr/bin/kubectl as a dispatcher that
 * parses flags with its own cobra tree before choosing a kubectl.1.NN next to it, and
 * prints "Error:" where kubectl prints "error:"; the fakes follow kubectl, so the
 * comparison uses the kubectl.1.32 the dispatcher would run.
 */
function genuineKubectl(): string | undefined {
  const found = onPath('kubectl');
  if (!found) return undefined;
  const sibling = join(dirname(realpathSync(found)), 'kubectl.1.32');
  const candidate = existsSync(sibling) ? sibling : found;
  try {
    const out = execFileSync(candidate, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
    const v = (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? '';
    return /^v1\.32\.\d+$/.test(v) ? candidate : undefined;
  } catch {
    return undefined;
  }
}
