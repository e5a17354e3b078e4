// The lab: the real topology's network, on one machine (issue 14). Namespaces stand for
// the test VM ("host"), kind's management node and the backing VMs (netns.ts). Every
// piece is a process where it would run for real:
// - in the management node: its kube-apiserver (`scale-tui sim apiserver`, bound to the
//   node's address), its kubelet (`sim kubelet`: runs pods, real etcd for etcd-system,
//   workload API servers on the node's NodePorts, exec) and the controllers as pods
//   would run them (`sim controllers`), all with an in-cluster kubeconfig;
// - on the host: kind's docker-proxy publishing the API server on 127.0.0.1:<random>,
//   the kubeconfig kind writes (server https://127.0.0.1:<port>, client certificate),
//   and the real `scale-tui` binary;
// - in each backing VM: its own API server and kubelet, reachable only at its address.
// Nothing here talks to the lab from the test process directly: every command runs inside
// a namespace with `ip netns exec`, so the addresses are the ones a user's tools see.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createLabNetwork, labUnavailable, type LabHost, type LabNetwork } from './netns.js';
import { REPO_ROOT, SHARED_CRDS } from '../support/test-cluster.js';
import { managementObjects } from '../../src/demo/manifests.js';
import { CERT_MANAGER } from '../../src/engine/setup/conditions.js';
import type { KubeObject } from '../../src/manifests/types.js';

export const BIN = join(REPO_ROOT, 'bin/scale-tui.js');

/** Why the lab suite skips here; with SCALE_TUI_REQUIRE_LAB=1 that is a failure instead. */
export function labSkipReason(): string | undefined {
  const why = labUnavailable();
  if (why && process.env.SCALE_TUI_REQUIRE_LAB === '1') {
    throw new Error(`SCALE_TUI_REQUIRE_LAB=1 but the lab cannot run: ${why}`);
  }
  if (why)
    process.stderr.write(
      `lab suites skipped: ${why} (run as root on Linux, or set SCALE_TUI_REQUIRE_LAB=1 to make this an error)\n`,
    );
  return why;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface LabProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far (also in <dir>/<name>.log). */
  output(): string;
}

export interface BackingVm {
  name: string;
  vm: LabHost;
  /** Host-side kubeconfig (server https://<vm ip>:6443, as `backing create` writes it). */
  kubeconfig: string;
}

