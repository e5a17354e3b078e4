// The workload API servers this node runs: one per namespace whose Deployment is labelled
// scale-tui.metal3.io/component=workload-apiserver, serving with the namespace's `apiserver`
// Secret, trusting `<cluster>-ca` for clients, on the NodePort of its Service (allocated here
// when the API left it empty, as the allocator would), and stopped with its Deployment.
import { createServer } from 'node:net';
import type { KubeObject } from '../../manifests/types.js';
import { LABEL_CLUSTER } from '../../manifests/labels.js';
import type { RestClient } from '../controllers/rest.js';
import { R, objectPath } from '../controllers/resources.js';
import { field, type Obj } from '../controllers/helpers.js';
import {
  APISERVER_SERVICE,
  LABEL_COMPONENT,
  WORKLOAD_APISERVER,
  type KubeletOptions,
  type StartWorkloadServer,
  type WorkloadServerHandle,
} from './kubelet-options.js';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface WorkloadServersDeps {
  client: RestClient;
  /** The node's address, where the NodePort is served. */
  address: string;
  start?: StartWorkloadServer;
  onWorkloadServer?: KubeletOptions['onWorkloadServer'];
  /** The namespace's workload API server Service, from the kubelet's Service informer. */
  service(ns: string): KubeObject | undefined;
}

export class WorkloadServers {
  private readonly servers = new Map<string, Promise<WorkloadServerHandle | undefined>>();

  constructor(private readonly d: WorkloadServersDeps) {}

  get size(): number {
    return this.servers.size;
  }

  /** Stops every workload API server. */
  async stopAll(): Promise<void> {
    const handles = await Promise.all(this.servers.values());
    await Promise.all(handles.map((h) => h?.stop().catch(() => {})));
    this.servers.clear();
  }

  private async secretData(ns: string, name: string): Promise<Record<string, string> | undefined> {
    const s = await this.d.client.get(objectPath(R.secret, name, ns));
    const data = s?.data as Record<string, string> | undefined;
    return data
      ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      : undefined;
  }

  /** Starts the namespace's workload API server once; returns false while inputs are missing. */
  async ensure(dep: Obj): Promise<boolean> {
    const ns = dep.metadata.namespace ?? '';
    if (this.servers.has(ns)) return (await this.servers.get(ns)) !== undefined;
    if (!this.d.start) return true;
    const cluster = dep.metadata.labels?.[LABEL_CLUSTER] ?? ns;
    const tls = await this.secretData(ns, 'apiserver');
    const ca = await this.secretData(ns, `${cluster}-ca`);
    const etcdCa = await this.secretData(ns, `${cluster}-etcd`);
    const svc = this.d.service(ns);
    if (!tls?.['tls.crt'] || !tls['tls.key'] || !ca?.['tls.crt'] || !svc) return false;
    const ports = field<Array<{ port?: number; nodePort?: number }>>(svc, 'spec', 'ports') ?? [];
    let port = field<string>(svc, 'spec', 'type') === 'NodePort' ? ports[0]?.nodePort : undefined;
    if (field<string>(svc, 'spec', 'type') === 'NodePort' && !port) {
      // No nodePort allocated by the API: pick a free one and record it, as the allocator would.
      port = await freePort();
      await this.d.client.mergePatch(objectPath(R.service, APISERVER_SERVICE, ns), {
        spec: { ports: ports.map((p, i) => (i === 0 ? { ...p, nodePort: port } : p)) },
      });
    }
    const start = this.d.start;
    const p = (async () => {
      try {
        const handle = await start({
          name: `${cluster}-apiserver`,
          port: port ?? 0,
          host: this.d.address,
          builtinCrds: false,
          tls: { certPem: tls['tls.crt']!, keyPem: tls['tls.key']!, clientCaPem: ca['tls.crt'] },
          etcdCa:
            etcdCa?.['tls.crt'] && etcdCa['tls.key']
              ? { certPem: etcdCa['tls.crt'], keyPem: etcdCa['tls.key'] }
              : undefined,
        });
        this.d.onWorkloadServer?.('started', ns, handle.port);
        return handle;
      } catch (err) {
        this.servers.delete(ns);
        throw err;
      }
    })();
    this.servers.set(ns, p);
    await p;
    return true;
  }

  async gone(dep: KubeObject): Promise<void> {
    const ns = dep.metadata.namespace ?? '';
    if (dep.metadata.labels?.[LABEL_COMPONENT] !== WORKLOAD_APISERVER) return;
    const p = this.servers.get(ns);
    if (!p) return;
    this.servers.delete(ns);
    const h = await p.catch(() => undefined);
    if (h) {
      await h.stop();
      this.d.onWorkloadServer?.('stopped', ns, h.port);
    }
  }
}
