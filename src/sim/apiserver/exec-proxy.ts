// pods/exec as kube-apiserver serves it: the API server checks the pod and container, finds
// the pod's node and that node's kubelet endpoint (Node status.addresses InternalIP and
// status.daemonEndpoints.kubeletEndpoint.Port), and proxies the client's upgrade request to
// the kubelet's /exec/{namespace}/{pod}/{container} as a raw byte stream over TLS. The
// streaming protocol (WebSocket channels) is spoken end to end by the client and the kubelet.
//
// Differences from kube-apiserver:
// - It does not translate protocols. kube-apiserver >= 1.30 terminates a client's WebSocket
//   (v5.channel.k8s.io) itself and speaks SPDY to the kubelet/CRI streaming server; here the
//   WebSocket goes through to the simulated kubelet, which speaks it directly.
// - The kubelet's serving certificate is not verified, which is kube-apiserver's own behaviour
//   without --kubelet-certificate-authority (kind's setup); the simulated kubelet's certificate
//   is self-signed, as a kubelet's is by default.
// - Authorization is authentication: any authenticated client may exec (no RBAC here).
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Registry } from './registry.js';
import type { ObjectStore } from './objects.js';
import { ApiStatusError, badRequest, type StatusBody } from './status.js';
import { isObject, type JsonObject } from './patch.js';

/** The client certificate the API server presents to kubelets (kube-apiserver --kubelet-client-certificate). */
export interface KubeletClientIdentity {
  certPem: string;
  keyPem: string;
}

export interface ExecProxyDeps {
  registry: Registry;
  store: ObjectStore;
  kubeletClient?: KubeletClientIdentity;
  /** Open long-running streams, closed on stop(). */
  streams: Set<() => void>;
}

/** kubelet's default port, used when a Node does not report its endpoint. */
const DEFAULT_KUBELET_PORT = 10250;
/** How long the kubelet may take to accept the connection and answer the upgrade. */
const KUBELET_DIAL_TIMEOUT_MS = 10_000;
const KUBELET_UPGRADE_TIMEOUT_MS = 30_000;

