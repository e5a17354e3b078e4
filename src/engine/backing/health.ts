// One backing cluster's health for the TUI's backing pane and `backing list`: etcd
// reachable, DB size, tenant count, and how many workload API server pods run there.
import type { BackingClusterStatus } from '../../state/store.js';
import type { EtcdAdmin } from '../../core/etcd/admin.js';
import type { KubeObject } from '../../manifests/types.js';
import { COMPONENT_WORKLOAD_APISERVER, LABEL_COMPONENT } from '../../manifests/labels.js';
import { ETCD } from './etcd-objects.js';
import type { BackingKube } from './setup.js';
import type { BackingEntry } from './registry.js';

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

export interface HealthOptions {
  /** Label selector of the workload API server pods (default: the component label manifests/apiserver.ts sets). */
  apiserverSelector?: string;
  /** Why no etcd admin could be opened (shown instead of silently skipping the etcd checks). */
  adminError?: string;
}

export async function backingHealth(
  entry: BackingEntry,
  kube: BackingKube | undefined,
  admin: EtcdAdmin | undefined,
  o: HealthOptions = {},
): Promise<BackingClusterStatus> {
  const status: BackingClusterStatus = {
    name: entry.name,
    endpoint: entry.endpoint,
    healthy: false,
    tenants: 0,
    capacity: entry.capacity,
    apiserverPodsReady: 0,
    apiserverPods: 0,
  };
  const problems: string[] = [];
  if (!kube) {
    status.message = 'kubeconfig unusable';
    return status;
  }
  try {
    const pods = await kube.list<PodLike>('v1', 'Pod', {
      labelSelector: o.apiserverSelector ?? `${LABEL_COMPONENT}=${COMPONENT_WORKLOAD_APISERVER}`,
    });
    const apiservers = pods.filter((p) => p.metadata.namespace !== ETCD.namespace);
    status.apiserverPods = apiservers.length;
    status.apiserverPodsReady = apiservers.filter(
      (p) =>
        p.status?.phase === 'Running' &&
        (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
  } catch (err) {
    problems.push(`API not reachable: ${(err as Error).message.split('\n')[0]}`);
  }
  if (problems.length === 0) {
    try {
      const sts = await kube.get<KubeObject & { status?: { readyReplicas?: number } }>(
        'apps/v1',
        'StatefulSet',
        ETCD.statefulSet,
        ETCD.namespace,
      );
      if (!sts) problems.push('etcd not set up (run backing add again)');
      else if ((sts.status?.readyReplicas ?? 0) < 1) problems.push('etcd pod not ready');
    } catch (err) {
      problems.push(`cannot read etcd StatefulSet: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (!admin && o.adminError && problems.length === 0) problems.push(`etcd admin unavailable: ${o.adminError}`);
  if (admin && problems.length === 0) {
    try {
      const s = await admin.status();
      status.etcdDbBytes = s.dbSizeBytes;
      status.tenants = s.tenants.length;
    } catch (err) {
      problems.push(`etcd not reachable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (status.apiserverPodsReady < status.apiserverPods)
    problems.push(`${status.apiserverPods - status.apiserverPodsReady} API server pod(s) not ready`);
  status.healthy = problems.length === 0;
  if (problems.length) status.message = problems.join('; ');
  return status;
}
