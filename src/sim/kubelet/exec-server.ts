// The simulated kubelet's streaming server: HTTPS on the kubelet port, serving
// /exec/{namespace}/{pod}/{container}?command=..&input=1&output=1&error=1&tty=0 (the
// kubelet's own parameter names; the API server proxies pods/exec here).
//
// The streaming protocol is the WebSocket one kubectl >= 1.30 uses by default: subprotocol
// v5.channel.k8s.io (kubectl offers only that one; v4.channel.k8s.io is accepted for older
// clients). Every binary message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr,
// 3 error (a metav1.Status when the command ends), 4 terminal resize; v5 adds 255, "close
// stream", whose second byte names the stream the peer is done writing (kubectl sends 255 0 at
// the end of its stdin). The client reads until the connection closes, so the server sends the
// Status on channel 3 and then closes the WebSocket normally.
//
// Not served: SPDY (kubectl falls back to it only when the WebSocket upgrade fails, and then
// gets this server's 400 explaining why), tty=1 (no pseudo-terminal: `kubectl exec -t` is
// refused), attach and port-forward.
import https from 'node:https';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ChildProcess } from 'node:child_process';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { rawStatusResponse } from '../apiserver/exec-proxy.js';
import type { StatusBody } from '../apiserver/status.js';
import { exitCodeOf, spawnGuarded, stopGuarded } from './process.js';

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
/** In the server's order of preference. */
const PROTOCOLS = [PROTOCOL_V5, PROTOCOL_V4];

const CH_STDIN = 0;
const CH_STDOUT = 1;
const CH_STDERR = 2;
const CH_ERROR = 3;
const CH_CLOSE = 255;

