// setup's steps against fake kind/clusterctl/kubectl on PATH, with an in-memory
// management API whose contents follow what the fake tools were asked to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFakeBin, type FakeBin, type FakeRule } from '../../support/fake-bin/index.js';
import { runSetupSteps, type SetupContext } from '../../../src/engine/setup/steps.js';
import { verifyAttach } from '../../../src/engine/setup/attach.js';
import type { SetupKube } from '../../../src/engine/setup/conditions.js';
import { defaultConfig } from '../../../src/engine/config/load.js';
import { CONTROLLERS } from '../../../src/core/tune/flags.js';
import { bmoTestModeArgs, bmoTestModeKustomization } from '../../../src/engine/setup/bmo.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { rolledOutDeployment } from '../../support/deployments.js';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n';

/** Management API state derived from which tool invocations happened. */
class ToolDrivenKube implements SetupKube {
  patches: KubeObject[] = [];
  nodeTaints = new Map<string, Array<{ key: string; effect: string }>>();
  metricsArgs: string[] = ['--cert-dir=/tmp'];
  constructor(private readonly fake: FakeBin) {}
  private did(tool: string, re: RegExp) {
    return this.fake.calls(tool).some((c) => re.test(c.argv.join(' ')) && !/--dry-run/.test(c.argv.join(' ')));
  }
  private objects(): KubeObject[] {
    const out: KubeObject[] = [];
    if (this.did('kind', /^create cluster/)) {
      for (const n of ['kind-control-plane', 'kind-control-plane2', 'kind-control-plane3']) {
        if (!this.nodeTaints.has(n))
          this.nodeTaints.set(n, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
        out.push({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: n },
          spec: { taints: this.nodeTaints.get(n) },
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        });
      }
    }
    if (this.did('kubectl', /-k https:\/\/github.com\/metal3-io\/baremetal-operator\/config\/base\/crds/)) {
      out.push({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'baremetalhosts.metal3.io' },
        status: { conditions: [{ type: 'Established', status: 'True' }] },
      });
    }
    if (this.fake.calls('clusterctl').some((c) => c.argv[0] === 'init')) {
      for (const id of ['capi', 'kubeadm-bootstrap', 'kcp', 'capm3', 'ipam'] as const)
        out.push(
          rolledOutDeployment(CONTROLLERS[id].namespace, CONTROLLERS[id].deployment, 'manager', ['--leader-elect']),
        );
      for (const d of ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'])
        out.push(rolledOutDeployment('cert-manager', d, d, []));
    }
    if (
      this.fake
        .calls('clusterctl')
        .some((c) => c.argv[0] === 'init' && c.argv.some((a) => a.startsWith('--infrastructure=docker:')))
    ) {
      out.push(rolledOutDeployment('capd-system', 'capd-controller-manager', 'manager', ['--leader-elect']));
    }
    const bmoApplied = this.fake
      .calls('kubectl')
      .some((c) => c.argv.includes('-k') && /scale-tui-bmo-/.test(c.argv.join(' ')));
    if (bmoApplied && this.fake.calls('kubectl').filter((c) => /scale-tui-bmo-/.test(c.argv.join(' '))).length >= 3) {
      out.push(
        rolledOutDeployment(
          'baremetal-operator-system',
          'baremetal-operator-controller-manager',
          'manager',
          bmoTestModeArgs('v0.13.2'),
        ),
      );
    }
    if (this.did('kubectl', /metrics-server\/releases\/download\/v0\.8\.0\/components\.yaml/))
      out.push(rolledOutDeployment('kube-system', 'metrics-server', 'metrics-server', this.metricsArgs));
    return out;
  }
  async get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    return this.objects().find(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        o.metadata.name === name &&
        o.metadata.namespace === namespace,
    ) as T | undefined;
  }
  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): Promise<T[]> {
    return this.objects().filter((o) => o.apiVersion === apiVersion && o.kind === kind) as T[];
  }
  created: KubeObject[] = [];
  async createOrSkip(obj: KubeObject): Promise<boolean> {
    if (
      this.created.some(
        (o) =>
          o.kind === obj.kind &&
          o.metadata.name === obj.metadata.name &&
          o.metadata.namespace === obj.metadata.namespace,
      )
    )
      return false;
    this.created.push(obj);
    return true;
  }
  async mergePatch(obj: KubeObject): Promise<KubeObject> {
    this.patches.push(obj);
    if (obj.kind === 'Node')
      this.nodeTaints.set(obj.metadata.name, (obj.spec as { taints: Array<{ key: string; effect: string }> }).taints);
    if (obj.kind === 'Deployment' && obj.metadata.name === 'metrics-server') {
      this.metricsArgs = (obj.spec as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec
        .containers[0]!.args;
    }
    return obj;
  }
}

