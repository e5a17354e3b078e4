// metrics.k8s.io PodMetrics and NodeMetrics, summed per pod / node.
import type { KubeConfig } from '@kubernetes/client-node';
import { cpuMillicores, quantityBytes } from '../quantity.js';
import { getJson } from './raw.js';

export interface Usage {
  cpuMillicores: number;
  memoryBytes: number;
}

interface UsageItem {
  metadata: { name: string; namespace?: string };
  containers?: Array<{ usage?: { cpu?: string; memory?: string } }>;
  usage?: { cpu?: string; memory?: string };
}

function sum(usages: Array<{ cpu?: string; memory?: string } | undefined>): Usage {
  let cpu = 0;
  let mem = 0;
  for (const u of usages) {
    cpu += cpuMillicores(u?.cpu ?? '0') ?? 0;
    mem += quantityBytes(u?.memory ?? '0') ?? 0;
  }
  return { cpuMillicores: cpu, memoryBytes: mem };
}

export async function podUsage(kc: KubeConfig, namespace: string): Promise<Map<string, Usage>> {
  const list = await getJson<{ items?: UsageItem[] }>(
    kc,
    `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`,
  );
  return new Map((list.items ?? []).map((i) => [i.metadata.name, sum((i.containers ?? []).map((c) => c.usage))]));
}

export async function nodeUsage(kc: KubeConfig): Promise<Map<string, Usage>> {
  const list = await getJson<{ items?: UsageItem[] }>(kc, '/apis/metrics.k8s.io/v1beta1/nodes');
  return new Map((list.items ?? []).map((i) => [i.metadata.name, sum([i.usage])]));
}
