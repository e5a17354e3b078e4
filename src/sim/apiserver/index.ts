// startApiServer: one embedded Kubernetes-compatible API server on loopback HTTPS.
// Instances are cheap: the built-in type tables, parsed CRD files and the default serving
// certificate are shared by all instances in the process; an idle instance has no timers.
import { randomBytes } from 'node:crypto';
import { writePrivateFile } from '../../core/pki/files.js';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Registry } from './registry.js';
import { ObjectStore } from './objects.js';
import { Handler } from './handler.js';
import { LogStore } from './logs.js';
import { objectKey } from './store.js';
import { MetricsStore, type ContainerUsage } from './metrics.js';
import { Faults, type FaultSpec } from './faults.js';
import { defaultServingIdentity } from './tls.js';
import { loadCrdDocs } from './crd-files.js';
import { renderKubeconfig } from './kubeconfig.js';
import type { JsonObject } from './patch.js';
import type { KubeletClientIdentity } from './exec-proxy.js';
import type { PortForwardOpen } from '../portforward/server.js';
import { PodNetwork } from './pod-proxy.js';
import { kubeHttpsServer } from './http-io.js';

export interface ApiServerOptions {
  name?: string;
  /** 0 = ephemeral (default). */
  port?: number;
  /**
   * Bind address (default 127.0.0.1). The lab binds a node address inside a network
   * namespace, as kube-apiserver binds the kind node's address.
   */
  host?: string;
  /** Directories of full CRD YAML, loaded recursively (e.g. ../shared/crds). */
  crdDirs?: string[];
  /** Serve the compact CAPI/CAPM3/BMO/IPAM registry (default true). */
  builtinCrds?: boolean;
  tls?: { certPem: string; keyPem: string; caPem?: string; clientCaPem?: string };
  /** Where to write the kubeconfig (mode 0600). */
  dataDir?: string;
  /**
   * Events kept per resource for watches from a resourceVersion (default 1024; up to twice
   * that before a trim). Like kube-apiserver's watch cache it keeps only a recent window:
   * a watch from an older version gets 410 Gone and relists, as clients do against the real one.
   */
  watchHistory?: number;
  watchBookmarkIntervalMs?: number;
  watchMaxBufferBytes?: number;
  /**
   * The client certificate presented to kubelets when proxying pods/exec (kube-apiserver's
   * --kubelet-client-certificate/--kubelet-client-key); kubelets check it against their client CA.
   */
  kubeletClient?: KubeletClientIdentity;
  /**
   * Where pods/{name}/portforward streams go: (namespace, pod, port) => a connected Duplex, or a
   * rejection whose message the client sees. Unset: PodNetwork, then the pod's IP over TCP.
   */
  portForward?: PortForwardOpen;
}

export interface ApiServerHandle {
  name: string;
  url: string;
  port: number;
  caPem: string;
  adminToken: string;
  kubeconfigYaml: string;
  kubeconfigPath?: string;
  metrics: {
    setPodMetrics(namespace: string, pod: string, containers: ContainerUsage[]): void;
    setNodeMetrics(node: string, cpuMillicores: number, memoryBytes: number): void;
  };
  logs: { append(namespace: string, pod: string, container: string, line: string): void };
  faults: { set(f: FaultSpec): void; clear(): void };
  /** pods/proxy targets: which loopback port answers for POD:PORT (pod-proxy.ts). */
  podNetwork: PodNetwork;
  /** Number of stored objects. */
  objectCount(): number;
  stop(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServerHandle> {
  const name = opts.name ?? 'scale-tui-embedded';
  const registry = new Registry(opts.builtinCrds ?? true);
  const store = new ObjectStore(registry, opts.watchHistory ?? 1024);
  const podType = registry.lookup('', 'v1', 'pods')!;
  // A deleted pod's logs go with it (swept as new pods log, and every 30 s).
  const logs = new LogStore({ podExists: (ns, pod) => store.slot(podType).bucket.items.has(objectKey(ns, pod)) });
  const logSweep = setInterval(() => logs.sweep(), 30_000);
  logSweep.unref();
  const metrics = new MetricsStore();
  const faults = new Faults();
  const adminToken = randomBytes(24).toString('hex');
  const streams = new Set<() => void>();
  const podNetwork = new PodNetwork();

  const nsType = registry.lookup('', 'v1', 'namespaces')!;
  for (const ns of DEFAULT_NAMESPACES)
    store.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (opts.crdDirs?.length) {
    const crdType = registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    for (const doc of loadCrdDocs(opts.crdDirs)) store.create(crdType, '', structuredClone(doc) as JsonObject);
  }

  const identity = opts.tls ? undefined : defaultServingIdentity();
  const certPem = opts.tls?.certPem ?? identity!.certPem;
  const keyPem = opts.tls?.keyPem ?? identity!.keyPem;
  const caPem = opts.tls?.caPem ?? identity?.caPem ?? opts.tls?.clientCaPem ?? '';
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const handler = new Handler({
    registry,
    store,
    logs,
    metrics,
    faults,
    adminToken,
    acceptClientCerts: !!opts.tls?.clientCaPem,
    serverAddress: () => `${urlHost(host)}:${port}`,
    watchBookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 15_000,
    watchMaxBufferBytes: opts.watchMaxBufferBytes ?? 16 * 1024 * 1024,
    streams,
    kubeletClient: opts.kubeletClient,
    podNetwork,
    portForward: opts.portForward,
  });
  // pods/exec: upgrade requests are proxied to the pod's kubelet (exec-proxy.ts).
  const server = kubeHttpsServer(
    {
      cert: certPem,
      key: keyPem,
      ...(opts.tls?.clientCaPem ? { ca: opts.tls.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}),
    },
    handler.handle,
    handler.handleUpgrade,
  );
  // Every TCP socket, including ones still in the TLS handshake: closeAllConnections()
  // knows only sockets that reached HTTP, and one caught mid-handshake would hold stop()
  // open until its handshake timed out.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (sock: import('node:net').Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `https://${urlHost(host === '0.0.0.0' ? '127.0.0.1' : host)}:${port}`;
  const kubeconfigYaml = renderKubeconfig({
    clusterName: name,
    server: url,
    caPem,
    userName: `${name}-admin`,
    token: adminToken,
  });
  let kubeconfigPath: string | undefined;
  if (opts.dataDir) {
    kubeconfigPath = join(opts.dataDir, `${name}.kubeconfig`);
    writePrivateFile(kubeconfigPath, kubeconfigYaml); // 0600 also when the file already existed
  }

  return {
    name,
    url,
    port,
    caPem,
    adminToken,
    kubeconfigYaml,
    kubeconfigPath,
    metrics: {
      setPodMetrics: (ns, pod, containers) => metrics.setPodMetrics(ns, pod, containers),
      setNodeMetrics: (node, cpu, mem) => metrics.setNodeMetrics(node, cpu, mem),
    },
    logs: { append: (ns, pod, container, line) => logs.append(ns, pod, container, line) },
    faults: { set: (f) => faults.set(f), clear: () => faults.clear() },
    podNetwork,
    objectCount: () => store.count(),
    stop: async () => {
      clearInterval(logSweep);
      for (const close of [...streams]) close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const sock of sockets) sock.destroy();
      });
    },
  };
}

/** IPv6 literals go in brackets inside a URL. */
function urlHost(h: string): string {
  return h.includes(':') ? `[${h}]` : h;
}

export type { FaultSpec } from './faults.js';
export type { ContainerUsage } from './metrics.js';
export type { KubeletClientIdentity } from './exec-proxy.js';
