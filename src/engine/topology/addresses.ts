// Two address worlds (DESIGN.md §3): the controllers run in pods on kind's nodes, where
// 127.0.0.1 is their own loopback, and the engine runs on the test VM, where kind
// publishes only the API server (on 127.0.0.1) and no NodePort. So:
// - a site's NodePorts are dialled at a node's InternalIP when its API server URL is
//   loopback (kind); a backing cluster made by `backing create` publishes its NodePort
//   slots on the address of its API server URL, so that address is used as it is;
// - the endpoint CAPI dials (`endpoint.host: auto`) is this machine's own address on the
//   network of the management cluster's nodes: for kind, the docker network's gateway,
//   which every kind node routes to directly.
import { isIP, BlockList } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { KubeClient } from '../../core/kube/client.js';
import type { KubeObject } from '../../manifests/types.js';
import { UserError } from '../../core/errors.js';

export const AUTO_HOST = 'auto';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

type NodeStatus = {
  addresses?: Array<{ type?: string; address?: string }>;
  conditions?: Array<{ type?: string; status?: string }>;
};

/** The InternalIP of the first Ready node (by name), for a stable choice across runs. */
export function pickNodeAddress(nodes: KubeObject[]): string | undefined {
  const ready = nodes
    .filter((n) =>
      ((n as { status?: NodeStatus }).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const n of ready) {
    const ip = (n as { status?: NodeStatus }).status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) return ip;
  }
  return undefined;
}

/** Where a site's NodePorts are reached from this machine. */
export async function nodePortHost(client: KubeClient, apiHost: string): Promise<string> {
  if (!isLoopback(apiHost)) return apiHost;
  const nodes = await client.list('v1', 'Node');
  return pickNodeAddress(nodes) ?? apiHost;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * This machine's address on the same subnet as `peer`, i.e. the address `peer` reaches
 * it on without a router: the kind network's gateway when `peer` is a kind node.
 */
export function localAddressFacing(peer: string, ifaces: Interfaces = networkInterfaces()): string | undefined {
  if (isLoopback(peer)) return '127.0.0.1';
  const family = isIP(peer) === 6 ? 'ipv6' : 'ipv4';
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      // `family` is 'IPv4'/'IPv6', or 4/6 on some Node releases.
      const fam = String(a.family).endsWith('6') ? 'ipv6' : 'ipv4';
      if (a.internal || !a.cidr || fam !== family) continue;
      if (a.address === peer) return a.address;
      const [net, bits] = a.cidr.split('/');
      const block = new BlockList();
      block.addSubnet(net!, Number(bits), family);
      if (block.check(peer, family)) return a.address;
    }
  }
  return undefined;
}

/** The endpoint host CAPI dials for port-forwarded workload APIs (`auto` resolved). */
export function endpointHostFor(configured: string, managementNodeHost: string, ifaces?: Interfaces): string {
  if (configured !== AUTO_HOST) return configured;
  const local = localAddressFacing(managementNodeHost, ifaces);
  if (!local) {
    throw new UserError(
      `cannot tell which address the management cluster's pods reach this machine on: no local interface is on the network of its node ${managementNodeHost}`,
      "Set endpoint.host in the config to this machine's address on the kind network (`docker network inspect kind` shows it as the Gateway), or use endpoint.mode: nodeport.",
    );
  }
  return local;
}
