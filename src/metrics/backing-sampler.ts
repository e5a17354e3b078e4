// One backing cluster's health for the backing pane: its workload API server pods (ready
// of all), its nodes' CPU and memory from metrics.k8s.io, and etcd's DB size when the
// tenancy adapter can ask. An unreachable cluster is a status with a message, not an error.
import type { KubeClient } from '../core/kube/client.js';
import { COMPONENT_WORKLOAD_APISERVER, LABEL_COMPONENT } from '../manifests/labels.js';
import type { BackingClusterStatus } from '../state/store.js';
import { nodeUsage } from './sources/pod-metrics.js';

export interface BackingTarget {
  name: string;
  client: KubeClient;
  endpoint: string;
  capacity: number;
  /** etcd's DB size through the tenancy adapter, when it can be asked. */
  etcdDbBytes?: () => Promise<number | undefined>;
}

export async function sampleBacking(b: BackingTarget, tenants: number): Promise<BackingClusterStatus> {
  const base: BackingClusterStatus = {
    name: b.name,
    endpoint: b.endpoint,
    healthy: false,
    tenants,
    capacity: b.capacity,
    apiserverPodsReady: 0,
    apiserverPods: 0,
  };
  try {
    const pods = await b.client.list('v1', 'Pod', {
      labelSelector: `${LABEL_COMPONENT}=${COMPONENT_WORKLOAD_APISERVER}`,
    });
    const ready = pods.filter((p) =>
      ((p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;
    const nodes = await nodeUsage(b.client.config).catch(() => undefined);
    let cpuSum: number | undefined;
    let memSum: number | undefined;
    if (nodes) {
      cpuSum = 0;
      memSum = 0;
      for (const u of nodes.values()) {
        cpuSum += u.cpuMillicores;
        memSum += u.memoryBytes;
      }
    }
    const db = await b.etcdDbBytes?.().catch(() => undefined);
    return {
      ...base,
      healthy: true,
      apiserverPods: pods.length,
      apiserverPodsReady: ready,
      ...(cpuSum !== undefined ? { nodeCpuMillicores: cpuSum, nodeMemoryBytes: memSum } : {}),
      ...(db !== undefined ? { etcdDbBytes: db } : {}),
    };
  } catch (err) {
    return { ...base, message: `unreachable: ${(err as Error).message.split('\n')[0]}` };
  }
}