const RULES: Record<string, FakeRule[]> = {
  kind: [
    { match: '^get clusters', stdout: '', times: 2 },
    { match: '^get clusters', stdout: 'kind\n' },
    { match: '^get kubeconfig', stdout: KUBECONFIG },
  ],
  // The BMO apply fails twice with the classic cert-manager webhook race, then succeeds.
  kubectl: [
    {
      match: 'scale-tui-bmo-',
      times: 2,
      stderr:
        'Error from server (InternalError): error when creating "x": Internal error occurred: failed calling webhook "webhook.cert-manager.io": no endpoints available for service "cert-manager-webhook"\n',
      exit: 1,
    },
  ],
};

let fake: FakeBin;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scale-tui-setup-'));
  fake = installFakeBin(['kind', 'kubectl', 'clusterctl'], RULES);
});
afterEach(() => {
  fake.restore();
  rmSync(dir, { recursive: true, force: true });
});

function ctx(kube: SetupKube, log: string[], shortMs = 2000): SetupContext {
  return {
    config: defaultConfig(),
    kubeconfigPath: join(dir, 'management.kubeconfig'),
    kube: () => kube,
    log: (l) => log.push(l),
    timeouts: { shortMs, longMs: 2000 },
    pollMs: 1,
    sleep: async () => {},
  };
}

describe('setup steps', () => {
  it('bootstraps in order with pinned versions, retries the webhook race, and a re-run skips everything', async () => {
    const kube = new ToolDrivenKube(fake);
    const log: string[] = [];
    // A kubeconfig left world-readable by an earlier tool: writing it must tighten it to 0600.
    writeFileSync(join(dir, 'management.kubeconfig'), 'stale\n');
    chmodSync(join(dir, 'management.kubeconfig'), 0o644);
    // Backoff delays are real numbers (1 s, 2 s) even though sleep is a no-op: allow for them.
    const first = await runSetupSteps(ctx(kube, log, 60_000));
    expect(first.map((r) => [r.id, r.result])).toEqual([
      ['kind', 'done'],
      ['untaint', 'done'],
      ['bmo-crds', 'done'],
      ['providers', 'done'],
      ['cert-manager', 'skipped'],
      ['bmo', 'done'],
      ['metrics-server', 'done'],
    ]);
    const kindCreate = fake.calls('kind').find((c) => c.argv[0] === 'create')!;
    expect(kindCreate.stdin).toMatch(/role: control-plane\n.*role: control-plane\n.*role: control-plane/s);
    expect(statSync(join(dir, 'management.kubeconfig')).mode & 0o777).toBe(0o600);
    expect(fake.calls('clusterctl')[0]!.argv).toEqual(
      expect.arrayContaining([
        'init',
        '--core=cluster-api:v1.14.0',
        '--infrastructure=metal3:v1.13.2',
        '--ipam=metal3:v1.13.2',
        `--kubeconfig=${join(dir, 'management.kubeconfig')}`,
      ]),
    );
    expect(kube.patches.filter((p) => p.kind === 'Node')).toHaveLength(3);
    expect(log.filter((l) => /BMO apply: webhook not ready, retry/.test(l))).toHaveLength(2);
    expect(kube.metricsArgs).toEqual(['--cert-dir=/tmp', '--kubelet-insecure-tls']);

    const callsBefore = fake.calls().length;
    const second = await runSetupSteps(ctx(kube, []));
    expect(second.every((r) => r.result === 'skipped')).toBe(true);
    // Only the read-only probe of the kind cluster list ran again.
    expect(
      fake
        .calls()
        .slice(callsBefore)
        .map((c) => `${c.tool} ${c.argv.join(' ')}`),
    ).toEqual(['kind get clusters']);

    const attach = await verifyAttach(kube);
    expect(attach.filter((c) => c.status !== 'ok').map((c) => c.name)).toEqual(
      // The fake world installs only the BMH CRD, not the CAPI/CAPM3 CRDs.
      [
        'crd clusters.cluster.x-k8s.io',
        'crd machines.cluster.x-k8s.io',
        'crd kubeadmconfigs.bootstrap.cluster.x-k8s.io',
        'crd kubeadmcontrolplanes.controlplane.cluster.x-k8s.io',
        'crd metal3clusters.infrastructure.cluster.x-k8s.io',
        'crd metal3machines.infrastructure.cluster.x-k8s.io',
        'crd ippools.ipam.metal3.io',
      ],
    );
  });

  it('capd: mounts the docker socket, installs CAPD instead of Metal3 (no BMO), and a re-run skips everything', async () => {
    const { setupStepsFor } = await import('../../../src/engine/setup/steps.js');
    const kube = new ToolDrivenKube(fake);
    const c = { ...ctx(kube, [], 60_000), config: { ...defaultConfig(), topology: 'capd' as const } };
    const first = await runSetupSteps(c, setupStepsFor(c.config));
    expect(first.map((r) => [r.id, r.result])).toEqual([
      ['kind', 'done'],
      ['untaint', 'done'],
      ['providers', 'done'],
      ['cert-manager', 'skipped'],
      ['metrics-server', 'done'],
    ]);
    const kindCreate = fake.calls('kind').find((x) => x.argv[0] === 'create')!;
    expect(kindCreate.stdin!.match(/containerPath: \/var\/run\/docker.sock/g)).toHaveLength(3);
    const init = fake.calls('clusterctl')[0]!.argv;
    expect(init).toEqual(
      expect.arrayContaining(['init', '--core=cluster-api:v1.14.0', '--infrastructure=docker:v1.14.0']),
    );
    expect(init.join(' ')).not.toMatch(/metal3/);
    expect(fake.calls('kubectl').filter((x) => /baremetal-operator|scale-tui-bmo-/.test(x.argv.join(' ')))).toEqual([]);
    const second = await runSetupSteps(c, setupStepsFor(c.config));
    expect(second.every((r) => r.result === 'skipped')).toBe(true);
  });

  it('a step whose condition never holds fails with the condition and a hint', async () => {
    fake.setRules({
      ...RULES,
      kind: [
        { match: '^get clusters', stdout: '' },
        { match: '^get kubeconfig', stdout: KUBECONFIG },
      ],
    });
    const empty: SetupKube = {
      get: async () => undefined,
      list: async () => [],
      mergePatch: async (o) => o,
      createOrSkip: async () => true,
    };
    await expect(runSetupSteps(ctx(empty, []))).rejects.toThrow(
      /timed out after 2 s waiting for kind nodes Ready: 0\/3 nodes registered/,
    );
  });
});

