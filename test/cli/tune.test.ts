// `scale-tui tune` as a user runs it: the real binary against the embedded API server,
// whose simulated kubelet rolls Deployments out like the deployment controller would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCluster } from '../support/test-cluster.js';
import { type KubeletCluster, testClusterWithKubelet } from '../support/kubelet-cluster.js';
import { KubeClient } from '../../src/core/kube/client.js';
import { CONTROLLERS } from '../../src/core/tune/flags.js';
import { CONTROLLER_IDS } from '../../src/core/types.js';
import type { CreatedObjects } from '../support/created.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { managerDeployment } from '../support/deployments.js';

/** A provider's manager as clusterctl installs it, with these args. */
function providerManager(namespace: string, name: string, args: string[]): KubeObject {
  return managerDeployment(namespace, name, { image: 'registry.k8s.io/x:v1', command: ['/manager'], args });
}

describe('scale-tui tune (real binary, embedded API server)', () => {
  let dir: string;
  let cluster: TestCluster;
  let world: KubeletCluster | undefined;
  let configPath: string;
  // What this suite made, deleted at the end: an external cluster is shared by all suites.
  let created: CreatedObjects | undefined;
  const cli = (args: string[]) =>
    execa('node', ['bin/scale-tui.js', '-c', configPath, ...args, '--kubeconfig', cluster.kubeconfigPath], {
      reject: false,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-tui-cli-tune-'));
    configPath = join(dir, 'experiment.yaml');
    writeFileSync(configPath, `stateDir: ${join(dir, 'state')}\n`);
    world = await testClusterWithKubelet('kind-control-plane');
    ({ cluster, created } = world);
    for (const id of CONTROLLER_IDS.filter((i) => i !== 'bmo')) {
      const c = CONTROLLERS[id];
      await created.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: c.namespace } });
      await created.create(
        providerManager(c.namespace, c.deployment, [
          '--leader-elect',
          '--diagnostics-address=:8443',
          '--kube-api-qps=20',
        ]),
      );
    }
  });

  afterAll(async () => {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('patches only the changed flags, waits for the rollout and journals before/after', async () => {
    const r = await cli([
      'tune',
      'kcp',
      '--flag',
      'kubeadmcontrolplane-concurrency=100',
      '--qps',
      '200',
      '--burst',
      '300',
      '--timeout',
      '60',
    ]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /before: --kube-api-qps=20\nafter: {2}--kubeadmcontrolplane-concurrency=100 --kube-api-qps=200 --kube-api-burst=300\nrolled out/,
    );
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const d = (await kube.get(
      'apps/v1',
      'Deployment',
      CONTROLLERS.kcp.deployment,
      CONTROLLERS.kcp.namespace,
    )) as unknown as {
      metadata: { generation: number };
      spec: { template: { spec: { containers: Array<{ args: string[]; command: string[] }> } } };
      status: { observedGeneration: number; updatedReplicas: number };
    };
    expect(d.spec.template.spec.containers[0]!.args).toEqual([
      '--leader-elect',
      '--diagnostics-address=:8443',
      '--kube-api-qps=200',
      '--kubeadmcontrolplane-concurrency=100',
      '--kube-api-burst=300',
    ]);
    expect(d.spec.template.spec.containers[0]!.command).toEqual(['/manager']);
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    const journal = readFileSync(join(dir, 'state', 'tuning.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; controller: string; after: { qps: number } });
    expect(journal.at(-1)).toMatchObject({ type: 'tune', controller: 'kcp', after: { qps: 200 } });
  }, 180_000);

  it('--show lists every controller with defaults marked; unsupported flags and missing controllers are refused', async () => {
    const show = await cli(['tune', '--show']);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(
      /^kcp\s+qps=200 burst=300 kubeadmcontrolplane-concurrency=100 clustercache-concurrency=100\*$/m,
    );
    expect(show.stdout).toMatch(/^capm3\s+qps=20 burst=30\* metal3machine-concurrency=10\*/m);
    expect(show.stdout).toMatch(
      /^bmo\s+not installed \(baremetal-operator-system\/baremetal-operator-controller-manager\)$/m,
    );
    const bad = await cli(['tune', 'capm3', '--flag', 'machine-concurrency=5']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: CAPM3 \(capm3\) has no --machine-concurrency flag\nfix: Its concurrency flags are: --metal3machine-concurrency/,
    );
    const missing = await cli(['tune', 'bmo', '--qps', '50']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/baremetal-operator-system\/baremetal-operator-controller-manager not found/);
  }, 180_000);

  const managerArgs = async (id: (typeof CONTROLLER_IDS)[number]): Promise<string[]> => {
    const kube = KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath });
    const d = (await kube.get(
      'apps/v1',
      'Deployment',
      CONTROLLERS[id].deployment,
      CONTROLLERS[id].namespace,
    )) as unknown as {
      spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
    };
    return d.spec.template.spec.containers[0]!.args;
  };

  // Issue 14: `tune kcp --concurrency 10` rewrote --clustercache-concurrency too (100 -> 10).
  it('--concurrency sets only the main reconciler flag and warns when it lowers the default; --flag names others', async () => {
    const named = await cli([
      'tune',
      'kcp',
      '--flag',
      'clustercache-concurrency=100',
      '--flag',
      'kubeadmcontrolplane-concurrency=200',
    ]);
    expect(named.stderr).toBe('');
    expect(named.exitCode).toBe(0);
    const r = await cli(['tune', 'kcp', '--concurrency', '10', '--timeout', '60']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^after: {2}--kubeadmcontrolplane-concurrency=10 --clustercache-concurrency=100 /m);
    expect(r.stderr).toMatch(
      /^warning: this LOWERS CAPI kubeadm control plane \(KCP\) v1\.14\.0 below its defaults: --kubeadmcontrolplane-concurrency=10 \(default 100\); CAPI v1\.13\+ defaults/m,
    );
    expect(await managerArgs('kcp')).toEqual([
      '--leader-elect',
      '--diagnostics-address=:8443',
      '--kube-api-qps=200',
      '--kubeadmcontrolplane-concurrency=10',
      '--kube-api-burst=300',
      '--clustercache-concurrency=100',
    ]);
    const twice = await cli(['tune', 'kcp', '--concurrency', '10', '--flag', 'kubeadmcontrolplane-concurrency=20']);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(
      /^error: --kubeadmcontrolplane-concurrency is given twice, as 10 \(--concurrency\) and 20\nfix: /,
    );
  }, 180_000);

  it("--seed-patch applies every flag of the seed's §10 patch; CAPM3 above 1 carries upstream's warning", async () => {
    const r = await cli(['tune', '--seed-patch', '--timeout', '60']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.match(/^tuning [^:]+/gm)).toEqual(['tuning capi', 'tuning kubeadm-bootstrap', 'tuning kcp']);
    const capi = await managerArgs('capi');
    for (const f of ['cluster', 'machine', 'machineset', 'machinedeployment'])
      expect(capi).toContain(`--${f}-concurrency=100`);
    expect(capi).toContain('--kube-api-burst=300');
    expect(await managerArgs('kubeadm-bootstrap')).toContain('--kubeadmconfig-concurrency=100');
    expect(await managerArgs('kcp')).toContain('--kubeadmcontrolplane-concurrency=100');
    expect(await managerArgs('capm3')).toEqual(['--leader-elect', '--diagnostics-address=:8443', '--kube-api-qps=20']);
    const notInPatch = await cli(['tune', 'capm3', '--seed-patch']);
    expect(notInPatch.exitCode).toBe(2);
    expect(notInPatch.stderr).toMatch(
      /^error: the seed's §10 patch does not tune capm3\nfix: It tunes capi, kubeadm-bootstrap, kcp/,
    );
    const m3m = await cli(['tune', 'capm3', '--concurrency', '4', '--timeout', '60']);
    expect(m3m.exitCode).toBe(0);
    expect(m3m.stderr).toMatch(
      /^warning: --metal3machine-concurrency=4: CAPM3's own help calls values above 1 unsafe/m,
    );
    expect(await managerArgs('capm3')).toContain('--metal3machine-concurrency=4');
  }, 180_000);
});
