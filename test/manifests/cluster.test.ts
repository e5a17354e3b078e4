import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterObjects, extraFiles, MAX_FILE_CONTENT } from '../../src/manifests/cluster.js';
import { image, TOPOLOGY_PARAMS } from './fixtures.js';
import { LABEL_CAPI_CLUSTER_NAME, LABEL_CLUSTER } from '../../src/manifests/labels.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { validate } from '../../src/sim/apiserver/schema/validate.js';
import { crdFor } from '../support/crds.js';
import { expectValid, violations } from './helpers.js';

const byKind = (objs: KubeObject[], kind: string, name?: string): KubeObject => {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
  return o;
};
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

describe('clusterObjects', () => {
  for (const [topology, params] of Object.entries(TOPOLOGY_PARAMS)) {
    it(`validates every object against the real CRDs (${topology})`, () => {
      const objs = clusterObjects(params);
      expect(objs.map((o) => o.kind).sort()).toEqual(
        [
          'Cluster',
          'KubeadmConfigTemplate',
          'KubeadmControlPlane',
          'MachineDeployment',
          'Metal3Cluster',
          'Metal3DataTemplate',
          'Metal3DataTemplate',
          'Metal3MachineTemplate',
          'Metal3MachineTemplate',
        ].sort(),
      );
      expectValid(objs);
      for (const o of objs) {
        expect(o.metadata.namespace).toBe(params.namespace);
        expect(o.metadata.labels?.[LABEL_CLUSTER]).toBe(params.name);
        expect(o.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME]).toBe(params.name);
      }
    });
  }

  it('targets served storage versions (CAPI v1beta2, CAPM3 v1beta2)', () => {
    for (const o of clusterObjects(TOPOLOGY_PARAMS.dedicated!)) {
      const crd = crdFor(o.apiVersion, o.kind);
      expect([o.kind, crd.served, crd.storage]).toEqual([o.kind, true, true]);
    }
  });

  it('wires refs, endpoint, etcd and node registration like the seed template', () => {
    const p = TOPOLOGY_PARAMS.backing!;
    const objs = clusterObjects(p);
    const cluster = byKind(objs, 'Cluster');
    expect(at(cluster, 'spec.controlPlaneRef')).toEqual({
      apiGroup: 'controlplane.cluster.x-k8s.io',
      kind: 'KubeadmControlPlane',
      name: 'test-101',
    });
    expect(at(cluster, 'spec.infrastructureRef')).toEqual({
      apiGroup: 'infrastructure.cluster.x-k8s.io',
      kind: 'Metal3Cluster',
      name: 'test-101',
    });
    expect(at(byKind(objs, 'Metal3Cluster'), 'spec')).toEqual({
      controlPlaneEndpoint: { host: '10.201.10.56', port: 10101 },
      cloudProviderEnabled: false,
    });
    const kcp = byKind(objs, 'KubeadmControlPlane');
    expect(at(kcp, 'spec.replicas')).toBe(1);
    expect(at(kcp, 'spec.kubeadmConfigSpec.clusterConfiguration')).toEqual({
      controlPlaneEndpoint: '10.201.10.56:10101',
      apiServer: { certSANs: p.certSANs },
      etcd: {
        external: {
          endpoints: ['https://etcd-server:2379'],
          caFile: '/etc/kubernetes/pki/etcd/ca.crt',
          certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
          keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
        },
      },
    });
    const reg = {
      name: '{{ ds.meta_data.name }}',
      kubeletExtraArgs: [{ name: 'node-labels', value: 'metal3.io/uuid={{ ds.meta_data.uuid }}' }],
    };
    expect(at(kcp, 'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration')).toEqual(reg);
    expect(at(kcp, 'spec.kubeadmConfigSpec.joinConfiguration.nodeRegistration')).toEqual(reg);
    expect(at(byKind(objs, 'KubeadmConfigTemplate'), 'spec.template.spec.joinConfiguration.nodeRegistration')).toEqual(
      reg,
    );
    // The CRD's CEL rule (skipped by our validator): kubeletExtraArgs names are unique.
    const names = reg.kubeletExtraArgs.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(at(kcp, 'spec.machineTemplate.spec.infrastructureRef.name')).toBe('test-101-controlplane');
    expect(
      at(byKind(objs, 'Metal3MachineTemplate', 'test-101-controlplane'), 'spec.template.spec.dataTemplate.name'),
    ).toBe('test-101-controlplane-template');
    expect(at(byKind(objs, 'Metal3MachineTemplate', 'test-101-workers'), 'spec.template.spec.image')).toEqual({
      url: image.url,
      checksum: image.checksum,
      checksumType: 'md5',
      diskFormat: 'raw',
    });
    const md = byKind(objs, 'MachineDeployment');
    expect(at(md, 'spec.replicas')).toBe(0);
    expect(at(md, 'spec.template.spec.bootstrap.configRef.name')).toBe('test-101-workers');
    expect(at(md, 'spec.selector.matchLabels')).toEqual(at(md, 'spec.template.metadata.labels'));
    expect(at(byKind(objs, 'Metal3DataTemplate', 'test-101-workers-template'), 'spec.clusterName')).toBe('test-101');
  });

  it('local etcd mode writes etcd.local with the SANs', () => {
    const kcp = byKind(clusterObjects(TOPOLOGY_PARAMS.sharedFirstLocal!), 'KubeadmControlPlane');
    expect(at(kcp, 'spec.kubeadmConfigSpec.clusterConfiguration.etcd')).toEqual({
      local: {
        serverCertSANs: ['etcd-server.metal3.svc.cluster.local'],
        peerCertSANs: ['etcd-0.etcd.metal3.svc.cluster.local'],
      },
    });
  });

  it('extraFileBytes adds that many bytes of files, each under the CRD per-file cap', () => {
    const kcp = byKind(clusterObjects(TOPOLOGY_PARAMS.sharded!), 'KubeadmControlPlane');
    const files = at(kcp, 'spec.kubeadmConfigSpec.files') as Array<{ content: string; path: string }>;
    expect(files.reduce((n, f) => n + f.content.length, 0)).toBe(30 * 1024);
    expect(Math.max(...files.map((f) => f.content.length))).toBeLessThanOrEqual(MAX_FILE_CONTENT);
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    expect(
      at(byKind(clusterObjects(TOPOLOGY_PARAMS.dedicated!), 'KubeadmControlPlane'), 'spec.kubeadmConfigSpec.files'),
    ).toBeUndefined();
    expect(extraFiles(MAX_FILE_CONTENT * 2)).toHaveLength(2);
    expect(() => extraFiles(-1)).toThrow(RangeError);
    expect(() => extraFiles(201 * MAX_FILE_CONTENT)).toThrow(/200 files/);
  });

  it('round-trips through YAML unchanged (plain data)', () => {
    const objs = clusterObjects(TOPOLOGY_PARAMS.dedicated!);
    expect(JSON.parse(JSON.stringify(objs))).toEqual(objs);
    expect(parse(JSON.stringify(objs[0]))).toEqual(objs[0]);
  });
});