export interface Lab {
  net: LabNetwork;
  dir: string;
  /** The kubeconfig kind writes on the host: https://127.0.0.1:<published port>. */
  mgmtKubeconfig: string;
  backing: BackingVm[];
  processes: LabProcess[];
  /** Runs the real scale-tui on the host (the test VM). */
  scaleTui(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /** Starts the real scale-tui on the host without waiting (kill tests). */
  spawnScaleTui(args: string[]): LabProcess;
  /**
   * SIGKILLs a lab process (e.g. `mgmt-controllers`, `b1-kubelet`) and starts it again with
   * the same command, as a crashed pod or a rebooted node comes back; resolves once it says
   * it runs again.
   */
  killAndRestart(name: string): Promise<LabProcess>;
  /** kubectl on the host against the management cluster (or `kubeconfig`). */
  kubectl(args: string[], kubeconfig?: string): RunResult;
  stop(): Promise<void>;
}

export interface LabOptions {
  backingVms?: number;
  /** `sim controllers --time-scale`: smaller is faster. */
  timeScale?: number;
}

function netnsArgv(ns: string, argv: string[]): string[] {
  return ['netns', 'exec', ns, ...argv];
}

function waitForLine(p: LabProcess, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${p.name}: no line matching ${re} within ${timeoutMs} ms; it printed:\n${p.output().slice(-2000)}`,
          ),
        ),
      timeoutMs,
    );
    const check = () => {
      const m = re.exec(p.output());
      if (m) finish(undefined, m);
    };
    const onExit = (code: number | null) =>
      finish(new Error(`${p.name} exited (${code}) before printing ${re}:\n${p.output().slice(-2000)}`));
    const finish = (err?: Error, m?: RegExpExecArray) => {
      clearTimeout(timer);
      p.child.stdout?.off('data', check);
      p.child.stderr?.off('data', check);
      p.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    p.child.stdout?.on('data', check);
    p.child.stderr?.on('data', check);
    p.child.once('exit', onExit);
    check();
  });
}

/** The Deployments clusterctl init and cert-manager leave in a management cluster. */
function providerObjects(): KubeObject[] {
  const labels = { app: 'cert-manager' };
  const certManager: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER.namespace } },
    ...CERT_MANAGER.deployments.map(
      (name): KubeObject => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: CERT_MANAGER.namespace, labels: { ...labels, 'app.kubernetes.io/name': name } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': name } },
            spec: { containers: [{ name, image: `quay.io/jetstack/${name}:v1.19.1` }] },
          },
        },
      }),
    ),
  ];
  return [...managementObjects(), ...certManager];
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-lab-'));
  chmodSync(dir, 0o700);
  const net = createLabNetwork({ nodes: 1, vms: opts.backingVms ?? 0 });
  const processes: LabProcess[] = [];

  const start = (name: string, ns: string, argv: string[], stdinPipe = false): LabProcess => {
    const log = createWriteStream(join(dir, `${name}.log`));
    // stdin stays open as a pipe: helpers such as docker-proxy exit when it closes, so a
    // killed test leaves nothing behind even before the next run sweeps the namespaces.
    const child = spawn('ip', netnsArgv(ns, argv), {
      stdio: [stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
      env: { ...process.env, SCALE_TUI_DEBUG: '1' },
    });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
      log.write(d);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', () => log.end());
    const p = { name, child, output: () => out };
    processes.push(p);
    commands.set(name, { ns, argv, stdinPipe });
    return p;
  };
  const commands = new Map<string, { ns: string; argv: string[]; stdinPipe: boolean }>();
  const node = (argv: string[]) => [process.execPath, BIN, ...argv];

  const lab: Lab = {
    net,
    dir,
    mgmtKubeconfig: join(dir, 'kind.kubeconfig'),
    backing: [],
    processes,
    scaleTui(args, o = {}) {
      const t0 = Date.now();
      return new Promise((resolve) => {
        const child = spawn('ip', netnsArgv(net.host, node(args)), { cwd: dir, env: { ...process.env, ...o.env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, ms: Date.now() - t0 });
        });
      });
    },
    spawnScaleTui(args) {
      return start(`scale-tui-${processes.length}`, net.host, node(args));
    },
    async killAndRestart(name) {
      const i = processes.findIndex((p) => p.name === name && p.child.exitCode === null);
      const cmd = commands.get(name);
      if (i < 0 || !cmd) throw new Error(`no running lab process ${name}`);
      const old = processes[i]!;
      const gone = new Promise((r) => old.child.once('exit', r));
      old.child.kill('SIGKILL');
      await gone;
      processes.splice(i, 1);
      const p = start(name, cmd.ns, cmd.argv, cmd.stdinPipe);
      await waitForLine(p, /running|listening/, 30_000);
      return p;
    },
    kubectl(args, kubeconfig = lab.mgmtKubeconfig) {
      const t0 = Date.now();
      // The process limit sits past every --timeout given to kubectl here (wait: 60 s).
      const r = spawnSync(
        'ip',
        netnsArgv(net.host, [
          'kubectl',
          `--kubeconfig=${kubeconfig}`,
          ...(args[0] === 'wait' ? [] : ['--request-timeout=20s']),
          ...args,
        ]),
        { encoding: 'utf8', timeout: 90_000 },
      );
      return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0 };
    },
    async stop() {
      for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      net.destroy();
      if (process.env.SCALE_TUI_KEEP_LAB !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // --- the management node (kind's control-plane container) ---
    const mgmt = net.nodes[0]!;
    const inCluster = join(dir, 'in-cluster.kubeconfig');
    const api = start(
      'mgmt-apiserver',
      mgmt.ns,
      node([
        'sim',
        'apiserver',
        '--listen',
        `${mgmt.ip}:6443`,
        '--name',
        'lab',
        '--crds',
        SHARED_CRDS,
        '--kubeconfig-out',
        inCluster,
      ]),
    );
    await waitForLine(api, /listening on/, 30_000);
    // kind publishes the API server on the host's loopback only (docker-proxy).
    const proxy = start(
      'docker-proxy',
      net.host,
      [process.execPath, join(REPO_ROOT, 'test/lab/docker-proxy.mjs'), '0', `${mgmt.ip}:6443`],
      true,
    );
    const published = Number((await waitForLine(proxy, /listening (\d+)/, 10_000))[1]);
    const kc = parse(readFileSync(inCluster, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    kc.clusters[0]!.cluster.server = `https://127.0.0.1:${published}`;
    writeFileSync(lab.mgmtKubeconfig, stringify(kc), { mode: 0o600 });

    const manifests = join(dir, 'providers.yaml');
    writeFileSync(
      manifests,
      providerObjects()
        .map((o) => stringify(o))
        .join('---\n'),
    );
    const applied = lab.kubectl(['apply', '-f', manifests]);
    if (applied.code !== 0) throw new Error(`kubectl apply of the providers failed: ${applied.stderr}`);

    const kubelet = start(
      'mgmt-kubelet',
      mgmt.ns,
      node([
        'sim',
        'kubelet',
        '--kubeconfig',
        inCluster,
        '--node-name',
        'lab-control-plane',
        '--address',
        mgmt.ip,
        '--run-etcd',
        '--root-dir',
        join(dir, 'node1-disk'),
      ]),
    );
    await waitForLine(kubelet, /kubelet .* running/, 30_000);
    // What `kind create cluster` + `clusterctl init` leave: every provider available.
    const avail = lab.kubectl(['wait', '--for=condition=Available', 'deployments', '--all', '-A', '--timeout=60s']);
    if (avail.code !== 0) throw new Error(`the provider Deployments did not become available: ${avail.stderr}`);
    const controllers = start(
      'mgmt-controllers',
      mgmt.ns,
      node(['sim', 'controllers', '--kubeconfig', inCluster, '--time-scale', String(opts.timeScale ?? 0.2)]),
    );
    await waitForLine(controllers, /emulated controllers running/, 30_000);

    // --- backing VMs: each its own single-node cluster at its own address ---
    for (const [i, vm] of net.vms.entries()) {
      const name = `b${i + 1}`;
      const kubeconfig = join(dir, `${name}.kubeconfig`);
      const bApi = start(
        `${name}-apiserver`,
        vm.ns,
        node(['sim', 'apiserver', '--listen', `${vm.ip}:6443`, '--name', name, '--kubeconfig-out', kubeconfig]),
      );
      await waitForLine(bApi, /listening on/, 30_000);
      const bKubelet = start(
        `${name}-kubelet`,
        vm.ns,
        node([
          'sim',
          'kubelet',
          '--kubeconfig',
          kubeconfig,
          '--node-name',
          `${name}-control-plane`,
          '--address',
          vm.ip,
          '--run-etcd',
          '--root-dir',
          join(dir, `${name}-disk`),
        ]),
      );
      await waitForLine(bKubelet, /kubelet .* running/, 30_000);
      lab.backing.push({ name, vm, kubeconfig });
    }
  } catch (err) {
    const logs = processes.map((p) => `--- ${p.name}\n${p.output().slice(-1500)}`).join('\n');
    await lab.stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return lab;
}

/** Drops a lab's processes' recent output into an error for a failed assertion. */
export function labLogs(lab: Lab, chars = 1500): string {
  return lab.processes.map((p) => `--- ${p.name}\n${p.output().slice(-chars)}`).join('\n');
}

/** Fails with the command's output and the lab's recent logs unless it exited 0. */
export function expectOk(lab: Lab, r: RunResult, what: string): void {
  if (r.code !== 0)
    throw new Error(
      `${what} exited ${r.code}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}\n${labLogs(lab)}`,
    );
}
