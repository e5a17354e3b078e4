// The farm against real clients: kubectl reads a farm cluster through the admin kubeconfig
// (client certificate from that cluster's own CA), the FKAS control API answers as FKAS does,
// faults act on one cluster only, and a SIGKILLed `scale-tui farm serve` with 200 clusters
// comes back with the same certificates and the same objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { Farm } from '../../../src/sim/farm/farm.js';
import { startControlApi, type ControlApi } from '../../../src/sim/farm/control-api.js';
import { freePortBlock } from '../../support/ports.js';

const run = promisify(execFile);
const hasKubectl = existsSync('/usr/bin/kubectl');
const CLI = join(process.cwd(), 'bin/scale-tui.js');

interface Kubeconfig {
  clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
}

/** GET path on a farm cluster with the kubeconfig's identity; the status and parsed body. */
function get(
  kubeconfig: string,
  path: string,
): Promise<{ status: number; body: Record<string, unknown>; fingerprint: string }> {
  const kc = parseYaml(kubeconfig) as Kubeconfig;
  const b = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  const url = new URL(path, kc.clusters[0]!.cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: b(kc.clusters[0]!.cluster['certificate-authority-data']),
        cert: b(kc.users[0]!.user['client-certificate-data']),
        key: b(kc.users[0]!.user['client-key-data']),
        timeout: 5000,
        agent: false,
      },
      (res) => {
        const fingerprint = (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}'), fingerprint }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function post(
  url: string,
  body: unknown,
  method = 'POST',
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('farm in-process', () => {
  let dir: string;
  let farm: Farm;
  let api: ControlApi;
  const token = 'a'.repeat(48);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-'));
    farm = await Farm.open({ stateDir: join(dir, 'state'), basePort: await freePortBlock(8) });
    api = await startControlApi({ farm, host: '127.0.0.1', port: 0, token });
  });
  afterAll(async () => {
    await api.close();
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('FKAS /register answers {Resource,Host,Port}, the same on a second call; /updateNode creates the Node with metal3.io/uuid', async () => {
    const first = await post(`${api.url}/register`, { cluster: 'test-1', namespace: 'test-1' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ Resource: 'test-1/test-1', Host: '127.0.0.1', Port: farm.basePort });
    const again = await post(`${api.url}/register`, { cluster: 'test-1', namespace: 'test-1' });
    expect(again.json).toEqual(first.json);
    // FKAS's older shape: {"resource":"ns/name"}.
    const older = await post(`${api.url}/register`, { resource: 'ns-2/test-2' });
    expect(older.json).toMatchObject({ Resource: 'ns-2/test-2', Port: farm.basePort + 1 });
    // metal3-fkas-reconciler POSTs, the flow PUTs: both work and repeat as 200.
    for (const method of ['PUT', 'POST']) {
      const r = await post(
        `${api.url}/updateNode`,
        {
          resource: 'test-1/test-1',
          nodeName: 'test-1-cp-0',
          uuid: 'bmh-uid-1',
          providerID: 'metal3://test-1/host-0/test-1-cp-0',
          nodeType: 'control-plane',
        },
        method,
      );
      expect(r.status).toBe(200);
    }
    const kc = farm.kubeconfig('test-1', 'test-1');
    const node = await get(kc, '/api/v1/nodes/test-1-cp-0');
    expect(node.status).toBe(200);
    const md = node.body.metadata as { labels: Record<string, string> };
    expect(md.labels['metal3.io/uuid']).toBe('bmh-uid-1');
    expect(md.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect((node.body.spec as { providerID: string }).providerID).toBe('metal3://test-1/host-0/test-1-cp-0');
  });

  it('refuses bad input with an error and a fix, and 404s an unknown cluster', async () => {
    const bad = await post(`${api.url}/register`, { cluster: 'Not_A_Name', namespace: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: expect.stringContaining('DNS labels'), fix: expect.any(String) });
    const notJson = await fetch(`${api.url}/register`, {
      method: 'POST',
      body: '{nope',
      signal: AbortSignal.timeout(5000),
    });
    expect(notJson.status).toBe(400);
    const unknown = await post(`${api.url}/updateNode`, { cluster: 'ghost', namespace: 'ghost', nodeName: 'n' });
    expect(unknown.status).toBe(404);
    const noToken = await post(`${api.url}/clusters/test-1/test-1/fault`, { down: true }, 'PUT');
    expect(noToken.status).toBe(401);
    const outOfRange = await post(`${api.url}/clusters/test-1/test-1/fault`, { errorRate: 3 }, 'PUT', token);
    expect(outOfRange.status).toBe(400);
  });

  it.skipIf(!hasKubectl)(
    'real kubectl: get nodes, get pods -n kube-system (static pods Running and Ready), kubeadm-config',
    async () => {
      const kcPath = join(dir, 'test-1.kubeconfig');
      writeFileSync(kcPath, farm.kubeconfig('test-1', 'test-1'), { mode: 0o600 });
      const k = (...args: string[]) => run('kubectl', ['--kubeconfig', kcPath, ...args], { timeout: 20_000 });
      const nodes = await k('get', 'nodes', '-o', 'name');
      expect(nodes.stdout.trim()).toBe('node/test-1-cp-0');
      const pods = JSON.parse((await k('get', 'pods', '-n', 'kube-system', '-o', 'json')).stdout) as {
        items: Array<{
          metadata: { name: string };
          status: { phase: string; conditions: Array<{ type: string; status: string }> };
        }>;
      };
      expect(pods.items.map((p) => p.metadata.name).sort()).toEqual([
        'etcd-test-1-cp-0',
        'kube-apiserver-test-1-cp-0',
        'kube-controller-manager-test-1-cp-0',
        'kube-scheduler-test-1-cp-0',
      ]);
      for (const p of pods.items) {
        expect(p.status.phase).toBe('Running');
        expect(p.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      }
      const cc = (
        await k(
          'get',
          'configmap',
          '-n',
          'kube-system',
          'kubeadm-config',
          '-o',
          'jsonpath={.data.ClusterConfiguration}',
        )
      ).stdout;
      expect(cc).toContain('kind: ClusterConfiguration');
      expect(cc).toContain(`controlPlaneEndpoint: 127.0.0.1:${farm.basePort}`);
      const rbac = await k('get', 'clusterrolebinding', 'kubeadm:get-nodes', '-o', 'name');
      expect(rbac.stdout.trim()).toBe('clusterrolebinding.rbac.authorization.k8s.io/kubeadm:get-nodes');
      await k('get', 'deployment', '-n', 'kube-system', 'coredns');
      await k('get', 'daemonset', '-n', 'kube-system', 'kube-proxy');
      await k('get', 'configmap', '-n', 'kube-system', 'kubelet-config');
    },
  );

  it("each cluster serves a certificate from its own CA; another cluster's client certificate is refused", async () => {
    const one = farm.kubeconfig('test-1', 'test-1');
    const two = farm.kubeconfig('ns-2', 'test-2');
    const r1 = await get(one, '/');
    expect(r1.status).toBe(200);
    expect(r1.body.paths).toContain('/api');
    const ca1 = new X509Certificate(farm.record('test-1', 'test-1').caCertPem);
    const srv1 = new X509Certificate(farm.record('test-1', 'test-1').serving.certPem);
    expect(srv1.verify(ca1.publicKey)).toBe(true);
    // test-2's identity against test-1's port: TLS trusts test-2's CA only, so the handshake fails.
    const mixed = two.replace(`:${farm.basePort + 1}`, `:${farm.basePort}`);
    await expect(get(mixed, '/')).rejects.toThrow();
  });

  it('faults act on one cluster: latency, error rate, down/up', async () => {
    const kc = farm.kubeconfig('test-1', 'test-1');
    const other = farm.kubeconfig('ns-2', 'test-2');
    await farm.setFault('test-1', 'test-1', { errorRate: 1 });
    expect((await get(kc, '/api/v1/nodes')).status).toBe(503);
    expect((await get(other, '/api/v1/nodes')).status).toBe(200);
    await farm.setFault('test-1', 'test-1', { latencyMs: 300 });
    const t0 = Date.now();
    expect((await get(kc, '/api/v1/nodes')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await farm.setFault('test-1', 'test-1', { down: true });
    await expect(get(kc, '/')).rejects.toThrow(/ECONNREFUSED/);
    expect((await get(other, '/')).status).toBe(200);
    await farm.setFault('test-1', 'test-1', {});
    expect((await get(kc, '/')).status).toBe(200);
    const m = farm.metrics.snapshot();
    expect(m.healthProbes).toBeGreaterThanOrEqual(3);
    expect(m.errors).toBeGreaterThanOrEqual(1);
    expect(m.p99Ms).toBeGreaterThan(0);
  });

  it('state files are private (0600 in a 0700 dir)', () => {
    const file = join(dir, 'state', 'clusters', 'test-1_test-1.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state', 'clusters')).mode & 0o777).toBe(0o700);
  });
});

describe('farm serve survives SIGKILL', () => {
  const COUNT = 200;
  let dir: string;
  let child: ChildProcess | undefined;

  const start = async (basePort: number): Promise<{ url: string; token: string }> => {
    const ctl = join(dir, 'farm', 'control.json');
    rmSync(ctl, { force: true });
    child = spawn(
      process.execPath,
      [CLI, 'farm', 'serve', '--state-dir', join(dir, 'farm'), '--base-port', String(basePort), '--control-port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const deadline = Date.now() + 20_000;
    while (!existsSync(ctl)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`farm serve did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { url } = JSON.parse(readFileSync(ctl, 'utf8')) as { url: string };
    return { url, token: readFileSync(join(dir, 'farm', 'control-token'), 'utf8').trim() };
  };

  afterAll(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${COUNT} clusters come back on the same ports with the same certificates and objects`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-kill-'));
    const base = await freePortBlock(COUNT);
    let { url, token } = await start(base);
    const names = Array.from({ length: COUNT }, (_, i) => `c-${i}`);
    const ports = new Map<string, number>();
    const before = new Map<string, { fp: string; node: string; cm: string }>();
    const kubeconfigs = new Map<string, string>();
    const setUp = async (n: string): Promise<void> => {
      const r = (await post(`${url}/register`, { cluster: n, namespace: `ns-${n}` })).json as { Port: number };
      ports.set(n, r.Port);
      await post(
        `${url}/updateNode`,
        { cluster: n, namespace: `ns-${n}`, nodeName: `${n}-node`, uuid: `uuid-${n}` },
        'PUT',
      );
      const kc = await (
        await fetch(`${url}/clusters/ns-${n}/${n}/kubeconfig`, {
          headers: { Authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(10_000),
        })
      ).text();
      kubeconfigs.set(n, kc);
      const node = await get(kc, `/api/v1/nodes/${n}-node`);
      const cm = await get(kc, '/api/v1/namespaces/kube-system/configmaps/kubeadm-config');
      before.set(n, { fp: node.fingerprint, node: JSON.stringify(node.body), cm: JSON.stringify(cm.body) });
    };
    for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map(setUp));
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    ({ url, token } = await start(base));
    const check = async (n: string): Promise<void> => {
      const kc = kubeconfigs.get(n)!;
      const node = await get(kc, `/api/v1/nodes/${n}-node`);
      const cm = await get(kc, '/api/v1/namespaces/kube-system/configmaps/kubeadm-config');
      expect(new URL((parseYaml(kc) as Kubeconfig).clusters[0]!.cluster.server).port).toBe(String(ports.get(n)));
      expect({ fp: node.fingerprint, node: JSON.stringify(node.body), cm: JSON.stringify(cm.body) }).toEqual(
        before.get(n),
      );
    };
    for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map(check));
    expect(before.size).toBe(COUNT);
  }, 150_000);
});
