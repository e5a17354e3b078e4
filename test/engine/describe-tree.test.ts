// The detail page's object tree is built from the objects' own references, as
// `clusterctl describe cluster` draws it.
import { describe, expect, it } from 'vitest';
import { buildTree, type RawObject } from '../../src/engine/describe/tree.js';

const obj = (kind: string, name: string, extra: Partial<RawObject> = {}): RawObject => ({
  kind,
  metadata: { name, namespace: 'test-1', ...extra.metadata },
  spec: extra.spec,
  status: extra.status,
});

describe('describe tree', () => {
  it('Cluster -> KCP -> Machine -> KubeadmConfig / Metal3Machine -> BareMetalHost + Metal3Data', () => {
    const objects: RawObject[] = [
      obj('Cluster', 'test-1', {
        spec: { controlPlaneRef: { name: 'test-1-cp' } },
        status: {
          phase: 'Provisioned',
          conditions: [
            {
              type: 'Available',
              status: 'False',
              reason: 'NotAvailable',
              message: 'waiting',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      }),
      obj('KubeadmControlPlane', 'test-1-cp', { status: { conditions: [{ type: 'Available', status: 'True' }] } }),
      obj('Machine', 'test-1-cp-abc', {
        metadata: { name: 'test-1-cp-abc', ownerReferences: [{ kind: 'KubeadmControlPlane', name: 'test-1-cp' }] },
        spec: { bootstrap: { configRef: { name: 'cfg-1' } }, infrastructureRef: { name: 'm3m-1' } },
        status: { phase: 'Provisioning' },
      }),
      obj('KubeadmConfig', 'cfg-1'),
      obj('Metal3Machine', 'm3m-1', {
        metadata: { name: 'm3m-1', annotations: { 'metal3.io/BareMetalHost': 'test-1/host-0' } },
      }),
      obj('Metal3Data', 'data-1', {
        metadata: { name: 'data-1', ownerReferences: [{ kind: 'Metal3Machine', name: 'm3m-1' }] },
      }),
      obj('BareMetalHost', 'host-0', { status: { provisioning: { state: 'provisioned' } } }),
      obj('BareMetalHost', 'host-spare'),
    ];
    const tree = buildTree(objects, 'test-1')!;
    const shape = (n: typeof tree): unknown => [
      `${n.kind}/${n.name}${n.phase ? ` ${n.phase}` : ''}`,
      ...n.children.map(shape),
    ];
    expect(shape(tree)).toEqual([
      'Cluster/test-1 Provisioned',
      [
        'KubeadmControlPlane/test-1-cp',
        [
          'Machine/test-1-cp-abc Provisioning',
          ['KubeadmConfig/cfg-1'],
          ['Metal3Machine/m3m-1', ['BareMetalHost/host-0 provisioned'], ['Metal3Data/data-1']],
        ],
      ],
      // A host no reference ties in still shows, under the Cluster.
      ['BareMetalHost/host-spare'],
    ]);
    expect(tree.conditions).toEqual([
      { type: 'Available', status: 'False', reason: 'NotAvailable', message: 'waiting', since: Date.UTC(2026, 0, 1) },
    ]);
  });

  it('no Cluster object: no tree', () => {
    expect(buildTree([obj('Machine', 'm')], 'test-1')).toBeUndefined();
  });
});
