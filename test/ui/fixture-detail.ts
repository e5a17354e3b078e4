// A cluster's description as the describe adapter returns it: the object tree with
// conditions, Secrets, Events and the endpoint probe, for golden screens and the bench.
import type { ClusterDescription, ConditionRow, ObjectNode } from '../../src/engine/describe/types.js';
import { NOW } from './fixtures.js';

const ago = (s: number): number => NOW - s * 1000;
const ok = (type: string, s: number): ConditionRow => ({ type, status: 'True', reason: type, since: ago(s) });
const node = (
  kind: string,
  name: string,
  phase: string | undefined,
  conditions: ConditionRow[],
  children: ObjectNode[] = [],
): ObjectNode => ({
  kind,
  name,
  phase,
  createdAt: ago(700),
  conditions,
  children,
});

export function describedCluster(cluster: string): ClusterDescription {
  const host = node('BareMetalHost', 'worker-8', 'provisioning', [
    { type: 'operationalStatus', status: 'OK' },
    { type: 'poweredOn', status: 'False' },
  ]);
  const m3m = node(
    'Metal3Machine',
    `${cluster}-cp-x7k2p`,
    undefined,
    [
      { type: 'Paused', status: 'False', reason: 'NotPaused', since: ago(690) },
      ok('AssociateBareMetalHost', 650),
      {
        type: 'Ready',
        status: 'False',
        reason: 'WaitingForHost',
        message: 'BareMetalHost worker-8 is provisioning',
        since: ago(640),
      },
    ],
    [host, node('Metal3Data', `${cluster}-controlplane-template-0`, 'ready', [])],
  );
  const machine = node(
    'Machine',
    `${cluster}-cp-x7k2p`,
    'Provisioning',
    [
      ok('BootstrapConfigReady', 660),
      {
        type: 'InfrastructureReady',
        status: 'False',
        reason: 'NotReady',
        message: 'Metal3Machine is not ready',
        since: ago(640),
      },
      { type: 'NodeHealthy', status: 'Unknown', reason: 'NodeDoesNotExist', since: ago(640) },
    ],
    [node('KubeadmConfig', `${cluster}-cp-x7k2p`, undefined, [ok('DataSecretAvailable', 660)]), m3m],
  );
  const kcp = node(
    'KubeadmControlPlane',
    cluster,
    undefined,
    [
      ok('CertificatesAvailable', 680),
      { type: 'Initialized', status: 'False', reason: 'NotInitialized', since: ago(680) },
    ],
    [machine],
  );
  return {
    cluster,
    namespace: cluster,
    fetchedAt: NOW,
    tree: node(
      'Cluster',
      cluster,
      'Provisioned',
      [
        ok('InfrastructureReady', 690),
        {
          type: 'ControlPlaneInitialized',
          status: 'False',
          reason: 'NotInitialized',
          message: 'waiting for the first control plane Machine',
          since: ago(690),
        },
      ],
      [kcp],
    ),
    secrets: [`${cluster}-ca`, `${cluster}-etcd`, `${cluster}-kubeconfig`, `${cluster}-sa`],
    events: [
      {
        t: ago(30),
        type: 'Warning',
        reason: 'ProvisioningTimeout',
        object: 'BareMetalHost/worker-8',
        message: 'host has been provisioning for 600 s',
        count: 3,
      },
      {
        t: ago(640),
        type: 'Normal',
        reason: 'Associated',
        object: `Metal3Machine/${cluster}-cp-x7k2p`,
        message: 'associated with worker-8',
        count: 1,
      },
    ],
    endpoint: '127.0.0.1:30008',
    endpointAnswers: false,
    endpointNote: 'no TCP answer within 1500 ms',
    errors: [],
  };
}
