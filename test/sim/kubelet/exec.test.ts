// kubectl exec against the embedded API server and the simulated kubelet, with the etcd
// StatefulSet run as a real etcd (runEtcd): the API server proxies pods/exec to the kubelet
// port; the kubelet speaks kubectl's WebSocket streaming protocol and runs the command on the
// node with the pod's volume paths mapped. Real kubectl, real etcd, the engine's own etcd
// setup and tenancy admin over `kubectl exec`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import type { KubeletHandle } from '../../../src/sim/kubelet/kubelet.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, objectPath } from '../../../src/sim/controllers/resources.js';
import type { EtcdPki } from '../../../src/engine/backing/etcd-pki.js';
import { ETCD, etcdObjects } from '../../../src/engine/backing/etcd-objects.js';
import { setupBackingEtcd } from '../../../src/engine/backing/setup.js';
import { EtcdctlAdmin, podEtcdctl } from '../../../src/engine/etcd/etcdctl.js';
import { podEtcdAdmin } from '../../../src/engine/topology/sites.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { type EtcdNode, etcdNodeSkipReason, startEtcdNode } from '../../support/etcd-node.js';

const skip = etcdNodeSkipReason();

let dir: string;
let api: ApiServerHandle;
let kubeconfig: string;
let client: RestClient;
let kubelet: KubeletHandle;
let pki: EtcdPki;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Real kubectl with the API server's kubeconfig; a 60 s deadline. */
function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', [`--kubeconfig=${kubeconfig}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether the process exists and has not exited (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

