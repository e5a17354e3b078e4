// The server side of `pods/{name}/portforward` (protocol portforward.k8s.io), in both
// transports kubectl >= 1.31 and client-go use:
// - WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`: the client's SPDY session rides
//   in binary WebSocket messages (client-go's TunnelingConnection), tried first;
// - the plain `Upgrade: SPDY/3.1` with `X-Stream-Protocol-Version: portforward.k8s.io`, the
//   fallback when the WebSocket upgrade fails.
// Inside the session the kubelet's port-forward rules apply: per forwarded connection the
// client opens an `error` and a `data` stream carrying the same `port` and `requestID`
// headers; when both are there the target port is opened and bytes flow on the data stream;
// a failure is written as text on the error stream; a pair not complete within the stream
// creation timeout is dropped.
//
// Interface (the farm and the embedded API server plug in here):
//   handlePortForwardUpgrade(req, socket, head, { namespace, pod }, { open, ... })
// where open(namespace, pod, port) resolves to a Duplex connected to that port of the pod, or
// rejects with an Error whose message is the reason the client sees. The caller checks the
// pod (exists, running) and authenticates before calling; this module owns only the protocol.
// kube-apiserver itself would translate the WebSocket to SPDY and proxy it to the kubelet;
// here the whole protocol is spoken in one place, because the same module serves the farm.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { Duplex as DuplexStream } from 'node:stream';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { RST_PROTOCOL_ERROR } from './spdy-frames.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
export const TUNNELED_PORT_FORWARD_PROTOCOL = `${SPDY_TUNNEL_PREFIX}${PORT_FORWARD_PROTOCOL}`;

export type PortForwardTransport = 'websocket' | 'spdy';

export type PortForwardOpen = (namespace: string, pod: string, port: number) => Promise<Duplex>;

export interface PortForwardTarget {
  namespace: string;
  pod: string;
}

export interface PortForwardServerOptions {
  open: PortForwardOpen;
  /** How long a request's error+data pair may take to arrive (the kubelet's default is 30 s). */
  streamCreationTimeoutMs?: number;
  /** A session ends when idle this long (the kubelet's streaming idle timeout, 4 h by default). */
  idleTimeoutMs?: number;
  /** Closers of live sessions, so the owning server's stop() can end them. */
  streams?: Set<() => void>;
  /** Session and connection counters for metrics: +1 when one opens, -1 when it closes. */
  onSession?: (delta: 1 | -1, transport: PortForwardTransport) => void;
  onConnection?: (delta: 1 | -1) => void;
}

const DEFAULT_STREAM_CREATION_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_TIMEOUT_MS = 4 * 3600_000;

// One WebSocket acceptor for every session: noServer, no client tracking, no compression
// (the payload is SPDY frames; kube-apiserver does not negotiate permessage-deflate either).
const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  maxPayload: 32 * 1024 * 1024,
  handleProtocols: () => TUNNELED_PORT_FORWARD_PROTOCOL,
});

/** Below this many queued bytes a WebSocket write completes at once. */
const WS_WRITE_BUFFER_BYTES = 256 * 1024;

/**
 * The WebSocket's binary messages as a byte stream. Unlike ws's createWebSocketStream, a write
 * does not wait for the previous message to reach the socket unless a lot is queued: one
 * HTTP/2 answer inside the tunnel is several small SPDY frames, and waiting for each write's
 * callback costs an event-loop turn per frame, which a loaded machine stretches.
 */
function websocketTransport(ws: WebSocket): Duplex {
  const d = new DuplexStream({
    allowHalfOpen: false,
    read() {
      ws.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) {
        cb(new Error('websocket is closed'));
        return;
      }
      if (ws.bufferedAmount < WS_WRITE_BUFFER_BYTES) {
        ws.send(chunk, { binary: true });
        cb();
      } else ws.send(chunk, { binary: true }, (err) => cb(err ?? null));
    },
    final(cb) {
      ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      ws.terminate();
      cb(err);
    },
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // client-go's tunnel sends binary messages only; anything else ends the session.
    if (!isBinary) {
      d.destroy(new Error('invalid message type received'));
      return;
    }
    if (!d.push(data)) ws.pause();
  });
  ws.on('close', () => d.push(null));
  ws.on('error', () => d.destroy());
  d.on('error', () => {});
  return d;
}

/** A Status-shaped refusal written on the raw socket before any upgrade. */
export function refuseUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  if (socket.destroyed || socket.writableEnded) return;
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function listHeader(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) out.push(...req.rawHeaders[i + 1]!.split(',').map((s) => s.trim()));
  }
  return out.filter(Boolean);
}