/** kubectl pings every 5 s; a client silent this long is gone. */
const IDLE_LIMIT_MS = 65_000;
const PING_EVERY_MS = 20_000;
/** How long an exec'd command has to end after SIGTERM when its client goes away. */
const KILL_GRACE_MS = 2000;
/** How long a client may take to complete the TLS handshake and send its request. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

/** How one command runs in a container: argv as run on the node, its environment and directory. */
export interface PreparedCommand {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A container commands can be exec'd in. */
export interface ExecContainer {
  prepare(command: string[]): PreparedCommand;
}

/** Why a container cannot be exec'd in now: an HTTP status and message, as the kubelet answers. */
export interface ExecRefusal {
  code: number;
  reason: string;
  message: string;
}

export type ExecResolver = (namespace: string, pod: string, container: string) => ExecContainer | ExecRefusal;

export interface ExecServerOptions {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  /** The serving certificate (the kubelet's, self-signed by default). */
  tls: { certPem: string; keyPem: string };
  /**
   * Callers must present a client certificate signed by this CA (kubelet --client-ca-file): the
   * API server's kubelet-client certificate. Anonymous requests are refused with 401.
   */
  clientCaPem: string;
  resolve: ExecResolver;
}

export interface ExecServerHandle {
  port: number;
  /** Closes every session (their commands get SIGTERM, then SIGKILL) and the listener. */
  stop(): Promise<void>;
}

function status(code: number, reason: string, message: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function refuse(socket: Duplex, s: StatusBody): void {
  if (!socket.destroyed && !socket.writableEnded) socket.end(rawStatusResponse(s));
}

function isRefusal(v: ExecContainer | ExecRefusal): v is ExecRefusal {
  return 'code' in v;
}

/** The client's subprotocols in its order, and the first one served here. */
function negotiate(header: string | undefined): { offered: string[]; chosen?: string } {
  const offered = (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { offered, chosen: offered.find((p) => PROTOCOLS.includes(p)) };
}

/** Like exec(3)'s PATH search: undefined when the command cannot be started. */
function findExecutable(cmd: string, env: NodeJS.ProcessEnv, cwd: string | undefined): string | undefined {
  const candidates = cmd.includes('/')
    ? [cwd && !cmd.startsWith('/') ? join(cwd, cmd) : cmd]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // next candidate
    }
  }
  return undefined;
}

interface SessionParams {
  ws: WebSocket;
  v5: boolean;
  prepared: PreparedCommand;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  children: Set<ChildProcess>;
}

function send(ws: WebSocket, channel: number, data: Buffer | string, done?: (err?: Error) => void): void {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  ws.send(Buffer.concat([Buffer.of(channel), payload]), { binary: true }, done);
}

function finish(ws: WebSocket, s: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  send(ws, CH_ERROR, JSON.stringify(s));
  ws.close(1000);
}

function internalError(message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', message };
}

function exitStatus(code: number, argv: string[]): Record<string, unknown> {
  if (code === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  // The shape kubectl turns into "command terminated with exit code N" and exit status N.
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], ` + `exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function runSession(p: SessionParams): void {
  const { ws, prepared } = p;
  const [cmd] = prepared.argv;
  if (!cmd || !findExecutable(cmd, prepared.env, prepared.cwd)) {
    // containerd's wording for a missing binary; kubectl shows it as an internal error.
    const msg = `error executing command in container: exec: "${cmd ?? ''}": executable file not found in $PATH`;
    finish(ws, internalError(msg));
    return;
  }
  const child = spawnGuarded(prepared.argv, {
    cwd: prepared.cwd,
    env: prepared.env,
    stdio: [p.stdin ? 'pipe' : 'ignore', p.stdout ? 'pipe' : 'ignore', p.stderr ? 'pipe' : 'ignore'],
  });
  p.children.add(child);
  let lastSeen = Date.now();
  const seen = (): void => {
    lastSeen = Date.now();
  };
  const pinger = setInterval(() => {
    if (Date.now() - lastSeen > IDLE_LIMIT_MS) ws.terminate();
    else if (ws.readyState === ws.OPEN) ws.ping();
  }, PING_EVERY_MS);
  ws.on('ping', seen);
  ws.on('pong', seen);
  child.stdin?.on('error', () => {
    // EPIPE: the command exited or closed its stdin; what the client still sends is dropped.
  });
  const forward = (stream: Readable | null, channel: number): void => {
    stream?.on('data', (chunk: Buffer) => {
      // One chunk in flight at a time: a slow client slows the command instead of growing a buffer.
      stream.pause();
      send(ws, channel, chunk, (err) => {
        if (!err) stream.resume();
      });
    });
  };
  forward(child.stdout, CH_STDOUT);
  forward(child.stderr, CH_STDERR);
  ws.on('message', (data: RawData) => {
    seen();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buf.length === 0) return;
    const channel = buf[0];
    if (channel === CH_STDIN && child.stdin && buf.length > 1 && child.stdin.writable) {
      if (!child.stdin.write(buf.subarray(1))) {
        ws.pause();
        child.stdin.once('drain', () => ws.resume());
      }
    } else if (channel === CH_CLOSE && p.v5 && buf[1] === CH_STDIN) {
      child.stdin?.end();
    }
    // Resize (4) needs a terminal, which is never allocated here.
  });
  let done = false;
  child.on('error', (err) => {
    done = true;
    finish(ws, internalError(`error executing command in container: ${err.message}`));
  });
  // 'close' comes after the command exited and its stdout/stderr ended: all output is queued by then.
  child.on('close', (code, signal) => {
    clearInterval(pinger);
    p.children.delete(child);
    if (!done) finish(ws, exitStatus(exitCodeOf(code, signal), prepared.argv));
    done = true;
  });
  ws.on('close', () => {
    clearInterval(pinger);
    // The client went away (kubectl interrupted, connection lost): the command goes too.
    if (!done) void stopGuarded(child, KILL_GRACE_MS);
  });
  ws.on('error', () => ws.terminate());
}

export async function startExecServer(o: ExecServerOptions): Promise<ExecServerHandle> {
  const children = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });
  const server = https.createServer(
    { cert: o.tls.certPem, key: o.tls.keyPem, ca: o.clientCaPem, requestCert: true, rejectUnauthorized: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const s =
        path === '/healthz'
          ? undefined
          : path.startsWith('/exec/')
            ? status(400, 'BadRequest', 'Upgrade request required')
            : status(404, 'NotFound', `the kubelet does not serve ${path}`);
      if (!s) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      const body = JSON.stringify(s);
      res.writeHead(s.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    },
  );
  server.headersTimeout = HANDSHAKE_TIMEOUT_MS;
  server.requestTimeout = HANDSHAKE_TIMEOUT_MS;
  server.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if ((req.socket as TLSSocket).authorized !== true) {
      const msg = 'Unauthorized: the kubelet requires a client certificate from its client CA';
      refuse(socket, status(401, 'Unauthorized', msg));
      return;
    }
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      refuse(socket, status(404, 'NotFound', `the kubelet does not serve ${url.pathname}`));
      return;
    }
    const [ns, pod, container] = [m[1]!, m[2]!, m[3]!].map(decodeURIComponent) as [string, string, string];
    const q = url.searchParams;
    const flag = (k: string, alt: string) => ['1', 'true'].includes(q.get(k) ?? q.get(alt) ?? '');
    const io = { stdin: flag('input', 'stdin'), stdout: flag('output', 'stdout'), stderr: flag('error', 'stderr') };
    const command = q.getAll('command');
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket') {
      const msg =
        `this kubelet serves exec over WebSocket (${PROTOCOLS.join(', ')}) only, ` +
        `not ${req.headers.upgrade ?? 'no upgrade'}`;
      refuse(socket, status(400, 'BadRequest', msg));
      return;
    }
    if (flag('tty', 'tty')) {
      const msg = 'tty is not supported by the simulated kubelet (no pseudo-terminal): run without -t';
      refuse(socket, status(400, 'BadRequest', msg));
      return;
    }
    if (command.length === 0) {
      refuse(socket, status(400, 'BadRequest', 'you must specify at least 1 command'));
      return;
    }
    if (!io.stdin && !io.stdout && !io.stderr) {
      refuse(socket, status(400, 'BadRequest', 'you must specify at least one of stdin, stdout, stderr'));
      return;
    }
    const { offered, chosen: protocol } = negotiate(req.headers['sec-websocket-protocol']);
    if (!protocol) {
      const msg =
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], ` +
        `server supports [${PROTOCOLS.join(' ')}]`;
      refuse(socket, status(400, 'BadRequest', msg));
      return;
    }
    const target = o.resolve(ns, pod, container);
    if (isRefusal(target)) {
      refuse(socket, status(target.code, target.reason, target.message));
      return;
    }
    let prepared: PreparedCommand;
    try {
      prepared = target.prepare(command);
    } catch (err) {
      refuse(socket, status(500, 'InternalError', (err as Error).message));
      return;
    }
    chosen.set(req, protocol);
    wss.handleUpgrade(req, socket, head, (ws) =>
      runSession({ ws, v5: protocol === PROTOCOL_V5, prepared, ...io, children }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    stop: async () => {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all([...children].map((c) => stopGuarded(c, KILL_GRACE_MS)));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      wss.close();
    },
  };
}