type PodObj = KubeObject & {
  metadata: { uid?: string };
  spec: { containers: Array<{ name: string; command?: string[] }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
};

async function readyEtcdPod(): Promise<PodObj> {
  return until('etcd-0 Ready', async () => {
    const p = (await client.get(objectPath(R.pod, ETCD.pod, ETCD.namespace))) as PodObj | undefined;
    return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  });
}

/** The container's flag value, as written in the pod (paths inside the pod). */
function flag(pod: PodObj, name: string): string {
  const arg = pod.spec.containers[0]!.command!.find((a) => a.startsWith(`--${name}=`));
  if (!arg) throw new Error(`no --${name} in the etcd container`);
  return arg.slice(name.length + 3);
}

function etcdctlArgs(pod: PodObj): string[] {
  return [
    'etcdctl',
    '--endpoints=https://127.0.0.1:2379',
    `--cacert=${flag(pod, 'trusted-ca-file')}`,
    `--cert=${flag(pod, 'cert-file')}`,
    `--key=${flag(pod, 'key-file')}`,
  ];
}

const NODE = 'exec-test-control-plane';
const execPath = (pod: string, query = '') =>
  `/api/v1/namespaces/${ETCD.namespace}/pods/${pod}/exec?command=true&stdout=true${query}`;

const execArgs = (...cmd: string[]) => ['exec', '-n', ETCD.namespace, ETCD.pod, '-c', ETCD.container, '--', ...cmd];

let node: EtcdNode | undefined;

beforeAll(async () => {
  if (skip) return;
  node = await startEtcdNode('exec-test', 'r'.repeat(32));
  ({ dir, api, kubeconfig, kubelet, pki } = node);
  client = new RestClient(node.kc);
}, 60_000);

afterAll(async () => {
  client?.close();
  await node?.stop();
});

describe.skipIf(!!skip)('kubectl exec through the embedded API server to the simulated kubelet', () => {
  it('reports the kubelet endpoint on the Node', async () => {
    const node = await client.get(objectPath(R.node, NODE));
    const st = node?.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } }; addresses?: unknown[] };
    expect(st.daemonEndpoints?.kubeletEndpoint?.Port).toBe(kubelet.kubeletPort);
    expect(kubelet.kubeletPort).toBeGreaterThan(0);
    expect(st.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
  });

  it('runs etcd-0 as a real etcd, Ready once it answers, its Secrets on disk 0700/0600', async () => {
    const pod = await readyEtcdPod();
    expect(pod.status?.phase).toBe('Running');
    const [pid] = kubelet.kubelet.podPids(ETCD.namespace, ETCD.pod);
    expect(pid).toBeGreaterThan(0);
    const podDir = join(kubelet.directory, 'pods', pod.metadata.uid!);
    expect(statSync(podDir).mode & 0o777).toBe(0o700);
    const volumes = readdirSync(join(podDir, 'volumes'));
    expect(volumes).toContain('server');
    const key = join(podDir, 'volumes', 'server', 'tls.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(join(podDir, 'volumes', 'server')).mode & 0o777).toBe(0o700);
    const sts = await until('StatefulSet ready', async () => {
      const s = await client.get(objectPath(R.statefulSet, ETCD.statefulSet, ETCD.namespace));
      return (s?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1 ? s : undefined;
    });
    const st = sts.status as { currentRevision?: string; updateRevision?: string };
    expect(st.currentRevision).toBe(st.updateRevision);
  });

  it("kubectl exec runs etcdctl in the pod with the pod's paths, exit 0", async () => {
    const pod = await readyEtcdPod();
    const r = await kubectl(execArgs(...etcdctlArgs(pod), 'endpoint', 'status', '-w', 'json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as Array<{ Endpoint: string; Status: { header: { cluster_id: number } } }>;
    expect(status[0]!.Endpoint).toBe('https://127.0.0.1:2379');
  });

  it('passes the exit code through: "command terminated with exit code 3", exit 3', async () => {
    await readyEtcdPod();
    const r = await kubectl(execArgs('sh', '-c', 'echo out; echo err >&2; exit 3'));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('kubectl exec -i passes stdin through, and its end', async () => {
    await readyEtcdPod();
    const input = `${'line of input\n'.repeat(5000)}last`;
    const r = await kubectl(['exec', '-i', '-n', ETCD.namespace, ETCD.pod, '--', 'cat'], input);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it("maps mount paths in exec'd commands to the pod's volumes", async () => {
    const pod = await readyEtcdPod();
    const r = await kubectl(execArgs('cat', flag(pod, 'trusted-ca-file')));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(pki.ca.cert);
  });

  it("a missing pod is kubectl's NotFound; a missing command is an error, not a hang", async () => {
    const r = await kubectl(['exec', '-n', ETCD.namespace, 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): pods "nope" not found');
    const c = await kubectl(execArgs('no-such-binary-here'));
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('executable file not found');
  });

  it('the API server answers exec errors with Status bodies', async () => {
    // A plain request (no upgrade) is refused as kube-apiserver refuses it.
    const plain = await requestRaw(execPath(ETCD.pod), false);
    expect(plain.code).toBe(400);
    expect(plain.body).toContain('Upgrade request required');
    const missing = await requestRaw(execPath('nope'), true);
    expect(missing.code).toBe(404);
    const notFound = { kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' };
    expect(JSON.parse(missing.body)).toMatchObject(notFound);
    const badContainer = await requestRaw(execPath(ETCD.pod, '&container=x'), true);
    expect(badContainer.code).toBe(400);
    const invalid = { reason: 'BadRequest', message: `container x is not valid for pod ${ETCD.pod}` };
    expect(JSON.parse(badContainer.body)).toMatchObject(invalid);
  });

  it('the engine sets up the etcd and administers tenants through kubectl exec', async () => {
    const target = { kubeconfigPath: kubeconfig };
    const res = await setupBackingEtcd({
      kube: KubeClient.from(target),
      pki,
      ownership: { runId: 'exec-test' },
      adminFor: (pw) => {
        const where = { namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container };
        return new EtcdctlAdmin(podEtcdctl({ target: { kubeconfig }, ...where }), pw);
      },
      readyTimeoutMs: 60_000,
      pollMs: 200,
    });
    expect(res.rootPassword).toBe('r'.repeat(32));
    const admin = podEtcdAdmin(target, 'exec-test');
    await admin.ensureTenant('test-1');
    await admin.ensureTenant('test-1'); // idempotent
    const pod = await readyEtcdPod();
    // As the tenant's own etcd user would see it: auth is on, root is required to list roles.
    const roles = await kubectl(execArgs(...etcdctlArgs(pod), `--user=root:${'r'.repeat(32)}`, 'role', 'list'));
    expect(roles.code).toBe(0);
    expect(roles.stdout.split('\n')).toContain('test-1');
    const del = await admin.deleteTenant('test-1');
    expect(del.deletedKeys).toBe(0);
    const after = await kubectl(execArgs(...etcdctlArgs(pod), `--user=root:${'r'.repeat(32)}`, 'role', 'list'));
    expect(after.stdout.split('\n')).not.toContain('test-1');
  });

  it('deleting the pod stops its etcd; the StatefulSet brings a new one up on the same data', async () => {
    const before = await readyEtcdPod();
    const [pid] = kubelet.kubelet.podPids(ETCD.namespace, ETCD.pod);
    expect(pid).toBeGreaterThan(0);
    await client.delete(objectPath(R.pod, ETCD.pod, ETCD.namespace));
    await until('old etcd gone', async () => !alive(pid!));
    const next = await until('a new etcd-0 Ready', async () => {
      const p = await readyEtcdPod();
      return p.metadata.uid !== before.metadata.uid ? p : undefined;
    });
    // The persistent volume kept the auth setup: root's password still works.
    const roles = await kubectl(execArgs(...etcdctlArgs(next), `--user=root:${'r'.repeat(32)}`, 'role', 'list'));
    expect(roles.code).toBe(0);
    expect(roles.stdout.split('\n')).toContain('root');
  });

  it('deleting the StatefulSet stops its etcd (the pod goes by garbage collection)', async () => {
    await readyEtcdPod();
    const [pid] = kubelet.kubelet.podPids(ETCD.namespace, ETCD.pod);
    expect(alive(pid!)).toBe(true);
    await client.delete(objectPath(R.statefulSet, ETCD.statefulSet, ETCD.namespace));
    await until('etcd gone with its StatefulSet', async () => !alive(pid!));
    await until('etcd-0 deleted', async () => !(await client.get(objectPath(R.pod, ETCD.pod, ETCD.namespace))));
    // Back for the next test: the same objects again bring etcd-0 up on its kept volume.
    const kube = KubeClient.from({ kubeconfigPath: kubeconfig });
    for (const obj of etcdObjects({ ownership: { runId: 'exec-test' }, pki, rootPassword: 'r'.repeat(32) })) {
      await kube.createOrSkip(obj);
    }
    const pod = await readyEtcdPod();
    const roles = await kubectl(execArgs(...etcdctlArgs(pod), `--user=root:${'r'.repeat(32)}`, 'role', 'list'));
    expect(roles.stdout.split('\n')).toContain('root');
  });

  it('stopping the kubelet leaves no etcd process', async () => {
    await readyEtcdPod();
    const pids = kubelet.kubelet.podPids(ETCD.namespace, ETCD.pod);
    expect(pids.length).toBe(1);
    expect(alive(pids[0]!)).toBe(true);
    await kubelet.stop();
    expect(alive(pids[0]!)).toBe(false);
  });

  it('a SIGKILLed kubelet process leaves no etcd behind', async () => {
    // A kubelet of its own process for the same node: it finds etcd-0 bound there and runs it.
    const fixture = join(import.meta.dirname, 'fixtures', 'kubelet-process.ts');
    const args = ['bin/run-ts.js', fixture, kubeconfig, NODE, join(dir, 'kubelet-process')];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no etcd pid from the kubelet process: ${err}`)), 45_000);
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.split('\n')[0]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`kubelet process exited ${code}: ${err}`)));
      });
      const { etcdPid } = JSON.parse(line) as { etcdPid: number };
      expect(alive(etcdPid)).toBe(true);
      child.kill('SIGKILL');
      await exited;
      // The parent-death signal ends it at once (its broken log pipe would too, later).
      await until('etcd gone after its kubelet was SIGKILLed', async () => !alive(etcdPid), 2000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});

/** A raw HTTPS request with the admin token, optionally as a WebSocket upgrade: its status and body. */
function requestRaw(path: string, upgrade: boolean): Promise<{ code: number; body: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${api.adminToken}` };
  if (upgrade) {
    Object.assign(headers, {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      'sec-websocket-protocol': 'v5.channel.k8s.io',
    });
  }
  const u = new URL(api.url);
  return new Promise((resolve, reject) => {
    const opts = { host: u.hostname, port: u.port, path, headers, ca: api.caPem, timeout: 10_000 };
    const req = httpsRequest(opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ code: res.statusCode ?? 0, body: 'upgraded' });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
