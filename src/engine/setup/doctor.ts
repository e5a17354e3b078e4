// Preflight for a real run (`scale-tui doctor`, and the first step of `setup`). Every check
// returns a verdict with what is wrong and how to fix it; nothing here throws for a
// missing tool or an unreachable cluster.
import { readFile } from 'node:fs/promises';
import { probeTool } from '../tools/run.js';
import { dockerInfo } from '../tools/docker.js';
import { parseKindVersion } from '../tools/kind.js';
import { kubectlClientVersion } from '../tools/kubectl.js';
import { KubeClient, type KubeTarget } from '../../core/kube/client.js';
import type { UserError } from '../../core/errors.js';
import type { ExperimentConfig } from '../config/schema.js';
import type { CheckResult, CheckStatus } from './check-result.js';
import { checkEndpointReach } from './endpoint-check.js';

export type { CheckResult, CheckStatus } from './check-result.js';

export interface DoctorOptions {
  /** Pinned CAPI version (config.providers.capi); clusterctl should match its minor. */
  capiVersion: string;
  /** Check this cluster; when absent the kubeconfig check only says setup will create one. */
  kube?: KubeTarget & { required: boolean };
  /** Root of procfs; tests point it at a fixture directory. */
  procRoot?: string;
  kindNodes?: number;
  /** The config's endpoint settings, checked against the cluster's nodes (needs `kube`). */
  endpoint?: ExperimentConfig['endpoint'];
}

/** Limits kind + CAPI need (kind "known issues"; the seed's playbook raised them further). */
export const INOTIFY_MIN = { maxUserWatches: 524_288, maxUserInstances: 512 } as const;
export const INOTIFY_RECOMMENDED = { maxUserWatches: 1_048_576, maxUserInstances: 8192 } as const;

export async function runDoctor(opts: DoctorOptions): Promise<CheckResult[]> {
  const proc = opts.procRoot ?? '/proc';
  const checks = await Promise.all([
    checkDocker(),
    checkKind(),
    checkKubectl(),
    checkClusterctl(opts.capiVersion),
    checkEtcdctl(),
    checkInotify(proc),
    checkMemory(proc, opts.kindNodes ?? 3),
    checkKubeconfig(opts.kube),
  ]);
  // Only with a reachable management cluster: its nodes say where the controllers run.
  if (opts.kube && opts.endpoint && checks.at(-1)?.status === 'ok') {
    checks.push(await checkEndpointReach(KubeClient.from(opts.kube), opts.endpoint));
  }
  return checks;
}

async function checkDocker(): Promise<CheckResult> {
  const probe = await probeTool('docker', ['--version']);
  if (!probe.found)
    return {
      name: 'docker',
      status: 'fail',
      detail: 'docker is not installed',
      fix: 'Install Docker Engine (docker-ce) and add your user to the docker group; kind runs its nodes as containers.',
    };
  const info = await dockerInfo();
  if (!info.reachable) {
    return {
      name: 'docker',
      status: 'fail',
      detail: `daemon not reachable: ${info.error ?? 'unknown error'}`,
      fix: 'Start the daemon (`sudo systemctl start docker`) and check that your user can use it (`docker ps`).',
    };
  }
  return { name: 'docker', status: 'ok', detail: `server ${info.serverVersion}` };
}

/** The failed check for a required tool that is missing (`installFix`) or whose version call failed. */
function probeFailed(
  name: string,
  p: Awaited<ReturnType<typeof probeTool>>,
  installFix: string,
): CheckResult | undefined {
  if (!p.found) return { name, status: 'fail', detail: `${name} is not installed`, fix: installFix };
  if (p.error) return { name, status: 'fail', detail: `${name} version failed: ${p.error}`, fix: `Reinstall ${name}.` };
  return undefined;
}

async function checkKind(): Promise<CheckResult> {
  const p = await probeTool('kind', ['version']);
  const failed = probeFailed(
    'kind',
    p,
    'Install kind (release binary kind-linux-amd64 into /usr/local/bin/kind); `scale-tui setup` uses it for the management cluster.',
  );
  if (failed) return failed;
  return { name: 'kind', status: 'ok', detail: parseKindVersion(p.version ?? '') };
}

async function checkKubectl(): Promise<CheckResult> {
  const p = await probeTool('kubectl', ['version', '--client']);
  const failed = probeFailed('kubectl', p, 'Install kubectl (>= 1.24 for --subresource) and put it on PATH.');
  if (failed) return failed;
  try {
    return { name: 'kubectl', status: 'ok', detail: await kubectlClientVersion() };
  } catch {
    return { name: 'kubectl', status: 'ok', detail: p.version ?? 'installed' };
  }
}

async function checkClusterctl(capi: string): Promise<CheckResult> {
  const p = await probeTool('clusterctl', ['version', '-o', 'short']);
  const failed = probeFailed(
    'clusterctl',
    p,
    `Install clusterctl ${capi} (release binary clusterctl-linux-amd64 from cluster-api ${capi}) and put it on PATH.`,
  );
  if (failed) return failed;
  const have = (p.version ?? '').trim();
  if (minor(have) !== minor(capi)) {
    return {
      name: 'clusterctl',
      status: 'warn',
      detail: `${have}, but the pinned CAPI is ${capi}`,
      fix: `Install clusterctl ${capi} so that init installs the contract the manifests target.`,
    };
  }
  return { name: 'clusterctl', status: 'ok', detail: have };
}

