// KCP's failure-domain rules (CAPI v1.14.0 pkg/control_plane.go and util/failuredomains):
// which domain a new control-plane Machine goes to, and which Machine a scale down or rollout
// takes away. Pure functions over Machines; the cases follow upstream's rules one by one.
import { describe, expect, it } from 'vitest';
import {
  controlPlaneFailureDomains,
  machineInFailureDomainWithMostMachines,
  nextFailureDomainForScaleUp,
} from '../../../src/sim/controllers/kcp-failure-domains.js';
import { machineToDelete } from '../../../src/sim/controllers/kcp-scale.js';
import type { Obj } from '../../../src/sim/controllers/helpers.js';

/** A Machine created `second` seconds after a fixed time, in failure domain `fd` ('' for none). */
function machine(name: string, fd: string, second: number, annotations?: Record<string, string>): Obj {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Machine',
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(annotations ? { annotations } : {}),
    },
    spec: fd ? { failureDomain: fd } : {},
  } as Obj;
}
const names = (m: Obj | undefined) => m?.metadata.name;

describe('KCP failure domains (CAPI v1.14)', () => {
  it('only the Cluster’s failure domains marked controlPlane count', () => {
    const cluster = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'c', namespace: 'ns' },
      status: {
        failureDomains: [
          { name: 'a', controlPlane: true },
          { name: 'b', controlPlane: false },
          { name: 'c' },
          { name: 'd', controlPlane: true },
        ],
      },
    } as Obj;
    expect(controlPlaneFailureDomains(cluster)).toEqual(['a', 'd']);
    expect(controlPlaneFailureDomains({ ...cluster, status: {} } as Obj)).toEqual([]);
  });

  it('scale up: the domain with the fewest up-to-date Machines, then the fewest Machines', () => {
    expect(nextFailureDomainForScaleUp([], [], [])).toBeUndefined();
    const m1 = machine('m1', 'a', 1);
    const m2 = machine('m2', 'b', 2);
    expect(nextFailureDomainForScaleUp(['a', 'b', 'c'], [m1, m2], [m1, m2])).toBe('c');
    // An outdated Machine in 'a' (all Machines) breaks the tie between a and c.
    const old = machine('old', 'a', 0);
    const m3 = machine('m3', 'c', 3);
    expect(nextFailureDomainForScaleUp(['a', 'b', 'c'], [old, m1, m2, m3], [m1, m2, m3])).toBe('b');
  });

  it('scale down: the oldest in the domain with the most eligible Machines; without domains the oldest', () => {
    const m1 = machine('m1', 'a', 1);
    const m2 = machine('m2', 'b', 2);
    const m3 = machine('m3', 'a', 3);
    expect(names(machineInFailureDomainWithMostMachines(['a', 'b'], [m1, m2, m3], [m1, m2, m3]))).toBe('m1');
    // Eligible (outdated) m2 and m3: one each in a and b, but a holds more Machines overall.
    expect(names(machineInFailureDomainWithMostMachines(['a', 'b'], [m1, m2, m3], [m2, m3]))).toBe('m3');
    const n1 = machine('n1', '', 5);
    const n2 = machine('n2', '', 4);
    expect(names(machineInFailureDomainWithMostMachines([], [n1, n2], [n1, n2]))).toBe('n2');
  });

  it('a Machine outside the known failure domains goes first, even when newer', () => {
    const m1 = machine('m1', 'a', 1);
    const m2 = machine('m2', 'a', 2);
    const stray = machine('stray', 'gone', 9);
    expect(names(machineInFailureDomainWithMostMachines(['a', 'b'], [m1, m2, stray], [m1, m2, stray]))).toBe('stray');
  });

  it('the delete-machine annotation picks the Machine, outdated ones first', () => {
    const m1 = machine('m1', '', 1);
    const m2 = machine('m2', '', 2, { 'cluster.x-k8s.io/delete-machine': '' });
    const m3 = machine('m3', '', 3, { 'cluster.x-k8s.io/delete-machine': '' });
    expect(names(machineToDelete([], [m1, m2, m3], []))).toBe('m2');
    expect(names(machineToDelete([], [m1, m2, m3], [m1, m3]))).toBe('m3');
    expect(
      names(
        machineToDelete(
          [],
          [m1, m2, m3].map((m) => ({ ...m, metadata: { ...m.metadata, annotations: {} } })),
          [m3],
        ),
      ),
    ).toBe('m3');
  });
});
