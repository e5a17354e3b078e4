// When a farm cluster's etcd members appear: kubeadm init and kubeadm join add the node's
// etcd member and then write the etcd static pod, whose mirror pod `kube-system/etcd-<node>`
// the kubelet creates. So each etcd pod in the cluster's store (the pods port-forward.ts
// sends to etcd) stands for a member that joined, named after its node (the name's suffix:
// kubeadm names the pod etcd-<node>, and port-forward.ts reads it so), with the pod's host
// address in its URLs.
//
// Why read lazily from the store instead of hooking every write: the mirror pods reach the
// store three ways (the farm's updateNode, the engine's pipeline over the API, a test's
// writes), and the members are only ever seen through etcd. Bringing the membership up to
// date before each etcd connection (and before it is saved) answers exactly as if each join
// had been recorded when its pod was written. A removed member is never added back, though
// its pod may stay until its Node goes (membership.ts).
import type { FarmClusterServer } from './cluster-server.js';

interface PodShape {
  metadata?: { creationTimestamp?: string };
  status?: { hostIP?: string; podIP?: string };
}

/** Adds a member for every etcd mirror pod whose node has none yet; returns the membership. */
export function syncEtcdMembers(cluster: FarmClusterServer): FarmClusterServer['etcd'] {
  const podT = cluster.registry.lookup('', 'v1', 'pods');
  if (!podT) return cluster.etcd;
  // Join order is creation order, as kubeadm joined them (the store's version breaks a tie).
  const pods: Array<{ created: number; rv: number; node: string; ip: string }> = [];
  for (const [key, item] of cluster.store.slot(podT).bucket.items) {
    // The same pods port-forward.ts routes to etcd: `kube-system/etcd-<node>`.
    if (!key.startsWith('kube-system/etcd-')) continue;
    const pod = JSON.parse(item.json) as PodShape;
    const node = item.name.slice('etcd-'.length);
    const ip = pod.status?.hostIP ?? pod.status?.podIP ?? '127.0.0.1';
    pods.push({ created: Date.parse(pod.metadata?.creationTimestamp ?? '') || 0, rv: item.rv, node, ip });
  }
  pods.sort((a, b) => a.created - b.created || a.rv - b.rv);
  for (const p of pods)
    if (!cluster.etcd.byName(p.node) && !cluster.etcd.wasRemoved(p.node)) cluster.etcd.join(p.node, p.ip);
  return cluster.etcd;
}
