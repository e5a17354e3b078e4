// The scrape path end to end in one process: emulated controllers serve their diagnostics
// endpoint, the embedded API server's pod proxy reaches it, and scrapeControllerMetrics reads
// the controller-runtime series out of it. Also what the pod proxy must refuse as
// kube-apiserver does (missing pod, nothing listening, wrong scheme) and that it does not
// pass the caller's token on, and the live verbosity change through PUT /debug/flags/v.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { testCa } from '../support/etcd-server.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { startControllers, type RunningControllers } from '../../src/sim/controllers/index.js';
import { RestClient } from '../../src/sim/controllers/rest.js';
import { Kubelet } from '../../src/sim/kubelet/kubelet.js';
import { managementObjects } from '../../src/demo/manifests.js';
import { DEFAULT_COST_MODEL, type CostModel } from '../../src/sim/cost-model/model.js';
import { scrapeControllerMetrics, podProxyPath } from '../../src/metrics/sources/scrape.js';
import { getText, HttpStatusError } from '../../src/metrics/sources/raw.js';
import { IDENTITIES } from '../../src/sim/controllers/identity.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { ServiceAccountMetricsReader } from '../../src/engine/kube/metrics-reader.js';

const MODEL: CostModel = { ...DEFAULT_COST_MODEL, timeScale: 0.05 };

let api: ApiServerHandle;
let kc: KubeConfig;
let client: RestClient;
let kubelet: Kubelet;
let controllers: RunningControllers;
let echo: Server;
let echoHeaders: Record<string, unknown> = {};