async function checkEtcdctl(): Promise<CheckResult> {
  const p = await probeTool('etcdctl', ['version']);
  if (!p.found) {
    return {
      name: 'etcdctl',
      status: 'warn',
      detail: 'not installed: backing etcd admin via port-forward needs it',
      fix: 'apt-get install etcd-client, or pass --etcd-via exec to the backing commands (etcdctl inside the etcd pod).',
    };
  }
  return { name: 'etcdctl', status: 'ok', detail: (p.version ?? '').replace(/^etcdctl version:\s*/, '') };
}

function minor(v: string): string {
  return /v?(\d+\.\d+)/.exec(v)?.[1] ?? v;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function checkInotify(proc: string): Promise<CheckResult> {
  const watches = await readNumber(`${proc}/sys/fs/inotify/max_user_watches`);
  const instances = await readNumber(`${proc}/sys/fs/inotify/max_user_instances`);
  if (watches === undefined || instances === undefined) {
    return {
      name: 'inotify',
      status: 'warn',
      detail: 'cannot read fs.inotify limits (not Linux?)',
      fix: 'Run on a Linux host; kind needs raised inotify limits.',
    };
  }
  const low: string[] = [];
  if (watches < INOTIFY_MIN.maxUserWatches) low.push(`max_user_watches=${watches} (< ${INOTIFY_MIN.maxUserWatches})`);
  if (instances < INOTIFY_MIN.maxUserInstances)
    low.push(`max_user_instances=${instances} (< ${INOTIFY_MIN.maxUserInstances})`);
  if (low.length > 0) {
    return {
      name: 'inotify',
      status: 'fail',
      detail: `too low: ${low.join(', ')}; kind nodes fail with "too many open files"`,
      fix: `sudo sysctl fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches} fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances} (and persist them in /etc/sysctl.d/).`,
    };
  }
  return { name: 'inotify', status: 'ok', detail: `max_user_watches=${watches}, max_user_instances=${instances}` };
}

export async function checkMemory(proc: string, nodes: number): Promise<CheckResult> {
  let text = '';
  try {
    text = await readFile(`${proc}/meminfo`, 'utf8');
  } catch {
    return { name: 'memory', status: 'warn', detail: 'cannot read /proc/meminfo', fix: 'Run on a Linux host.' };
  }
  const kb = Number(/^MemAvailable:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN);
  if (!Number.isFinite(kb))
    return { name: 'memory', status: 'warn', detail: 'MemAvailable not reported', fix: 'Use a kernel >= 3.14.' };
  const gib = kb / 1024 / 1024;
  // A kind control-plane node with the CAPI stack idles around 1-2 GiB; 1000 clusters push
  // the management cluster to ~10-20 GiB (seed §16.6), so warn early.
  const need = 2 * nodes + 2;
  if (gib < need)
    return {
      name: 'memory',
      status: 'fail',
      detail: `${gib.toFixed(1)} GiB available, ${need} GiB needed for ${nodes} kind nodes + providers`,
      fix: 'Free memory or use a bigger machine (the seed used 64 GB).',
    };
  if (gib < 16)
    return {
      name: 'memory',
      status: 'warn',
      detail: `${gib.toFixed(1)} GiB available; large runs need 16+ GiB`,
      fix: 'Fine for small runs; for 1000 clusters use a 32-64 GB machine.',
    };
  return { name: 'memory', status: 'ok', detail: `${gib.toFixed(1)} GiB available` };
}

async function checkKubeconfig(kube: DoctorOptions['kube']): Promise<CheckResult> {
  if (!kube)
    return {
      name: 'kubeconfig',
      status: 'ok',
      detail: 'not checked (setup creates the kind cluster and its kubeconfig)',
    };
  let client: KubeClient;
  try {
    client = KubeClient.from(kube);
  } catch (err) {
    const e = err as UserError;
    return {
      name: 'kubeconfig',
      status: kube.required ? 'fail' : 'warn',
      detail: e.message,
      fix: e.hint ?? 'Pass --kubeconfig/--context.',
    };
  }
  try {
    await withTimeout(client.list('v1', 'Namespace'), 10_000);
    return { name: 'kubeconfig', status: 'ok', detail: `${client.config.getCurrentContext()} -> ${client.server}` };
  } catch (err) {
    return {
      name: 'kubeconfig',
      status: kube.required ? 'fail' : 'warn',
      detail: `${client.config.getCurrentContext()} (${client.server}) is not reachable: ${(err as Error).message.split('\n')[0]}`,
      fix: 'Check that the cluster is running (`kind get clusters`) and that the kubeconfig/context point at it.',
    };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The readable checklist `scale-tui doctor` prints. */
export function formatChecklist(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${MARK[r.status]}] ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.status !== 'ok' && r.fix) lines.push(`       ${' '.repeat(width)}  fix: ${r.fix}`);
  }
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  lines.push('');
  lines.push(
    fails > 0
      ? `${fails} problem(s) must be fixed before a real run${warns ? `, ${warns} warning(s)` : ''}.`
      : warns > 0
        ? `ready, with ${warns} warning(s).`
        : 'ready for a real run.',
  );
  return `${lines.join('\n')}\n`;
}