export function handlePortForwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: PortForwardTarget,
  opts: PortForwardServerOptions,
): void {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = listHeader(req, 'sec-websocket-protocol');
    if (!offered.includes(TUNNELED_PORT_FORWARD_PROTOCOL)) {
      refuseUpgrade(
        socket,
        400,
        'BadRequest',
        `unable to upgrade: no supported protocol among [${offered.join(' ')}]; this server speaks ${TUNNELED_PORT_FORWARD_PROTOCOL}`,
      );
      return;
    }
    // ws accepts only RFC 7230 tokens as subprotocols and `/` is not one; the offer was checked
    // above, so ws sees a stand-in token and answers with the real name (handleProtocols).
    req.headers['sec-websocket-protocol'] = 'spdy-tunnel';
    wss.handleUpgrade(req, socket, head, (ws) => {
      const transport = websocketTransport(ws);
      serveSession(new SpdySession(transport, 'server'), 'websocket', target, opts);
    });
    return;
  }
  if (upgrade === 'spdy/3.1') {
    const offered = listHeader(req, 'x-stream-protocol-version');
    if (offered.length && !offered.includes(PORT_FORWARD_PROTOCOL)) {
      refuseUpgrade(
        socket,
        403,
        'Forbidden',
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`,
      );
      return;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        (offered.length ? `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n` : '') +
        '\r\n',
    );
    const session = new SpdySession(socket, 'server');
    serveSession(session, 'spdy', target, opts);
    session.feed(head);
    return;
  }
  refuseUpgrade(socket, 400, 'BadRequest', `unable to upgrade: unsupported upgrade "${req.headers.upgrade ?? ''}"`);
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

function serveSession(
  session: SpdySession,
  transport: PortForwardTransport,
  target: PortForwardTarget,
  opts: PortForwardServerOptions,
): void {
  const pairs = new Map<string, Pair>();
  const creationTimeout = opts.streamCreationTimeoutMs ?? DEFAULT_STREAM_CREATION_TIMEOUT_MS;
  const idleTimeout = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const close = (): void => session.close();
  opts.streams?.add(close);
  opts.onSession?.(1, transport);
  let idle = setTimeout(close, idleTimeout);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(close, idleTimeout);
  };
  session.once('close', () => {
    clearTimeout(idle);
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    opts.streams?.delete(close);
    opts.onSession?.(-1, transport);
  });

  session.on('stream', (s: SpdyStream) => {
    touch();
    const type = s.header('streamType');
    const port = Number(s.header('port'));
    if ((type !== 'data' && type !== 'error') || !Number.isInteger(port) || port < 1 || port > 65535) {
      s.reset(RST_PROTOCOL_ERROR);
      return;
    }
    // Clients before requestID pair an error stream with the data stream opened right after it.
    const requestId = s.header('requestID') ?? String(type === 'data' ? s.id - 2 : s.id);
    s.reply();
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = {
        timer: setTimeout(() => {
          pairs.delete(requestId);
          pair!.error?.end(`timed out waiting for streams of request ${requestId}`);
          pair!.data?.reset();
        }, creationTimeout),
      };
      pairs.set(requestId, pair);
    }
    if (pair[type]) {
      s.reset(RST_PROTOCOL_ERROR);
      return;
    }
    pair[type] = s;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void forward(pair.data, pair.error, port, target, opts, touch);
    }
  });
}

async function forward(
  data: SpdyStream,
  error: SpdyStream,
  port: number,
  target: PortForwardTarget,
  opts: PortForwardServerOptions,
  touch: () => void,
): Promise<void> {
  // The client half-closes the error stream at once; its readable side is not used.
  error.resume();
  error.on('error', () => {});
  data.on('error', () => {});
  const fail = (message: string): void => {
    if (!error.writableEnded)
      error.end(`error forwarding port ${port} to pod ${target.namespace}/${target.pod}: ${message}`);
    if (!data.writableEnded) data.end();
  };
  let upstream: Duplex;
  try {
    upstream = await opts.open(target.namespace, target.pod, port);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return;
  }
  if (data.destroyed) {
    upstream.destroy();
    return;
  }
  opts.onConnection?.(1);
  upstream.on('error', (err) => fail(err.message));
  data.on('data', touch);
  data.pipe(upstream);
  upstream.pipe(data);
  upstream.once('close', () => {
    opts.onConnection?.(-1);
    if (!data.writableEnded && !data.destroyed) data.end();
    if (!error.writableEnded && !error.destroyed) error.end();
  });
  data.once('close', () => {
    if (!upstream.destroyed) upstream.destroy();
  });
}
