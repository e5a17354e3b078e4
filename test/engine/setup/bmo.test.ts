// BMO's test mode follows the configured version: v0.14 dropped --test-mode for
// -provisioner=fixture (baremetal-operator main.go at v0.13.2 vs v0.14.0-rc.0).
import { describe, expect, it } from 'vitest';
import { bmoStep, type SetupContext } from '../../../src/engine/setup/steps.js';
import { verifyAttach } from '../../../src/engine/setup/attach.js';
import type { SetupKube } from '../../../src/engine/setup/conditions.js';
import { bmoTestModeArgs, bmoTestModeIn, bmoTestModeKustomization } from '../../../src/engine/setup/bmo.js';
import { defaultConfig } from '../../../src/engine/config/load.js';
import { CONTROLLERS } from '../../../src/core/tune/flags.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { managementObjects } from '../../../src/demo/manifests.js';
import { rolledOutDeployment } from '../../support/deployments.js';

/** A cluster holding only BMO's Deployment, rolled out and Available, with these manager args. */
function bmoCluster(args: string[]): SetupKube {
  const c = CONTROLLERS.bmo;
  const deployment = rolledOutDeployment(c.namespace, c.deployment, c.container, args);
  return {
    get: async <T extends KubeObject = KubeObject>(_v: string, kind: string, name: string, ns?: string) =>
      (kind === 'Deployment' && name === c.deployment && ns === c.namespace ? deployment : undefined) as T | undefined,
    list: async () => [],
    mergePatch: async (o) => o,
    createOrSkip: async () => true,
  };
}

function ctx(kube: SetupKube, bmo: string): SetupContext {
  const config = defaultConfig();
  config.providers.bmo = bmo;
  return {
    config,
    kubeconfigPath: '/nonexistent/kubeconfig',
    kube: () => kube,
    log: () => {},
    timeouts: { shortMs: 1000, longMs: 1000 },
    pollMs: 1,
    sleep: async () => {},
  };
}

describe('BMO test mode per version', () => {
  it('is --test-mode up to v0.13 and -provisioner=fixture from v0.14', () => {
    expect(defaultConfig().providers.bmo).toBe('v0.13.2');
    expect(bmoTestModeArgs('v0.13.2')).toEqual(['--enable-leader-election', '--test-mode']);
    expect(bmoTestModeArgs('v0.14.0')).toEqual(['--enable-leader-election', '--provisioner=fixture']);
    expect(bmoTestModeArgs('v1.0.0')).toEqual(['--enable-leader-election', '--provisioner=fixture']);
    const k = bmoTestModeKustomization('v0.14.0');
    expect(k['kustomization.yaml']).toContain('config/default?ref=v0.14.0');
    expect(k['test-mode.yaml']).toContain('- "--provisioner=fixture"');
    expect(k['test-mode.yaml']).not.toContain('test-mode"');
  });

  it('recognises either form as Go parses it, the last occurrence winning', () => {
    expect(bmoTestModeIn(['--enable-leader-election', '--test-mode'])).toBe('--test-mode');
    expect(bmoTestModeIn(['-test-mode=true'])).toBe('--test-mode');
    expect(bmoTestModeIn(['--test-mode', '--test-mode=false'])).toBeUndefined();
    expect(bmoTestModeIn(['-provisioner=fixture'])).toBe('--provisioner=fixture');
    expect(bmoTestModeIn(['--provisioner', 'fixture'])).toBe('--provisioner=fixture');
    expect(bmoTestModeIn(['--provisioner=fixture', '--provisioner=ironic'])).toBeUndefined();
    expect(bmoTestModeIn(['--enable-leader-election'])).toBeUndefined();
  });

  it('setup counts BMO as done only in the form its configured version accepts', async () => {
    expect(await bmoStep.isDone(ctx(bmoCluster(['--enable-leader-election', '--test-mode']), 'v0.13.2'))).toBe(true);
    // v0.14 exits on --test-mode (Go's flag package refuses unknown flags): not done, setup redeploys.
    expect(await bmoStep.isDone(ctx(bmoCluster(['--enable-leader-election', '--test-mode']), 'v0.14.0'))).toBe(false);
    expect(await bmoStep.isDone(ctx(bmoCluster(['--enable-leader-election', '-provisioner=fixture']), 'v0.14.0'))).toBe(
      true,
    );
    expect(await bmoStep.isDone(ctx(bmoCluster(['--enable-leader-election']), 'v0.14.0'))).toBe(false);
  });

  it('setup --attach accepts either form and names the one it found', async () => {
    const row = async (args: string[]) =>
      (await verifyAttach(bmoCluster(args))).find((r) => r.name === 'bmo test mode');
    expect(await row(['--provisioner=fixture'])).toMatchObject({ status: 'ok', detail: '--provisioner=fixture set' });
    expect(await row(['--test-mode'])).toMatchObject({ status: 'ok', detail: '--test-mode set' });
    expect(await row(['--enable-leader-election'])).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/without --test-mode \(v0\.13\) or -provisioner=fixture \(v0\.14\+\)/),
    });
  });

  it("the demo's BMO Deployment carries the test-mode argument of its image's version", () => {
    const c = CONTROLLERS.bmo;
    const d = managementObjects().find(
      (o) => o.kind === 'Deployment' && o.metadata.name === c.deployment,
    ) as unknown as {
      spec: { template: { spec: { containers: Array<{ image: string; args: string[] }> } } };
    };
    const [manager] = d.spec.template.spec.containers;
    const version = /:(v[\d.]+)$/.exec(manager!.image)![1]!;
    expect(bmoTestModeIn(manager!.args)).toBe(bmoTestModeArgs(version).at(-1));
  });
});
