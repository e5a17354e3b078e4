// The sampler's controller-metrics and honest-throttling halves against the embedded API
// server: /metrics read through the pod proxy into the pane (depth by priority, rates from
// two reads of the same pod) and the journal; client-side and server-side throttling
// counted apart; and counts marked as lower bounds from the controller's -v, with a live
// change recorded on the Deployment honoured only for the pod it was made on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/core/kube/client.js';
import { CONTROLLERS } from '../../src/core/tune/flags.js';
import type { JournalEvent } from '../../src/core/types.js';
import { startMetrics, type RunningMetrics } from '../../src/metrics/index.js';
import { LIVE_VERBOSITY_ANNOTATION } from '../../src/metrics/throttle/completeness.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { createScaleStore, type ScaleStore } from '../../src/state/store.js';
import { managerDeployment } from '../support/deployments.js';

const spec = CONTROLLERS.kcp;
const ns = spec.namespace;
const FIXTURE = readFileSync(new URL('./fixtures/capi-manager-metrics.txt', import.meta.url), 'utf8');

let api: ApiServerHandle;
let client: KubeClient;
let diag: Server;
let body = FIXTURE;
let clock = 1_764_000_000_000;
let store: ScaleStore;
let metrics: RunningMetrics;
const journal: JournalEvent[] = [];

async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  api = await startApiServer({ name: 'sampler-cm' });
  client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
  await client.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.createOrSkip(
    managerDeployment(ns, spec.deployment, { image: 'kcp', args: ['--kube-api-qps=20', '--v=2'] }),
  );
  await client.createOrSkip({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kcp-a', namespace: ns, labels: { 'control-plane': 'controller-manager' } },
    spec: { containers: [{ name: 'manager', image: 'kcp' }] },
  } as never);
  diag = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => diag.listen(0, '127.0.0.1', () => r()));
  api.podNetwork.servePort(ns, 'kcp-a', 8443, {
    host: '127.0.0.1',
    port: (diag.address() as AddressInfo).port,
    scheme: 'http',
  });
  store = createScaleStore();
  metrics = startMetrics({
    client,
    store,
    intervalMs: 3_600_000,
    queueProbeMs: 0,
    now: () => clock,
    journal: (e) => journal.push(e),
    targets: [{ id: 'kcp', namespace: ns, deployment: spec.deployment, container: spec.container, tunable: 'kcp' }],
  });
}, 60_000);

afterAll(async () => {
  await metrics?.stop();
  await new Promise((r) => diag?.close(r));
  await api?.stop();
});

describe('sampler: controller metrics and honest throttling', () => {
  it('puts the /metrics figures read through the pod proxy into the pane and the journal', async () => {
    await metrics.tick();
    const c = store.getState().controllers.kcp!;
    expect(c.workqueueNote).toBeUndefined();
    expect(c.workqueueDepth).toBe(30);
    expect(c.controllerMetrics).toMatchObject({
      source: 'pod-proxy',
      depthByPriority: { '0': 10, '-100': 20 },
      activeWorkers: 10,
    });
    // One read: no rate yet.
    expect(c.reconcilesPerSecond).toBeUndefined();
    const ev = journal.find((e) => e.type === 'controller-metrics');
    expect(ev).toMatchObject({
      controller: 'kcp',
      pod: 'kcp-a',
      workqueueDepth: 30,
      reconcileTotal: 150,
      rest429Total: 7,
    });

    clock += 10_000;
    body = FIXTURE.replace('result="success"} 100', 'result="success"} 130').replace(
      'method="PATCH"} 7',
      'method="PATCH"} 27',
    );
    await metrics.tick();
    const c2 = store.getState().controllers.kcp!;
    expect(c2.reconcilesPerSecond).toBe(3);
    expect(c2.controllerMetrics?.rest429PerSecond).toBe(2);
  });

  it('says why when the endpoint cannot be read', async () => {
    api.podNetwork.release(ns, 'kcp-a', 8443);
    clock += 10_000;
    await metrics.tick();
    const c = store.getState().controllers.kcp!;
    expect(c.workqueueDepth).toBeUndefined();
    expect(c.workqueueNote).toMatch(/^not reachable through the API server proxy: .*http:8443: 503/);
  });

  it('counts client-side and server-side throttling apart, and marks -v=2 counts as lower bounds', async () => {
    const hdr = 'I1125 02:03:04.123456       1 request.go:752] ';
    api.logs.append(
      ns,
      'kcp-a',
      'manager',
      `${hdr}"Waited before sending request" delay="1.5s" reason="client-side throttling, not priority and fairness" verb="GET" URL="https://10.96.0.1:443/api/v1/namespaces/test-1/secrets/a"`,
    );
    api.logs.append(
      ns,
      'kcp-a',
      'manager',
      `${hdr}"Waited before sending request" delay="2s" reason="client-side throttling, not priority and fairness" verb="GET" URL="https://10.96.0.1:443/api/v1/namespaces/test-2/secrets/b"`,
    );
    api.logs.append(
      ns,
      'kcp-a',
      'manager',
      `${hdr}"Waited before sending request" delay="1s" reason="retries: 1, retry-after: 1s - retry-reason: due to server-side throttling, FlowSchema UID: \\"u1\\"" verb="PATCH" URL="https://10.96.0.1:443/apis/cluster.x-k8s.io/v1beta2/namespaces/test-1/machines/m"`,
    );
    api.logs.append(
      ns,
      'kcp-a',
      'manager',
      'E1125 02:03:05.000000       1 controller.go:329] "Reconciler error" err="the server has received too many requests and has asked us to try again later"',
    );
    await until(() => journal.filter((e) => e.type === 'throttle').length === 4, 'four throttling lines journalled');
    await metrics.tick();
    const t = store.getState().throttling.perController.kcp!;
    expect(t.total).toBe(2);
    expect(t.serverSide).toMatchObject({ total: 2, rejected: 1 });
    expect(t.completeness).toMatchObject({ verbosity: 2, source: 'args', lowerBound: true });
    expect(t.completeness?.note).toMatch(/lower bounds/);
    const sides = journal.filter((e) => e.type === 'throttle').map((e) => (e as { side?: string }).side ?? 'client');
    expect(sides.sort()).toEqual(['client', 'client', 'server', 'server']);
  });

  it('honours a live verbosity change recorded for the running pod, and ignores one for another pod', async () => {
    const patch = async (value: string) => {
      const d = (await client.get('apps/v1', 'Deployment', spec.deployment, ns))!;
      await client.mergePatch({
        ...d,
        metadata: { ...d.metadata, annotations: { [LIVE_VERBOSITY_ANNOTATION]: value } },
      } as never);
    };
    await patch('4@kcp-old');
    await metrics.tick();
    expect(store.getState().throttling.perController.kcp?.completeness).toMatchObject({ verbosity: 2, source: 'args' });
    await patch('4@kcp-a');
    await metrics.tick();
    expect(store.getState().throttling.perController.kcp?.completeness).toMatchObject({
      verbosity: 4,
      source: 'live',
      lowerBound: false,
    });
  });
});
