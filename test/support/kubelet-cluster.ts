// The test cluster (test-cluster.ts: SCALE_TUI_TEST_KUBECONFIG or an embedded server) with a
// simulated kubelet registered as one Node, and a record of what the suite creates there, for
// the suites that run setup commands against it (backing, tune, setup --attach): the kubelet
// rolls their Deployments and StatefulSets out as the real controllers would. The three
// suites wrote this start and its reverse each.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/core/kube/client.js';
import { Kubelet } from '../../src/sim/kubelet/kubelet.js';
import { CreatedObjects } from './created.js';
import { type TestCluster, testCluster } from './test-cluster.js';

export interface KubeletCluster {
  cluster: TestCluster;
  kubelet: Kubelet;
  /** What the suite made on the cluster (the kubelet's Node included, if it registered it). */
  created: CreatedObjects;
  /**
   * Stops the kubelet, deletes what `created` holds (an external cluster is shared by all
   * suites) and lets the cluster go; the cluster is let go even when a step before throws.
   */
  stop(): Promise<void>;
}

export async function testClusterWithKubelet(nodeName: string): Promise<KubeletCluster> {
  const cluster = await testCluster();
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml);
  const kubelet = new Kubelet({ kubeconfig: kc, nodeName });
  const created = new CreatedObjects(KubeClient.from({ kubeconfigPath: cluster.kubeconfigPath }));
  const stop = async () => {
    try {
      await kubelet.stop();
      await created.deleteAll();
    } finally {
      await cluster.cleanup();
    }
  };
  try {
    await created.startKubelet(kubelet, nodeName);
  } catch (err) {
    await stop();
    throw err;
  }
  return { cluster, kubelet, created, stop };
}
