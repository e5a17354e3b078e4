// providers.certManager is honoured: clusterctl takes the cert-manager version only from its
// config file (cert-manager.version), so init passes a config that keeps the user's own
// settings and pins that key.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterctlConfigWithCertManager, clusterctlInitArgs } from '../../../src/engine/tools/clusterctl.js';

describe('clusterctl cert-manager pin', () => {
  it('sets cert-manager.version and keeps what the user configured', () => {
    const user =
      'providers:\n- name: my-infra\n  url: https://example.invalid/x.yaml\n  type: InfrastructureProvider\ncert-manager:\n  url: /tmp/cm.yaml\n  version: v1.0.0\n';
    const out = parse(clusterctlConfigWithCertManager(user, 'v1.19.1')) as Record<string, unknown>;
    expect(out['cert-manager']).toEqual({ url: '/tmp/cm.yaml', version: 'v1.19.1' });
    expect(out.providers).toHaveLength(1);
    expect(parse(clusterctlConfigWithCertManager('', 'v1.19.1'))).toEqual({ 'cert-manager': { version: 'v1.19.1' } });
  });

  it('passes the config to init', () => {
    const v = { capi: 'v1.14.0', capm3: 'v1.13.2', ipam: 'v1.13.2', certManager: 'v1.19.1' };
    expect(clusterctlInitArgs(v, {}, '/tmp/c.yaml')).toContain('--config=/tmp/c.yaml');
  });
});