describe('negative: the CRD schemas catch mistakes in these objects', () => {
  const kcp = () =>
    structuredClone(byKind(clusterObjects(TOPOLOGY_PARAMS.dedicated!), 'KubeadmControlPlane')) as KubeObject & {
      spec: Record<string, any>;
    };

  it('a wrong field fails', () => {
    const o = kcp();
    // The seed-era (v1beta1) map form of kubeletExtraArgs is rejected by the v1beta2 schema.
    o.spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs = { 'node-labels': 'x' };
    expect(violations(o).map((v) => [v.field, v.reason])).toEqual([
      ['spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs', 'FieldValueTypeInvalid'],
    ]);
    const m = byKind(clusterObjects(TOPOLOGY_PARAMS.dedicated!), 'Metal3Cluster') as KubeObject & {
      spec: Record<string, unknown>;
    };
    m.spec.noCloudProvider = true; // v1beta1 field, gone in v1beta2
    expect(violations(m)).toEqual([
      { field: 'spec.noCloudProvider', reason: 'FieldValueUnknown', message: 'unknown field "spec.noCloudProvider"' },
    ]);
  });

  it('a wrong enum value fails', () => {
    const o = kcp();
    o.spec.rollout.strategy.type = 'Recreate';
    expect(violations(o)).toMatchObject([{ field: 'spec.rollout.strategy.type', reason: 'FieldValueNotSupported' }]);
  });

  it('a missing required field fails', () => {
    const o = kcp();
    delete o.spec.version;
    expect(violations(o)).toEqual([{ field: 'spec.version', reason: 'FieldValueRequired', message: 'Required value' }]);
    const c = byKind(clusterObjects(TOPOLOGY_PARAMS.dedicated!), 'Cluster') as KubeObject & {
      spec: Record<string, any>;
    };
    delete c.spec.controlPlaneRef.apiGroup;
    expect(violations(c).map((v) => v.field)).toEqual(['spec.controlPlaneRef.apiGroup']);
  });

  it('a single file over 10 KiB fails (why extraFileBytes splits)', () => {
    const o = kcp();
    o.spec.kubeadmConfigSpec.files = [{ path: '/big', content: 'x'.repeat(MAX_FILE_CONTENT + 1) }];
    expect(validate(crdFor(o.apiVersion, o.kind).schema, o)).toMatchObject([
      { field: 'spec.kubeadmConfigSpec.files[0].content', reason: 'FieldValueTooLong' },
    ]);
  });
});