/** An HTTP response carrying a Status, written straight onto an upgrade socket. */
export function rawStatusResponse(s: StatusBody): string {
  const body = JSON.stringify(s);
  return (
    `HTTP/1.1 ${s.code} ${STATUS_CODES[s.code] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\nCache-Control: no-cache, private\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function writeRawStatus(socket: Duplex, s: StatusBody): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end(rawStatusResponse(s));
}

const internal = (message: string): ApiStatusError => new ApiStatusError(500, 'InternalError', message);

interface ExecTarget {
  container: string;
  host: string;
  port: number;
}

function names(list: unknown): string[] {
  return (Array.isArray(list) ? list : []).flatMap((c) => (isObject(c) && typeof c.name === 'string' ? [c.name] : []));
}

/** The checks kube-apiserver's exec location makes, plus "is it running" (the kubelet's own refusal). */
function locate(d: ExecProxyDeps, ns: string, podName: string, q: URLSearchParams): ExecTarget {
  const pod = d.store.getObject(d.registry.lookup('', 'v1', 'pods')!, ns, podName);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const declared = names(spec.containers);
  const all = [...declared, ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
  let container = q.get('container') ?? '';
  if (!container) {
    if (declared.length !== 1) {
      const choose = `choose one of: [${declared.join(' ')}]`;
      throw badRequest(`a container name must be specified for pod ${podName}, ${choose}`);
    }
    container = declared[0]!;
  } else if (!all.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  }
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
  const status = isObject(pod.status) ? pod.status : {};
  const phase = typeof status.phase === 'string' ? status.phase : 'Pending';
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  if (phase !== 'Running') throw badRequest(`pod ${podName} is not running; current phase is ${phase}`);
  const cs = (Array.isArray(status.containerStatuses) ? status.containerStatuses : []).find(
    (c): c is JsonObject => isObject(c) && c.name === container,
  );
  if (cs && isObject(cs.state) && !isObject(cs.state.running)) {
    throw badRequest(`container ${container} in pod ${podName} is not running`);
  }
  let node: JsonObject;
  try {
    node = d.store.getObject(d.registry.lookup('', 'v1', 'nodes')!, '', nodeName);
  } catch {
    throw new ApiStatusError(503, 'ServiceUnavailable', `error dialing backend: node "${nodeName}" not found`);
  }
  const ns2 = isObject(node.status) ? node.status : {};
  const addrs = (Array.isArray(ns2.addresses) ? ns2.addresses : []).filter(isObject);
  const ip = addrs.find((a) => a.type === 'InternalIP')?.address;
  if (typeof ip !== 'string' || !ip) {
    throw new ApiStatusError(503, 'ServiceUnavailable', `error dialing backend: node "${nodeName}" has no InternalIP`);
  }
  const endpoints = isObject(ns2.daemonEndpoints) ? ns2.daemonEndpoints : {};
  const de = isObject(endpoints.kubeletEndpoint) ? endpoints.kubeletEndpoint : {};
  const port = typeof de.Port === 'number' && de.Port > 0 ? de.Port : DEFAULT_KUBELET_PORT;
  return { container, host: ip, port };
}

/** The kubelet's query: its own parameter names (input/output/error/tty as 1 or 0). */
function kubeletQuery(q: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const c of q.getAll('command')) out.append('command', c);
  const flag = (v: string | null) => (v === 'true' || v === '1' ? '1' : '0');
  out.set('input', flag(q.get('stdin')));
  out.set('output', flag(q.get('stdout')));
  out.set('error', flag(q.get('stderr')));
  out.set('tty', flag(q.get('tty')));
  return out.toString();
}

// Headers of the upgrade handshake that the kubelet must see; hop-by-hop and credentials stay here.
const FORWARDED = /^(upgrade|connection|sec-websocket-.*|x-stream-protocol-version)$/i;

/** Handles an upgrade request for pods/{name}/exec; errors before the upgrade are Status responses. */
export function proxyExec(
  d: ExecProxyDeps,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ns: string,
  pod: string,
  q: URLSearchParams,
): void {
  let target: ExecTarget;
  try {
    if (q.getAll('command').length === 0) throw badRequest('you must specify at least 1 command');
    target = locate(d, ns, pod, q);
  } catch (err) {
    writeRawStatus(socket, (err instanceof ApiStatusError ? err : internal(String(err))).toStatus());
    return;
  }
  const where = [ns, pod, target.container].map(encodeURIComponent).join('/');
  const path = `/exec/${where}?${kubeletQuery(q)}`;
  const hostHeader = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${hostHeader}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    if (FORWARDED.test(k)) lines.push(`${k}: ${req.rawHeaders[i + 1] ?? ''}`);
  }
  const upstream: TLSSocket = tlsConnect({
    host: target.host,
    port: target.port,
    // Without --kubelet-certificate-authority kube-apiserver does not verify the kubelet either.
    rejectUnauthorized: false,
    cert: d.kubeletClient?.certPem,
    key: d.kubeletClient?.keyPem,
  });
  let answered = false;
  const fail = (message: string): void => {
    if (!answered) writeRawStatus(socket, internal(`error dialing backend: ${message}`).toStatus());
    else socket.destroy();
    upstream.destroy();
  };
  const deadline = setTimeout(() => fail(`no answer from kubelet ${hostHeader}`), KUBELET_DIAL_TIMEOUT_MS);
  const close = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  d.streams.add(close);
  upstream.once('secureConnect', () => {
    clearTimeout(deadline);
    upstream.setKeepAlive(true, 30_000);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    // The kubelet must answer the upgrade in time; afterwards the stream lives as long as the session.
    const answerBy = setTimeout(
      () => fail(`kubelet ${hostHeader} did not answer the upgrade`),
      KUBELET_UPGRADE_TIMEOUT_MS,
    );
    upstream.once('data', () => {
      answered = true;
      clearTimeout(answerBy);
    });
    upstream.once('close', () => clearTimeout(answerBy));
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', (err) => fail(err.message));
  socket.on('error', () => upstream.destroy());
  upstream.on('close', () => {
    clearTimeout(deadline);
    if (answered) socket.end();
    else writeRawStatus(socket, internal(`error dialing backend: kubelet ${hostHeader} hung up`).toStatus());
    d.streams.delete(close);
  });
  socket.on('close', () => {
    upstream.destroy();
    d.streams.delete(close);
  });
}
