// `scale-tui setup --attach` against the embedded API server (real CRDs from ../shared/crds):
// first with no providers installed, then with every provider Deployment rolled out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type { TestCluster } from '../../support/test-cluster.js';
import { type KubeletCluster, testClusterWithKubelet } from '../../support/kubelet-cluster.js';
import { KubeClient } from '../../../src/core/kube/client.js';
import { CONTROLLERS } from '../../../src/core/tune/flags.js';
import { CONTROLLER_IDS } from '../../../src/core/types.js';
import { bmoTestModeArgs } from '../../../src/engine/setup/bmo.js';
import { verifyAttach } from '../../../src/engine/setup/attach.js';
import { deploymentPending } from '../../../src/engine/setup/conditions.js';
import type { CreatedObjects } from '../../support/created.js';
import type { KubeObject } from '../../../src/manifests/types.js';

function deployment(namespace: string, name: string, container: string, args: string[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: container, image: 'registry.k8s.io/x:v1', args }] },
      },
    },
  };
}

describe('setup --attach (embedded API server)', () => {
  let cluster: TestCluster;
  let world: KubeletCluster | undefined;
  // What this suite made, deleted at the end: an external cluster is shared by all suites.
  let created: CreatedObjects | undefined;
  const attach = () =>
    execa('node', ['bin/scale-tui.js', 'setup', '--attach', '--kubeconfig', cluster.kubeconfigPath], { reject: false });

  beforeAll(async () => {
    world = await testClusterWithKubelet('kind-control-plane');
    ({ cluster, created } = world);
  });
  afterAll(async () => {
    await world?.stop();
  }, 180_000);

  it('reports every missing provider with a fix and exits non-zero', async (ctx) => {
    // On a fresh embedded server every provider is missing. An external cluster is shared with
    // the other suites (tune and backing install some providers there), so the providers that
    // already exist are read first: those must not be reported missing, all others must be.
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const present = new Set<string>();
    for (const id of CONTROLLER_IDS) {
      const d = await kube.get('apps/v1', 'Deployment', CONTROLLERS[id].deployment, CONTROLLERS[id].namespace);
      if (d) present.add(id);
    }
    if (cluster.embedded) expect(present.size).toBe(0);
    // A shared external cluster may already run every provider: nothing is missing to report.
    ctx.skip(
      present.size === CONTROLLER_IDS.length,
      'the external cluster already runs every provider (another suite installed them), so none can be reported missing',
    );
    const r = await attach();
    expect(r.exitCode).toBe(2);
    for (const id of CONTROLLER_IDS) {
      const missing = new RegExp(
        `\\[FAIL\\] ${id}\\s+Deployment ${CONTROLLERS[id].namespace}/${CONTROLLERS[id].deployment} does not exist`,
      );
      if (present.has(id)) expect(r.stdout).not.toMatch(missing);
      else expect(r.stdout).toMatch(missing);
    }
    expect(r.stdout).toMatch(
      /\[FAIL\] cert-manager-webhook\s+Deployment cert-manager\/cert-manager-webhook does not exist/,
    );
    // The real CRDs are loaded by the embedded server, so those checks pass.
    expect(r.stdout).toMatch(/\[ok {2}\] crd kubeadmcontrolplanes\.controlplane\.cluster\.x-k8s\.io/);
    expect(r.stdout).toMatch(/\[ok {2}\] crd baremetalhosts\.metal3\.io/);
    expect(r.stderr).toMatch(/^error: the management cluster is missing pieces/);
  }, 180_000);

  it('passes once the providers, cert-manager, BMO in test mode and metrics-server run', async () => {
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const all: Array<[string, string, string, string[]]> = [
      ...CONTROLLER_IDS.map((id): [string, string, string, string[]] => [
        CONTROLLERS[id].namespace,
        CONTROLLERS[id].deployment,
        'manager',
        id === 'bmo' ? bmoTestModeArgs('v0.13.2') : ['--leader-elect'],
      ]),
      ...['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'].map(
        (d): [string, string, string, string[]] => ['cert-manager', d, d, []],
      ),
      ['kube-system', 'metrics-server', 'metrics-server', ['--kubelet-insecure-tls']],
    ];
    for (const [ns, name, container, args] of all) {
      await created!.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await created!.create(deployment(ns, name, container, args));
    }
    // Wait until the simulated kubelet has rolled them all out.
    for (let i = 0; i < 200; i++) {
      const pending = await Promise.all(all.map(([ns, name]) => deploymentPending(kube, ns, name)));
      if (pending.every((p) => p === undefined)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await verifyAttach(kube)).filter((c) => c.status !== 'ok')).toEqual([]);
    const r = await attach();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\[ok {2}\] bmo test mode\s+--test-mode set/);
    expect(r.stdout).toMatch(/ready for a real run\./);
  }, 180_000);

  it('for capd checks CAPI core, kubeadm and CAPD instead of the Metal3 pieces', async () => {
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const results = await verifyAttach(kube, 'capd');
    expect(results.map((c) => c.name).join(' ')).not.toMatch(/bmo|metal3|ipam/);
    // CAPI core/kubeadm run from the previous test; the Docker provider is missing.
    expect(results.filter((c) => c.status !== 'ok').map((c) => c.name)).toEqual([
      'crd dockerclustertemplates.infrastructure.cluster.x-k8s.io',
      'crd dockermachinetemplates.infrastructure.cluster.x-k8s.io',
      'capd',
    ]);
    expect(results.find((c) => c.name === 'capd')!.fix).toMatch(/clusterctl init --infrastructure=docker/);
  });
});
