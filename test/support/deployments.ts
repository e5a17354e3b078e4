// A Deployment as a finished rollout leaves it (observedGeneration caught up, every replica
// updated and available, Available=True), holding one container with the given args: what the
// setup steps read to decide a provider is installed and with which flags. Two setup suites
// wrote it out each.
import type { KubeObject } from '../../src/manifests/types.js';

export function rolledOutDeployment(namespace: string, name: string, container: string, args: string[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, generation: 1 } as KubeObject['metadata'],
    spec: { replicas: 1, template: { spec: { containers: [{ name: container, args }] } } },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True' }],
    },
  };
}

/**
 * A controller manager's Deployment as clusterctl installs the providers: pods labelled
 * control-plane=controller-manager, one container named `manager` (the one tune and the
 * metrics sampler read and patch).
 */
export function managerDeployment(
  namespace: string,
  name: string,
  manager: { image: string; args?: string[]; command?: string[] },
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'control-plane': 'controller-manager' } },
      template: {
        metadata: { labels: { 'control-plane': 'controller-manager' } },
        spec: { containers: [{ name: 'manager', ...manager }] },
      },
    },
  };
}
