// The secure diagnostics path end to end, in one process: the emulated manager's endpoint in
// its default (secure) mode refuses what controller-runtime's WithAuthenticationAndAuthorization
// refuses (no token, a token TokenReview rejects: 401; a ServiceAccount no ClusterRole lets
// `get` /metrics: 403), and scale-tui's ServiceAccountMetricsReader gets the metrics with the
// ServiceAccount it created, then deletes only what it labelled.
import type { AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { RestClient } from '../../src/sim/controllers/rest.js';
import { DiagnosticsServer } from '../../src/sim/controllers/metrics-server.js';
import { ServiceAccountMetricsReader } from '../../src/engine/kube/metrics-reader.js';
import { scrapeControllerMetrics } from '../../src/metrics/sources/scrape.js';
import { METRICS_READER_NAME } from '../../src/manifests/metrics-reader.js';

const NS = 'ctrl-system';
const POD = 'manager-0';
const METRICS = '# TYPE workqueue_depth gauge\nworkqueue_depth{controller="x",name="x"} 3\n';

let api: ApiServerHandle;
let kc: KubeConfig;
let client: RestClient;
let diag: DiagnosticsServer;

function get(token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: diag.port,
        path: '/metrics',
        rejectUnauthorized: false,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function tokenFor(ns: string, sa: string): Promise<string> {
  const tr = await client.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
  );
  return tr.status.token;
}

const exists = (path: string): Promise<boolean> =>
  client.request('GET', path).then(
    () => true,
    (e: { status?: number }) => {
      if (e.status === 404) return false;
      throw e;
    },
  );

beforeAll(async () => {
  api = await startApiServer({ name: 'secure-scrape-test' });
  kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  client = new RestClient(kc);
  for (const name of [NS, 'other'])
    await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await client.create(`/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: NS },
    spec: { containers: [{ name: 'manager', image: 'x' }] },
  });
  await client.request(
    'PATCH',
    `/api/v1/namespaces/${NS}/pods/${POD}/status`,
    { status: { phase: 'Running' } },
    'application/merge-patch+json',
  );
  diag = new DiagnosticsServer({
    metrics: () => METRICS,
    reviews: () => (verb, path, body) => client.request(verb, path, body),
  });
  await diag.start();
  api.podNetwork.servePort(NS, POD, 8443, { host: '127.0.0.1', port: diag.port, scheme: 'https' });
}, 30_000);

afterAll(async () => {
  await diag?.stop();
  client?.close();
  await api?.stop();
});

describe('secure diagnostics endpoint (emulated controller-runtime filter)', () => {
  it('answers 401 without a token, as the real filter does', async () => {
    expect(await get()).toEqual({ status: 401, body: 'Unauthorized\n' });
  });

  it('answers 401 to a token TokenReview does not accept', async () => {
    expect((await get('not-a-token-anyone-issued')).status).toBe(401);
  });

  it('answers 403 to a valid ServiceAccount token whose account no ClusterRole lets get /metrics', async () => {
    await client.create('/api/v1/namespaces/other/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'unbound', namespace: 'other' },
    });
    const r = await get(await tokenFor('other', 'unbound'));
    expect(r).toEqual({ status: 403, body: 'Authorization denied for user system:serviceaccount:other:unbound\n' });
  });

  it('refuses plain HTTP on the secure port, as a Go TLS server does', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: diag.port, path: '/metrics', timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('refuses a token request shorter than 10 minutes, as kube-apiserver does', async () => {
    await expect(
      client.request('POST', '/api/v1/namespaces/other/serviceaccounts/unbound/token', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 60 },
      }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe('ServiceAccountMetricsReader', () => {
  it('is refused through the pod proxy (no token passes) but reads /metrics with the ServiceAccount it created', async () => {
    const proxied = await scrapeControllerMetrics(kc, NS, POD, { endpoints: [{ scheme: 'https', port: 8443 }] });
    expect(proxied.ok).toBe(false);
    if (!proxied.ok) expect(proxied.note).toMatch(/https:8443 refused the proxied request \(401/);

    const reader = new ServiceAccountMetricsReader(kc);
    const r = await scrapeControllerMetrics(kc, NS, POD, {
      endpoints: [{ scheme: 'https', port: 8443 }],
      secure: reader,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.via).toBe('secure');
    expect(r.reading.workqueueDepth).toBe(3);
    // What it made: a ServiceAccount, a ClusterRole for get /metrics only, and the binding.
    const role = await client.request<{ rules: unknown[]; metadata: { labels: Record<string, string> } }>(
      'GET',
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${METRICS_READER_NAME}`,
    );
    expect(role.rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    expect(role.metadata.labels['app.kubernetes.io/managed-by']).toBe('scale-tui');
  });

  it('release() deletes the ServiceAccount, ClusterRole and binding it made, and nothing else', async () => {
    const reader = new ServiceAccountMetricsReader(kc);
    expect((await scrapeControllerMetrics(kc, NS, POD, { secure: reader })).ok).toBe(true);
    const made = [
      `/api/v1/namespaces/default/serviceaccounts/${METRICS_READER_NAME}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${METRICS_READER_NAME}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${METRICS_READER_NAME}`,
    ];
    for (const p of made) expect(await exists(p), p).toBe(true);
    const readerToken = await tokenFor('default', METRICS_READER_NAME);
    expect((await get(readerToken)).status).toBe(200);
    await reader.release();
    for (const p of made) expect(await exists(p), p).toBe(false);
    // The user's own, unlabelled ServiceAccount stays.
    expect(await exists('/api/v1/namespaces/other/serviceaccounts/unbound')).toBe(true);
    // With its account gone, a token issued for it no longer passes TokenReview.
    expect((await get(readerToken)).status).toBe(401);
  });

  it('falls back to the pod proxy with a clear note when RBAC refuses creating the reader', async () => {
    // A kubeconfig whose API server answers every create 403, as RBAC does for a viewer.
    const { createServer } = await import('node:https');
    const ca = (await import('../support/etcd-server.js')).testCa('rbac-ca');
    const pair = ca.issue('localhost', { server: true });
    const srv = createServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) => {
      req.resume();
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
      });
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const viewer = new KubeConfig();
      viewer.loadFromOptions({
        clusters: [
          {
            name: 'c',
            server: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`,
            caData: Buffer.from(ca.certPem).toString('base64'),
          },
        ],
        users: [{ name: 'u', token: 'viewer-token' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const r = await scrapeControllerMetrics(viewer, NS, POD, {
        endpoints: [{ scheme: 'https', port: 8443 }],
        secure: new ServiceAccountMetricsReader(viewer),
      });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.note).toMatch(/with a ServiceAccount token: RBAC refused creating the metrics reader/);
      // ... and the pod proxy was tried after it.
      expect(r.note).toMatch(/https:8443 refused the proxied request \(403/);
      expect(r.note).not.toMatch(/viewer-token/);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
