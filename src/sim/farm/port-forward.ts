// What a farm cluster's `pods/{name}/portforward` reaches, as on a kubeadm node: the etcd
// pod's 2379 is that node's member of the cluster's etcd (gRPC over TLS from the cluster's
// etcd CA; the members are the cluster's own, etcd-members.ts), refused once the member was
// removed (its etcd stopped); the kube-apiserver pod's 6443 is a TLS endpoint with the
// cluster's serving certificate (KCP reads its expiry). Everything else is refused as the
// kubelet refuses a port nobody listens on. The protocol (SPDY/3.1, WebSocket tunnel) is
// src/sim/portforward's; the etcd service is src/sim/etcd-grpc's; this module only says
// which pod port is what.
import type { Duplex } from 'node:stream';
import { handlePortForwardUpgrade } from '../portforward/server.js';
import { duplexPair } from '../portforward/duplex-pair.js';
import { EtcdGrpcService } from '../etcd-grpc/server.js';
import { syncEtcdMembers } from './etcd-members.js';
import type { FarmClusterServer, PortForwardHook } from './cluster-server.js';

export interface FarmPortForward {
  hook: PortForwardHook;
  /** Lets go of what the etcd service keeps for a cluster that is no longer served. */
  forget(cluster: FarmClusterServer): void;
  close(): void;
}

export function farmPortForward(): FarmPortForward {
  const etcd = new EtcdGrpcService();
  const streams = new Set<() => void>();

  const podHostIp = (cluster: FarmClusterServer, ns: string, pod: string): string => {
    const podT = cluster.registry.lookup('', 'v1', 'pods')!;
    const obj = cluster.store.getObject(podT, ns, pod) as { status?: { hostIP?: string } };
    return obj.status?.hostIP ?? '127.0.0.1';
  };

  const open =
    (cluster: FarmClusterServer) =>
    async (ns: string, pod: string, port: number): Promise<Duplex> => {
      const [client, server] = duplexPair();
      const etcdTls = cluster.etcdTls;
      if (ns === 'kube-system' && pod.startsWith('etcd-') && port === 2379 && etcdTls) {
        const node = pod.slice('etcd-'.length);
        const ip = podHostIp(cluster, ns, pod);
        const membership = syncEtcdMembers(cluster);
        if (!membership.byName(node)) {
          client.destroy();
          server.destroy();
          throw new Error(
            `error forwarding port ${port} to pod ${pod}: dial tcp 127.0.0.1:${port}: connect: connection refused`,
          );
        }
        // The cluster's etcd serving pair (farm.ts: issued by whoever holds the etcd CA).
        const cert = etcdTls.servingFor(node, ip);
        etcd.serveEtcd(
          server,
          {
            cluster: cluster.key,
            memberName: node,
            nodeIp: ip,
            caPem: etcdTls.caPem,
            certPem: cert.certPem,
            keyPem: cert.keyPem,
          },
          membership,
        );
        return client;
      }
      if (ns === 'kube-system' && pod.startsWith('kube-apiserver-') && port === 6443) {
        etcd.serveTls(server, cluster.serving);
        return client;
      }
      client.destroy();
      server.destroy();
      throw new Error(
        `error forwarding port ${port} to pod ${pod}: dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
    };

  return {
    hook: (cluster, req, socket, head, target) =>
      handlePortForwardUpgrade(req, socket, head, target, { open: open(cluster), streams }),
    forget: (cluster) => etcd.forgetCluster(cluster.key),
    close: () => {
      for (const s of [...streams]) s();
      etcd.close();
    },
  };
}
