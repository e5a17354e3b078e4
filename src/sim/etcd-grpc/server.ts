// A fake etcd gRPC service for many clusters in one process: each port-forwarded connection
// (a raw Duplex, no listener of its own) is wrapped in TLS with that cluster's etcd serving
// certificate, its client certificate is checked against that cluster's etcd CA, and the
// decrypted HTTP/2 goes to ONE shared Node http2 server via emit('connection'). 1000 clusters
// cost 1000 non-listening tls.Server objects (one TLS context each), not 1000 gRPC listeners.
//
// Each connection is one member of one cluster's membership (membership.ts): Cluster.MemberList
// and MemberRemove, Maintenance.Status (its leader), Maintenance.Alarm (list: no alarms) and
// Maintenance.MoveLeader answer from it, with etcd's refusals (codes and texts); any other
// method is UNIMPLEMENTED. These are the calls KCP's etcd client makes (members, leader,
// alarms, forwarding leadership, removing a member) and `etcdctl member list / member remove /
// move-leader / endpoint status / alarm list`. A caller that gives no membership gets one
// per cluster name in which the member it serves is the only one (a single-node cluster).
//
// The same class serves the kube-apiserver pod's 6443 as TLS only (serveTls): KCP reads the
// serving certificate's expiry from the handshake and sends nothing else.
//
// Interface: const svc = new EtcdGrpcService();
//   svc.serveEtcd(duplex, member: EtcdMemberIdentity, membership?)   // port 2379 of the etcd pod
//   svc.serveTls(duplex, { certPem, keyPem })           // port 6443 of the kube-apiserver pod
//   svc.forget(identity)   // a deleted cluster's cached TLS set-up
//   svc.forgetCluster(key) // ... and its membership, by cluster name
//   svc.stats, svc.close()
import http2, { type Http2Session, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { memberFacts, type EtcdMemberFacts, type EtcdMemberIdentity } from './member.js';
import { EtcdMembership, EtcdMembershipError } from './membership.js';
import {
  METHOD_ALARM,
  METHOD_MEMBER_LIST,
  METHOD_MEMBER_REMOVE,
  METHOD_MOVE_LEADER,
  METHOD_STATUS,
  decodeAlarmRequest,
  decodeMemberRemoveRequest,
  decodeMoveLeaderRequest,
  encodeAlarmResponse,
  encodeMemberListResponse,
  encodeMemberRemoveResponse,
  encodeMoveLeaderResponse,
  encodeStatusResponse,
  grpcFrame,
  grpcUnframe,
  type ResponseHeader,
} from './proto.js';

/** gRPC status codes used here. */
const GRPC_OK = 0;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNIMPLEMENTED = 12;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;

/** A request body larger than this is refused (etcd's default max request is 1.5 MiB). */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/** A TLS handshake through a forward must finish in this time. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** An idle connection is closed after this long (etcd's own keepalive would notice sooner). */
const IDLE_TIMEOUT_MS = 5 * 60_000;

interface Served {
  member: EtcdMemberIdentity;
  facts: EtcdMemberFacts;
  membership: EtcdMembership;
}

export interface EtcdServiceStats {
  connections: number;
  refusedCertificates: number;
  calls: number;
}

class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class EtcdGrpcService {
  readonly stats: EtcdServiceStats = { connections: 0, refusedCertificates: 0, calls: 0 };
  private readonly h2 = http2.createServer({ maxSessionMemory: 4 });
  private readonly sessions = new WeakMap<Http2Session, Served>();
  // Keyed by the certificate (and CA) text and, for etcd, the member, not the identity
  // object: callers may build a new identity object per connection, and a TLS context costs
  // milliseconds to make. One serving pair may serve every member of a cluster, and the
  // server's connection handler tells which member a connection reached, so an etcd TLS
  // server belongs to one member.
  private readonly tlsServers = new Map<string, TlsServer>();
  private readonly live = new Set<Duplex>();
  /** Each cluster's membership, by cluster name: the caller's, or a single-member one of ours. */
  private readonly memberships = new Map<string, EtcdMembership>();
  private pending: Served | undefined;

  constructor() {
    // The session is created synchronously inside emit('connection'), so `pending` names its member.
    this.h2.on('session', (session: Http2Session) => {
      if (this.pending) this.sessions.set(session, this.pending);
      session.setTimeout(IDLE_TIMEOUT_MS, () => session.destroy());
      session.on('error', () => {});
    });
    this.h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers));
  }

  serveEtcd(raw: Duplex, member: EtcdMemberIdentity, membership?: EtcdMembership): void {
    this.track(raw);
    if (membership) this.memberships.set(member.cluster, membership);
    else if (!this.memberships.has(member.cluster)) {
      const own = new EtcdMembership(member.cluster);
      own.join(member.memberName, member.nodeIp);
      this.memberships.set(member.cluster, own);
    }
    this.tlsServerFor(member).emit('connection', raw);
  }

  /** TLS with the given serving certificate and nothing behind it. */
  serveTls(raw: Duplex, identity: { certPem: string; keyPem: string }): void {
    this.track(raw);
    this.tlsServerFor(identity).emit('connection', raw);
  }

  /** Drops the cached TLS set-up of an identity (a deleted cluster); open connections go on. */
  forget(identity: { certPem: string; caPem?: string; cluster?: string }): void {
    const pair = `${identity.certPem}${identity.caPem ?? ''}`;
    for (const key of [...this.tlsServers.keys()])
      if (key === pair || key.endsWith(`\u0000${pair}`)) this.tlsServers.delete(key);
    if (identity.cluster) this.memberships.delete(identity.cluster);
  }

  /** What is kept between connections: clusters with a membership, and TLS servers (one per member). */
  get kept(): { clusters: number; tlsServers: number } {
    return { clusters: this.memberships.size, tlsServers: this.tlsServers.size };
  }

  /** Drops everything kept for a cluster that is gone: its members' TLS set-up and its membership. */
  forgetCluster(cluster: string): void {
    this.memberships.delete(cluster);
    // Member keys start with the cluster's name and a NUL, which no name or PEM holds.
    for (const key of [...this.tlsServers.keys()]) if (key.startsWith(`${cluster}\u0000`)) this.tlsServers.delete(key);
  }

  /** Ends every connection this service is serving. */
  close(): void {
    for (const d of [...this.live]) d.destroy();
    this.live.clear();
  }

  private track(raw: Duplex): void {
    this.live.add(raw);
    raw.on('error', () => raw.destroy());
    raw.once('close', () => this.live.delete(raw));
  }

  // A tls.Server per identity, never listening: its 'connection' event takes a Duplex, and it
  // gives a server-side TLSSocket the complete treatment (client-certificate verification,
  // handshake timeout, a socket the http2 layer accepts), which a bare TLSSocket lacks.
  private tlsServerFor(identity: EtcdMemberIdentity | { certPem: string; keyPem: string }): TlsServer {
    const key =
      'caPem' in identity
        ? `${identity.cluster}\u0000${identity.memberName}\u0000${identity.certPem}${identity.caPem}`
        : identity.certPem;
    const hit = this.tlsServers.get(key);
    if (hit) return hit;
    const etcd = 'caPem' in identity ? identity : undefined;
    const server = createTlsServer({
      cert: identity.certPem,
      key: identity.keyPem,
      ...(etcd ? { ca: etcd.caPem, requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['h2'] } : {}),
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    server.on('tlsClientError', (_err, sock) => sock.destroy());
    server.on('secureConnection', (tls: TLSSocket) => {
      tls.on('error', () => tls.destroy());
      if (!etcd) {
        this.stats.connections++;
        tls.setTimeout(IDLE_TIMEOUT_MS, () => tls.destroy());
        tls.resume();
        return;
      }
      // Checked here rather than by rejectUnauthorized so refusals can be counted.
      if (!tls.authorized) {
        this.stats.refusedCertificates++;
        tls.destroy();
        return;
      }
      this.stats.connections++;
      const membership = this.memberships.get(etcd.cluster);
      if (!membership) {
        tls.destroy();
        return;
      }
      this.pending = { member: etcd, facts: memberFacts(etcd), membership };
      try {
        this.h2.emit('connection', tls);
      } finally {
        this.pending = undefined;
      }
    });
    this.tlsServers.set(key, server);
    return server;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => {});
    const served = this.sessions.get(stream.session!);
    const path = String(headers[':path'] ?? '');
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        respondError(stream, GRPC_INVALID_ARGUMENT, 'request is too large');
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => {
      if (stream.headersSent || stream.destroyed) return;
      if (!served) {
        respondError(stream, GRPC_INTERNAL, 'connection has no etcd member');
        return;
      }
      this.stats.calls++;
      try {
        const body = answer(path, grpcUnframe(Buffer.concat(chunks)), served);
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_OK), 'grpc-message': '' }));
        stream.end(grpcFrame(body));
      } catch (err) {
        const e = err instanceof GrpcError ? err : new GrpcError(GRPC_INTERNAL, (err as Error).message);
        respondError(stream, e.code, e.message);
      }
    });
  }
}

