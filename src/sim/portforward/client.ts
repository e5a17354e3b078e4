// An in-process port-forward client: what client-go's port-forwarder does for one connection,
// so the emulated KCP reaches a workload cluster's etcd pod the way the real KCP does
// (controlplane/kubeadm/pkg/proxy: SPDY over WebSocket first, plain SPDY on an upgrade failure).
//
// Interface:
//   const stream = await openPortForward({ server, caPem, token | certPem+keyPem,
//                                          namespace, pod, port, deadlineMs });
// resolves to a Duplex connected to that port of the pod (the SPDY data stream); an error the
// server reports on the error stream destroys it with that message; ending or destroying it
// ends the session. One SPDY session per call, as KCP dials one per etcd connection.
import { request } from 'node:https';
import type { Duplex } from 'node:stream';
import { SpdySession } from './spdy-session.js';
import { PORT_FORWARD_PROTOCOL, TUNNELED_PORT_FORWARD_PROTOCOL, type PortForwardTransport } from './server.js';
import { checkHandshake, websocketClientStream, websocketKey } from './ws-client.js';

export interface PortForwardEndpoint {
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  server: string;
  /** The cluster CA; the server certificate is verified against it. */
  caPem: string;
  token?: string;
  certPem?: string;
  keyPem?: string;
}

export interface OpenPortForwardOptions extends PortForwardEndpoint {
  namespace: string;
  pod: string;
  port: number;
  /** Deadline for the upgrade and stream set-up. */
  deadlineMs: number;
  /** Default: websocket, falling back to spdy when the WebSocket upgrade is refused. */
  transport?: PortForwardTransport;
}

class UpgradeRefused extends Error {}

function upgrade(o: OpenPortForwardOptions, transport: PortForwardTransport): Promise<Duplex> {
  const url = new URL(
    `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/portforward`,
    o.server,
  );
  const key = websocketKey();
  const headers: Record<string, string> =
    transport === 'websocket'
      ? {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': key,
          'Sec-WebSocket-Protocol': TUNNELED_PORT_FORWARD_PROTOCOL,
        }
      : { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PORT_FORWARD_PROTOCOL };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: transport === 'websocket' ? 'GET' : 'POST',
      headers,
      ca: o.caPem,
      cert: o.certPem,
      key: o.keyPem,
      timeout: o.deadlineMs,
    });
    req.on('timeout', () => req.destroy(new Error(`port-forward upgrade: no answer within ${o.deadlineMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => {
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {}
        reject(new UpgradeRefused(`port-forward upgrade refused (${res.statusCode}): ${message.trim()}`));
      });
    });
    req.on('upgrade', (res, socket, head) => {
      // Small frames in both directions: Nagle's algorithm would hold each for the peer's ACK.
      socket.setNoDelay(true);
      if (transport === 'websocket') {
        const bad = checkHandshake(res, key, TUNNELED_PORT_FORWARD_PROTOCOL);
        if (bad) {
          socket.destroy();
          reject(new UpgradeRefused(`port-forward websocket upgrade: ${bad}`));
          return;
        }
        resolve(websocketClientStream(socket, head));
      } else {
        if (res.headers['x-stream-protocol-version'] !== PORT_FORWARD_PROTOCOL) {
          socket.destroy();
          reject(new UpgradeRefused('port-forward upgrade: the server did not agree to portforward.k8s.io'));
          return;
        }
        if (head.length) socket.unshift(head);
        resolve(socket);
      }
    });
    req.end();
  });
}

export async function openPortForward(o: OpenPortForwardOptions): Promise<Duplex> {
  let transport: Duplex;
  if (o.transport === 'spdy') transport = await upgrade(o, 'spdy');
  else {
    try {
      transport = await upgrade(o, 'websocket');
    } catch (err) {
      if (o.transport === 'websocket' || !(err instanceof UpgradeRefused)) throw err;
      transport = await upgrade(o, 'spdy');
    }
  }
  const session = new SpdySession(transport, 'client');
  try {
    const headers = { port: String(o.port), requestID: '0' };
    const error = await session.openStream({ streamType: 'error', ...headers }, o.deadlineMs);
    error.end(); // client-go half-closes the error stream at once: it only reads from it
    const data = await session.openStream({ streamType: 'data', ...headers }, o.deadlineMs);
    let message = '';
    error.on('data', (c: Buffer) => {
      message += c.toString('utf8');
    });
    error.on('end', () => {
      if (message) data.destroy(new Error(message.trim()));
    });
    error.on('error', () => {});
    data.once('close', () => session.close());
    return data;
  } catch (err) {
    session.close();
    throw err;
  }
}
