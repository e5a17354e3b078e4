// pods/{name}/portforward on the embedded API server: the pod must exist (404 otherwise) and
// be Running (the kubelet's refusal, answered here before the upgrade), then the port-forward
// protocol (src/sim/portforward) runs on the upgraded connection. Where a forwarded port
// leads, in this order:
// - the server's portForward opener when one is given (the farm: fake etcd, serving-cert TLS);
// - a port a process registered for the pod in PodNetwork (an emulated pod on loopback);
// - the pod's status.podIP on that port over TCP: the simulated kubelet's pods share the
//   node's network, so their IP is the node address their processes listen on.
// kube-apiserver would proxy to the kubelet, which enters the pod's network namespace; the
// sim kubelet has none, so the API server dials the pod address itself.
import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { handlePortForwardUpgrade, type PortForwardOpen } from '../portforward/server.js';
import type { Registry } from './registry.js';
import type { ObjectStore } from './objects.js';
import type { PodNetwork } from './pod-proxy.js';
import { ApiStatusError, badRequest } from './status.js';
import { isObject, type JsonObject } from './patch.js';
import { writeRawStatus } from './exec-proxy.js';

export const PORT_FORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;

export interface PortForwardRouteDeps {
  registry: Registry;
  store: ObjectStore;
  streams: Set<() => void>;
  podNetwork?: PodNetwork;
  portForward?: PortForwardOpen;
}

/** How long dialing a pod's port may take before the client is told it failed. */
const DIAL_TIMEOUT_MS = 10_000;

function dialTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`dial tcp ${host}:${port}: i/o timeout`));
    }, DIAL_TIMEOUT_MS);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`dial tcp ${host}:${port}: ${err.message}`));
    });
  });
}

function podOf(d: PortForwardRouteDeps, ns: string, name: string): JsonObject {
  return d.store.getObject(d.registry.lookup('', 'v1', 'pods')!, ns, name);
}

function defaultOpen(d: PortForwardRouteDeps): PortForwardOpen {
  return async (ns, name, port) => {
    const registered = d.podNetwork?.lookup(ns, name, port);
    if (registered) return dialTcp(registered.host, registered.port);
    const pod = podOf(d, ns, name);
    const status = isObject(pod.status) ? pod.status : {};
    const ip = typeof status.podIP === 'string' && status.podIP ? status.podIP : undefined;
    if (!ip) throw new Error(`pod ${ns}/${name} has no IP`);
    return dialTcp(ip, port);
  };
}

export function servePortForward(
  d: PortForwardRouteDeps,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ns: string,
  name: string,
): void {
  try {
    const pod = podOf(d, ns, name);
    const phase = isObject(pod.status) && typeof pod.status.phase === 'string' ? pod.status.phase : 'Pending';
    if (phase !== 'Running') throw badRequest(`pod ${name} is not running; current phase is ${phase}`);
  } catch (err) {
    const e = err instanceof ApiStatusError ? err : new ApiStatusError(500, 'InternalError', String(err));
    writeRawStatus(socket, e.toStatus());
    return;
  }
  handlePortForwardUpgrade(
    req,
    socket,
    head,
    { namespace: ns, pod: name },
    {
      open: d.portForward ?? defaultOpen(d),
      streams: d.streams,
    },
  );
}