function respondError(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.headersSent || stream.destroyed) return;
  // Trailers-only response, as gRPC servers send for an error before any message.
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
}

function header(f: EtcdMemberFacts, membership: EtcdMembership): ResponseHeader {
  return { clusterId: f.clusterId, memberId: f.memberId, revision: 1n, raftTerm: membership.raftTerm };
}

function answer(path: string, req: Buffer, served: Served): Buffer {
  const { facts: f, membership } = served;
  // A removed member's etcd has stopped (kubeadm's static pod crash-loops): nothing it answers.
  if (!membership.byName(served.member.memberName)) throw new GrpcError(GRPC_UNAVAILABLE, 'etcdserver: server stopped');
  const h = header(f, membership);
  try {
    switch (path) {
      case METHOD_MEMBER_LIST:
        return encodeMemberListResponse({ header: h, members: membership.members() });
      case METHOD_MEMBER_REMOVE: {
        const r = decodeMemberRemoveRequest(req);
        return encodeMemberRemoveResponse({ header: h, members: membership.remove(r.id) });
      }
      case METHOD_STATUS:
        return encodeStatusResponse({
          header: h,
          version: f.version,
          dbSize: 20n * 1024n * 1024n,
          leader: membership.leaderId,
          raftIndex: 1000n,
          raftTerm: membership.raftTerm,
          raftAppliedIndex: 1000n,
          errors: [],
          dbSizeInUse: 16n * 1024n * 1024n,
          isLearner: false,
        });
      case METHOD_ALARM: {
        const r = decodeAlarmRequest(req);
        // GET lists (none raised); ACTIVATE/DEACTIVATE answer like etcd with no alarm state kept.
        if (r.action < 0 || r.action > 2) throw new GrpcError(GRPC_INVALID_ARGUMENT, 'invalid alarm action');
        return encodeAlarmResponse({ header: h, alarms: [] });
      }
      case METHOD_MOVE_LEADER: {
        const r = decodeMoveLeaderRequest(req);
        membership.moveLeader(f.memberId, r.targetId);
        return encodeMoveLeaderResponse({ header: header(f, membership) });
      }
      default:
        throw new GrpcError(
          GRPC_UNIMPLEMENTED,
          `unknown method ${path} (this fake etcd serves MemberList, MemberRemove, Status, Alarm, MoveLeader)`,
        );
    }
  } catch (err) {
    if (err instanceof EtcdMembershipError) throw new GrpcError(err.code, err.message);
    throw err;
  }
}