describe('BMO test mode for the pinned version', () => {
  it('derives args per version and patches only the args', () => {
    expect(bmoTestModeArgs('v0.13.2')).toEqual(['--enable-leader-election', '--test-mode']);
    expect(bmoTestModeArgs('v0.3.0')).toEqual([
      '--metrics-addr=127.0.0.1:8085',
      '--enable-leader-election',
      '--test-mode',
    ]);
    const k = bmoTestModeKustomization('v0.13.2');
    expect(k['kustomization.yaml']).toContain('config/default?ref=v0.13.2');
    expect(k['test-mode.yaml']).toContain('path: /spec/template/spec/containers/0/args');
    expect(k['test-mode.yaml']).toContain('- "--test-mode"');
  });
});

describe('management etcd for the topologies that keep workload data there', () => {
  it('is part of setup for dedicated, shared and sharded (not backing or capd), creates etcd-system and enables auth, idempotently', async () => {
    const { setupStepsFor, mgmtEtcdStep } = await import('../../../src/engine/setup/steps.js');
    const { MemoryEtcd } = await import('../../../src/sim/etcd-memory/memory-etcd.js');
    const { MemoryKube } = await import('../backing/memory-kube.js');
    const config = defaultConfig();
    expect(setupStepsFor(config).map((s) => s.id)).not.toContain('mgmt-etcd');
    // shared and sharded were left out before, so after setup their shared API had no etcd.
    for (const topology of ['dedicated', 'shared', 'sharded'] as const) {
      expect(setupStepsFor({ ...config, topology }).map((s) => s.id)).toContain('mgmt-etcd');
    }
    expect(setupStepsFor({ ...config, topology: 'capd' }).map((s) => s.id)).not.toContain('mgmt-etcd');
    const mem = new MemoryKube();
    const kube: SetupKube = {
      get: (...a) => mem.get(...a),
      list: (...a) => mem.list(...a),
      createOrSkip: (o) => mem.createOrSkip(o),
      mergePatch: async (o) => o,
    };
    const etcd = new MemoryEtcd();
    const passwords: string[] = [];
    const step = mgmtEtcdStep((_ctx, pw) => {
      passwords.push(pw);
      return etcd;
    });
    const c = { ...ctx(kube, []), config: { ...config, topology: 'dedicated' as const, stateDir: join(dir, 'state') } };
    await runSetupSteps(c, [step]);
    const creates = mem.creates;
    await runSetupSteps(c, [step]);
    expect(mem.creates).toBe(creates);
    expect(passwords[0]).toBe(passwords[1]);
    expect(await kube.get('apps/v1', 'StatefulSet', 'etcd', 'etcd-system')).toBeDefined();
  });
});
