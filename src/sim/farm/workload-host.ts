// The farm as the demo's (and the simulated kubelet's) host of workload API servers: each
// workload cluster the kubelet brings up gets a farm cluster server (shared handler code,
// its own small store, TLS made on first use, the farm's metrics and port-forward) on the
// NodePort the kubelet asks for, instead of a full embedded API server instance each.
// The objects come from the engine's pipeline (Node, kubeadm-config, static pods), as they
// would from kubeadm, so nothing is seeded here but the default namespaces.
import { randomBytes } from 'node:crypto';
import type { StartWorkloadServer } from '../kubelet/kubelet.js';
import { FarmClusterServer } from './cluster-server.js';
import { FarmMetrics } from './metrics.js';
import { farmPortForward } from './port-forward.js';
import type { EtcdTls } from './cluster-server.js';
import { etcdServingCert } from '../etcd-grpc/member.js';
import type { CertKeyPair } from '../../core/pki/index.js';

export interface WorkloadFarm {
  startWorkload: StartWorkloadServer;
  metrics: FarmMetrics;
  /** Workload clusters served now. */
  served(): number;
  close(): Promise<void>;
}

export function createWorkloadFarm(): WorkloadFarm {
  const metrics = new FarmMetrics();
  const pf = farmPortForward();
  const live = new Set<FarmClusterServer>();
  return {
    metrics,
    served: () => live.size,
    startWorkload: async (o) => {
      const server = new FarmClusterServer({
        key: o.name,
        host: o.host,
        port: o.port,
        serving: { certPem: o.tls.certPem, keyPem: o.tls.keyPem },
        caPem: o.tls.clientCaPem ?? '',
        // The simulated kubelet is a kubeadm node, which holds the etcd CA key on disk
        // (/etc/kubernetes/pki/etcd/ca.key) and issues the member's certificate from it; it
        // hands the `<cluster>-etcd` CA over when the Secret carries its key. Nothing here
        // leaves the process.
        etcdTls: o.etcdCa ? nodeEtcdTls(o.etcdCa) : undefined,
        adminToken: randomBytes(24).toString('hex'),
        metrics,
        portForward: pf.hook,
        onWrite: () => {},
      });
      server.seedNamespaces();
      await server.start();
      live.add(server);
      return {
        port: server.port,
        stop: async () => {
          live.delete(server);
          metrics.forget(o.name);
          pf.forget(server);
          await server.stop();
        },
      };
    },
    close: async () => {
      await Promise.all([...live].map((s) => s.stop()));
      live.clear();
      pf.close();
    },
  };
}

/** The member's serving certificate per node as kubeadm issues it, made on first use (a few ms). */
function nodeEtcdTls(etcdCa: CertKeyPair): EtcdTls {
  const byNode = new Map<string, CertKeyPair>();
  return {
    caPem: etcdCa.certPem,
    servingFor: (node, ip) => {
      const key = `${node}/${ip}`;
      let cert = byNode.get(key);
      if (!cert) {
        cert = etcdServingCert(etcdCa, node, ip);
        byNode.set(key, cert);
      }
      return cert;
    },
  };
}
