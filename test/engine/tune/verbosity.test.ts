// Raising a controller's log verbosity live: against emulated controllers behind the
// embedded API server, KCP (a CAPI binary) takes PUT /debug/flags/v through the pod proxy
// with no rollout and the level is recorded on its Deployment for that pod; BMO (no such
// endpoint) gets --v patched into its args and rolls out; and when the live PUT is refused
// the change falls back to the args, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/core/kube/client.js';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { startControllers, type RunningControllers } from '../../../src/sim/controllers/index.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import { Kubelet } from '../../../src/sim/kubelet/kubelet.js';
import { managementObjects } from '../../../src/demo/manifests.js';
import { DEFAULT_COST_MODEL } from '../../../src/sim/cost-model/model.js';
import { setVerbosity, withVerbosity } from '../../../src/engine/tune/verbosity.js';
import { readControllerArgs } from '../../../src/engine/tune/tune.js';
import { LIVE_VERBOSITY_ANNOTATION } from '../../../src/metrics/throttle/completeness.js';
import { IDENTITIES } from '../../../src/sim/controllers/identity.js';
import { ServiceAccountMetricsReader } from '../../../src/engine/kube/metrics-reader.js';
import type { KubeObject } from '../../../src/manifests/types.js';

let api: ApiServerHandle;
let rest: RestClient;
let client: KubeClient;
let kubelet: Kubelet;
let controllers: RunningControllers;

function pathOf(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const plural = `${o.kind.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

beforeAll(async () => {
  api = await startApiServer({ name: 'verbosity-test' });
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  rest = new RestClient(kc);
  for (const o of managementObjects()) await rest.create(pathOf(o), o);
  kubelet = new Kubelet({ kubeconfig: kc, nodeName: 'verbosity-node', metrics: api.metrics });
  await kubelet.start();
  controllers = await startControllers({
    kubeconfig: kc,
    model: { ...DEFAULT_COST_MODEL, timeScale: 0.05 },
    only: ['kcp', 'bmo'],
    sink: {
      appendLog: (ns, pod, c, line) => api.logs.append(ns, pod, c, line),
      setPodMetrics: (ns, pod, cs) => api.metrics.setPodMetrics(ns, pod, cs),
      servePort: (ns, pod, port, t) => api.podNetwork.servePort(ns, pod, port, t),
      releasePort: (ns, pod, port) => api.podNetwork.release(ns, pod, port),
    },
  });
  client = KubeClient.from({ kubeconfigYaml: api.kubeconfigYaml });
}, 60_000);

afterAll(async () => {
  await controllers?.stop();
  await kubelet?.stop();
  rest?.close();
  await api?.stop();
});

describe('withVerbosity', () => {
  it('replaces every -v form with one --v=N, or appends it', () => {
    expect(withVerbosity(['--a=1', '-v', '2', '--b', '--v=5'], 4)).toEqual(['--a=1', '--v=4', '--b']);
    expect(withVerbosity(['--leader-elect'], 3)).toEqual(['--leader-elect', '--v=3']);
    expect(withVerbosity(['-v=1'], 0)).toEqual(['--v=0']);
  });
});

describe('setVerbosity', () => {
  it('changes KCP live through PUT /debug/flags/v, without a rollout, and records it for the pod', async () => {
    const kcp = controllers.managers.get('kcp')!;
    const pod = kcp.podName!;
    const generation = (await readControllerArgs(client, 'kcp')).deployment.metadata.generation;
    const r = await setVerbosity(client, 'kcp', 4);
    expect(r).toMatchObject({ controller: 'kcp', before: 0, after: 4, via: 'debug-flags', pods: [pod] });
    expect(kcp.diagnostics.verbosity).toBe(4);
    const { deployment, args } = await readControllerArgs(client, 'kcp');
    expect(deployment.metadata.generation).toBe(generation);
    expect(args.some((a) => /^--?v=/.test(a))).toBe(false);
    expect(deployment.metadata.annotations?.[LIVE_VERBOSITY_ANNOTATION]).toBe(`4@${pod}`);
    // The next change reads the live level as its "before".
    expect((await setVerbosity(client, 'kcp', 5)).before).toBe(4);
    // The endpoint refuses what is not a level, as klog's flag does, and keeps the old one.
    // (KCP's endpoint is secure by default, as the real one is: the PUT carries a token that may put it.)
    const writer = new ServiceAccountMetricsReader(client.config, 'default', Date.now, 'verbosity');
    await expect(
      writer.request(IDENTITIES.kcp.namespace, pod, 8443, 'PUT', '/debug/flags/v', 'lots', 5000),
    ).rejects.toMatchObject({
      status: 400,
    });
    await writer.release();
    expect(kcp.diagnostics.verbosity).toBe(5);
  });

  it('patches --v into BMO, which serves no /debug/flags/v, and waits for the rollout', async () => {
    const r = await setVerbosity(client, 'bmo', 3, { timeoutMs: 30_000 });
    expect(r).toMatchObject({ controller: 'bmo', before: 0, after: 3, via: 'deployment' });
    expect(r.note).toBeUndefined();
    expect((await readControllerArgs(client, 'bmo')).args).toContain('--v=3');
  });

  it('falls back to --v when the live PUT is refused, and says why', async () => {
    const kcp = controllers.managers.get('kcp')!;
    api.podNetwork.release(IDENTITIES.kcp.namespace, kcp.podName!, 8443);
    const r = await setVerbosity(client, 'kcp', 3, { timeoutMs: 30_000 });
    expect(r.via).toBe('deployment');
    expect(r.note).toMatch(/PUT \/debug\/flags\/v on .* failed .*503.*patched --v instead/);
    const { deployment, args } = await readControllerArgs(client, 'kcp');
    expect(args).toContain('--v=3');
    expect(deployment.metadata.annotations?.[LIVE_VERBOSITY_ANNOTATION]).toBeUndefined();
  });
});
