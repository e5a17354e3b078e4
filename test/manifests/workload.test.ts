import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/manifests/types.js';
import {
  fakeNode,
  kubeadmApiVersion,
  kubeadmConfigMap,
  mirrorPods,
  systemNodeCriticalPriorityClass,
} from '../../src/manifests/workload.js';
import { validate } from '../../src/sim/apiserver/schema/validate.js';
import { CORE_SHAPES } from '../support/core-shapes.js';
import { TOPOLOGY_PARAMS } from './fixtures.js';
import { expectValid, RUN, violations } from './helpers.js';

const now = '2026-01-02T03:04:05Z';
const own = { runId: RUN, cluster: 'test-12' };

describe('workload objects', () => {
  it('fake Node: name, uuid label, control-plane role, Ready, version, no providerID', () => {
    const node = fakeNode({
      name: 'test-12-abcde',
      bmhUid: '5f0c6d3e-1111-2222-3333-444455556666',
      kubernetesVersion: 'v1.34.1',
      now,
      ownership: own,
    });
    expectValid([node]);
    expect(node.metadata.labels).toMatchObject({
      'metal3.io/uuid': '5f0c6d3e-1111-2222-3333-444455556666',
      'node-role.kubernetes.io/control-plane': '',
      'kubernetes.io/hostname': 'test-12-abcde',
    });
    const status = node.status as Record<string, any>;
    expect(status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(status.nodeInfo.kubeletVersion).toBe('v1.34.1');
    expect((node.spec as Record<string, unknown>).providerID).toBeUndefined();
    const worker = fakeNode({
      name: 'w',
      bmhUid: 'u',
      kubernetesVersion: 'v1.34.1',
      now,
      controlPlane: false,
      ownership: own,
    });
    expect(worker.metadata.labels?.['node-role.kubernetes.io/control-plane']).toBeUndefined();
  });

  it('kubeadm-config ConfigMap holds a ClusterConfiguration for the cluster', () => {
    const p = TOPOLOGY_PARAMS.dedicated!;
    const cm = kubeadmConfigMap({
      clusterName: p.name,
      endpoint: p.endpoint,
      kubernetesVersion: p.kubernetesVersion,
      certSANs: p.certSANs,
      etcd: p.etcd,
      podCidr: p.podCidr,
      serviceCidr: p.serviceCidr,
      ownership: own,
    });
    expectValid([cm]);
    expect(cm.metadata).toMatchObject({ name: 'kubeadm-config', namespace: 'kube-system' });
    const cfg = parse((cm.data as Record<string, string>).ClusterConfiguration!);
    expect(cfg).toMatchObject({
      apiVersion: 'kubeadm.k8s.io/v1beta4',
      kind: 'ClusterConfiguration',
      clusterName: 'test-12',
      controlPlaneEndpoint: 'test-kube-apiserver.test-12.svc.cluster.local:6443',
      kubernetesVersion: 'v1.34.1',
      etcd: { external: { endpoints: ['https://etcd-server.etcd-system.svc.cluster.local:2379'] } },
      networking: { podSubnet: '192.168.0.0/18', serviceSubnet: '10.96.0.0/12' },
    });
    expect(kubeadmApiVersion('v1.25.3')).toBe('kubeadm.k8s.io/v1beta3');
  });

  it('three mirror pods with Running/Ready status bodies', () => {
    const pods = mirrorPods({ nodeName: 'test-12-abcde', kubernetesVersion: 'v1.34.1', now, ownership: own });
    expect(pods.map((p) => p.pod.metadata.name)).toEqual([
      'kube-apiserver-test-12-abcde',
      'kube-controller-manager-test-12-abcde',
      'kube-scheduler-test-12-abcde',
    ]);
    expectValid(pods.map((p) => p.pod));
    for (const { pod, status } of pods) {
      expect(pod.metadata.namespace).toBe('kube-system');
      expect(pod.metadata.annotations?.['kubernetes.io/config.mirror']).toBeTruthy();
      expect((pod.spec as Record<string, unknown>).nodeName).toBe('test-12-abcde');
      expect(pod.metadata.labels).toMatchObject({
        tier: 'control-plane',
        component: pod.metadata.name.replace('-test-12-abcde', ''),
      });
      expect(validate(CORE_SHAPES['v1/PodStatusPatch']!, status, { unknownFields: 'reject' })).toEqual([]);
      expect(status.status.phase).toBe('Running');
      expect(
        (status.status.conditions as Array<{ type: string; status: string }>)
          .filter((c) => c.status === 'True')
          .map((c) => c.type),
      ).toContain('Ready');
    }
  });

  it('stacked-etcd mode adds a Running etcd mirror pod', () => {
    const pods = mirrorPods({ nodeName: 'n1', kubernetesVersion: 'v1.34.1', now, ownership: own, localEtcd: true });
    expect(pods.map((p) => p.pod.metadata.name)).toEqual([
      'kube-apiserver-n1',
      'kube-controller-manager-n1',
      'kube-scheduler-n1',
      'etcd-n1',
    ]);
    expectValid(pods.map((p) => p.pod));
    const etcd = pods[3]!;
    expect((etcd.pod.spec as Record<string, any>).containers[0].image).toMatch(/^registry\.k8s\.io\/etcd:3\.6\./);
    expect(validate(CORE_SHAPES['v1/PodStatusPatch']!, etcd.status, { unknownFields: 'reject' })).toEqual([]);
  });

  it('system-node-critical PriorityClass', () => {
    const pc = systemNodeCriticalPriorityClass(own);
    expectValid([pc]);
    expect(pc).toMatchObject({ metadata: { name: 'system-node-critical' }, value: 2000001000 });
  });

  it('negative: core shapes catch a wrong field, enum and missing required field', () => {
    const pod = structuredClone(
      mirrorPods({ nodeName: 'n', kubernetesVersion: 'v1.34.1', now, ownership: own })[0]!.pod,
    ) as KubeObject & { spec: Record<string, any> };
    pod.spec.containers[0].imagePullPolicy = 'Sometimes';
    pod.spec.nodename = 'typo';
    delete pod.spec.containers[0].name;
    expect(
      violations(pod)
        .map((v) => [v.field, v.reason])
        .sort(),
    ).toEqual([
      ['spec.containers[0].imagePullPolicy', 'FieldValueNotSupported'],
      ['spec.containers[0].name', 'FieldValueRequired'],
      ['spec.nodename', 'FieldValueUnknown'],
    ]);
    const node = fakeNode({ name: 'Bad_Name', bmhUid: 'u', kubernetesVersion: 'v1.34.1', now, ownership: own });
    expect(violations(node).map((v) => v.field)).toContain('metadata.name');
  });
});
