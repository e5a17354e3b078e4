import { describe, expect, it } from 'vitest';
import { SEED_PATCH, seedPatchArgs } from '../../../src/engine/tune/seed-patch.js';
import { SEED_PATCH_ARGS, managementObjects } from '../../../src/demo/manifests.js';
import { CONTROLLERS, readFlags } from '../../../src/core/tune/flags.js';
import type { KubeObject } from '../../../src/manifests/types.js';

// SEED-SCRIPTS.md §10, written out: the seed's rate-limit-concurrency.patch.
const SECTION_10 = {
  capi: [
    '--cluster-concurrency=100',
    '--machine-concurrency=100',
    '--machineset-concurrency=100',
    '--machinedeployment-concurrency=100',
    '--kube-api-qps=200',
    '--kube-api-burst=300',
  ],
  'kubeadm-bootstrap': ['--kubeadmconfig-concurrency=100', '--kube-api-qps=200', '--kube-api-burst=300'],
  kcp: ['--kubeadmcontrolplane-concurrency=100', '--kube-api-qps=200', '--kube-api-burst=300'],
};

function managerArgs(objects: KubeObject[], id: keyof typeof CONTROLLERS): string[] {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === CONTROLLERS[id].deployment) as
    | { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }
    | undefined;
  return d!.spec.template.spec.containers[0]!.args;
}

describe("the seed's §10 patch", () => {
  it('is every flag of §10, including --machineset-concurrency and --machinedeployment-concurrency', () => {
    expect(seedPatchArgs()).toEqual(SECTION_10);
    expect(SEED_PATCH_ARGS).toEqual(SECTION_10);
    // CAPM3, IPAM and BMO were untouched by the seed.
    expect(SEED_PATCH.map((s) => s.controller)).toEqual(['capi', 'kubeadm-bootstrap', 'kcp']);
  });

  it("the demo's --seed-patch Deployments run with all of it", () => {
    const objects = managementObjects(SEED_PATCH_ARGS);
    expect(readFlags(managerArgs(objects, 'capi'), 'capi')).toEqual({
      concurrency: {
        'cluster-concurrency': 100,
        'machine-concurrency': 100,
        'machineset-concurrency': 100,
        'machinedeployment-concurrency': 100,
      },
      qps: 200,
      burst: 300,
    });
    expect(managerArgs(objects, 'kcp')).toEqual(['--leader-elect', '--diagnostics-address=:8443', ...SECTION_10.kcp]);
    expect(managerArgs(objects, 'capm3')).toEqual(['--leader-elect', '--diagnostics-address=:8443']);
  });
});