function pathOf(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const plural = o.kind === 'BareMetalHost' ? 'baremetalhosts' : `${o.kind.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const bmoPod = (): string => controllers.managers.get('bmo')!.podName!;
const NS = IDENTITIES.bmo.namespace;

beforeAll(async () => {
  api = await startApiServer({ name: 'scrape-test' });
  kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  client = new RestClient(kc);
  for (const o of managementObjects()) await client.create(pathOf(o), o);
  kubelet = new Kubelet({ kubeconfig: kc, nodeName: 'scrape-node', metrics: api.metrics });
  await kubelet.start();
  controllers = await startControllers({
    kubeconfig: kc,
    model: MODEL,
    only: ['bmo'],
    sink: {
      appendLog: (ns, pod, c, line) => api.logs.append(ns, pod, c, line),
      setPodMetrics: (ns, pod, cs) => api.metrics.setPodMetrics(ns, pod, cs),
      servePort: (ns, pod, port, t) => api.podNetwork.servePort(ns, pod, port, t),
      releasePort: (ns, pod, port) => api.podNetwork.release(ns, pod, port),
    },
  });
  const ns = 'scrape-1';
  await client.create(pathOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const host: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: { name: 'worker-1', namespace: ns },
    spec: {
      online: true,
      bootMACAddress: '00:60:2f:31:81:01',
      bmc: { address: 'ipmi://192.0.2.1:6230', credentialsName: 'worker-1-bmc-secret' },
    },
  };
  await client.create(pathOf(host), host);
  echo = createServer((req, res) => {
    echoHeaders = req.headers;
    res.end('ok');
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
}, 60_000);

afterAll(async () => {
  await controllers?.stop();
  await kubelet?.stop();
  client?.close();
  await new Promise((r) => echo?.close(r));
  await api?.stop();
});

describe('controller /metrics through the embedded API server pod proxy', () => {
  it('reads the controller-runtime series from the emulated BMO, with real reconciles and requests', async () => {
    const reader = new ServiceAccountMetricsReader(kc);
    const r = await until('a reconcile counted', async () => {
      const s = await scrapeControllerMetrics(kc, NS, bmoPod(), { secure: reader });
      return s.ok && (s.reading.reconcileTotal ?? 0) > 0 ? s : undefined;
    });
    if (!r.ok) throw new Error('unreachable');
    // BMO v0.13 always serves its metrics securely: read with a ServiceAccount token.
    expect(r.endpoint).toEqual({ scheme: 'https', port: 8443 });
    expect(r.via).toBe('secure');
    expect(r.malformed).toBe(0);
    expect(r.reading.workqueueDepth).toBeGreaterThanOrEqual(0);
    // The emulated queue is a priority queue: its gauge is split as controller-runtime's is.
    expect(Object.keys(r.reading.depthByPriority).sort()).toEqual(['-100', '0']);
    expect(r.reading.workqueueAddsTotal).toBeGreaterThan(0);
    expect(r.reading.restRequestsTotal).toBeGreaterThan(0);
    expect(r.reading.restRequestsByCode['200']).toBeGreaterThan(0);
    expect(r.reading.reconcileTimeSecondsCount).toBe(r.reading.reconcileTotal);
    // capi_reconcile_* is CAPI's own (core, CABPK, KCP); BMO does not register it.
    expect(r.reading.capiReconcileTotal).toBeUndefined();
    expect(r.reading.activeWorkers).toBeGreaterThanOrEqual(0);
  });

  it('says why when no endpoint answers: a pod that does not exist is a 404 for every port', async () => {
    const r = await scrapeControllerMetrics(kc, NS, 'no-such-pod');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.note).toMatch(
      /^not reachable through the API server proxy: https:8443: 404; http:8443: 404; http:8080: 404$/,
    );
  });

  it('answers 503 for a port nothing serves and for https to a plain-HTTP target', async () => {
    await expect(getText(kc, podProxyPath(NS, bmoPod(), { scheme: 'http', port: 9999 }))).rejects.toMatchObject({
      status: 503,
    });
    // The emulated BMO's 8443 is HTTPS now (as BMO's is); a plain-HTTP target is the echo server.
    api.podNetwork.servePort(NS, bmoPod(), 7778, {
      host: '127.0.0.1',
      port: (echo.address() as AddressInfo).port,
      scheme: 'http',
    });
    const err = await getText(kc, podProxyPath(NS, bmoPod(), { scheme: 'https', port: 7778 })).catch((e: unknown) => e);
    api.podNetwork.release(NS, bmoPod(), 7778);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).message).toMatch(/server gave HTTP response to HTTPS client/);
  });

  it("does not pass the caller's Authorization header to the pod, as kube-apiserver does not", async () => {
    api.podNetwork.servePort(NS, bmoPod(), 7777, {
      host: '127.0.0.1',
      port: (echo.address() as AddressInfo).port,
      scheme: 'http',
    });
    expect(await getText(kc, podProxyPath(NS, bmoPod(), { scheme: 'http', port: 7777 }, 'x?a=1'))).toBe('ok');
    expect(echoHeaders.authorization).toBeUndefined();
    api.podNetwork.release(NS, bmoPod(), 7777);
  });

  it('reports a secure diagnostics endpoint that refuses the proxied (token-less) request as such', async () => {
    const pair = testCa('diag-ca').issue('localhost', { server: true });
    let sawAuth: string | undefined = 'unset';
    const secure = createHttpsServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) => {
      sawAuth = req.headers.authorization;
      // controller-runtime's authn filter: no bearer token, no TokenReview, 401.
      res.writeHead(req.headers.authorization ? 200 : 401);
      res.end(req.headers.authorization ? 'workqueue_depth 1\n' : 'Unauthorized');
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', () => r()));
    try {
      api.podNetwork.servePort(NS, bmoPod(), 9443, {
        host: '127.0.0.1',
        port: (secure.address() as AddressInfo).port,
        scheme: 'https',
      });
      const r = await scrapeControllerMetrics(kc, NS, bmoPod(), { endpoints: [{ scheme: 'https', port: 9443 }] });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.note).toMatch(/https:9443 refused the proxied request \(401: secure diagnostics endpoint.*--prometheus/);
      expect(sawAuth).toBeUndefined();
    } finally {
      api.podNetwork.release(NS, bmoPod(), 9443);
      await new Promise((r) => secure.close(r));
    }
  });

  it('answers 404 for PUT /debug/flags/v on BMO, which does not serve it (only CAPI binaries do)', async () => {
    // The secure endpoint answers the token-less proxied PUT 401 before it could say 404 ...
    const path = podProxyPath(NS, bmoPod(), { scheme: 'https', port: 8443 }, 'debug/flags/v');
    await expect(getText(kc, path, { method: 'PUT', body: '4', accept: 'text/plain' })).rejects.toMatchObject({
      status: 401,
    });
    // ... and 404 to the cluster admin's token, which passes authn and authz.
    const ep = api.podNetwork.lookup(NS, bmoPod(), 8443)!;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: ep.host,
          port: ep.port,
          method: 'PUT',
          path: '/debug/flags/v',
          rejectUnauthorized: false,
          headers: { Authorization: `Bearer ${kc.getCurrentUser()!.token}` },
          timeout: 5000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('4');
    });
    expect(status).toBe(404);
    expect(controllers.managers.get('bmo')!.diagnostics.verbosity).toBe(0);
  });
});
