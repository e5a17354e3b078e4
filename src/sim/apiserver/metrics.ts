// metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics, fed by the emulated controllers through
// the handle's metrics provider. Quantities are rendered as metrics-server does (cpu in n/m,
// memory in Ki).
export interface ContainerUsage {
  name: string;
  cpuMillicores: number;
  memoryBytes: number;
}

interface PodEntry {
  containers: ContainerUsage[];
  at: string;
}

const cpu = (m: number): string => `${Math.round(m * 1_000_000)}n`;
const mem = (b: number): string => `${Math.round(b / 1024)}Ki`;
const stamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class MetricsStore {
  private readonly pods = new Map<string, PodEntry>();
  private readonly nodes = new Map<string, { cpu: number; mem: number; at: string }>();

  setPodMetrics(namespace: string, pod: string, containers: ContainerUsage[]): void {
    this.pods.set(`${namespace}/${pod}`, { containers: containers.map((c) => ({ ...c })), at: stamp() });
  }

  setNodeMetrics(node: string, cpuMillicores: number, memoryBytes: number): void {
    this.nodes.set(node, { cpu: cpuMillicores, mem: memoryBytes, at: stamp() });
  }

  podMetrics(
    namespace: string | undefined,
    name: string | undefined,
    labelsOf: (ns: string, pod: string) => Record<string, string> | undefined,
  ): object[] {
    const out: object[] = [];
    for (const [key, e] of this.pods) {
      const slash = key.indexOf('/');
      const ns = key.slice(0, slash);
      const pod = key.slice(slash + 1);
      if (namespace !== undefined && ns !== namespace) continue;
      if (name !== undefined && pod !== name) continue;
      const labels = labelsOf(ns, pod);
      out.push({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: { name: pod, namespace: ns, creationTimestamp: stamp(), ...(labels ? { labels } : {}) },
        timestamp: e.at,
        window: '10s',
        containers: e.containers.map((c) => ({
          name: c.name,
          usage: { cpu: cpu(c.cpuMillicores), memory: mem(c.memoryBytes) },
        })),
      });
    }
    return out;
  }

  nodeMetrics(name: string | undefined, labelsOf: (node: string) => Record<string, string> | undefined): object[] {
    const out: object[] = [];
    for (const [node, e] of this.nodes) {
      if (name !== undefined && node !== name) continue;
      const labels = labelsOf(node);
      out.push({
        kind: 'NodeMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: { name: node, creationTimestamp: stamp(), ...(labels ? { labels } : {}) },
        timestamp: e.at,
        window: '10s',
        usage: { cpu: cpu(e.cpu), memory: mem(e.mem) },
      });
    }
    return out;
  }
}
