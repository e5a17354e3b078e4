// An etcd v3 client for the calls KCP makes (MemberList, Status, Alarm list, MoveLeader,
// MemberRemove) over
// any byte stream: a port-forward to the etcd pod (openPortForward), or a TCP socket to a real
// etcd. TLS with the cluster's etcd CA and a client certificate from it, then gRPC over HTTP/2.
//
// Like KCP's client it does not check the server's host name (KCP sets InsecureSkipVerify,
// because it reaches members through pod port-forwards, whose names are not in the
// certificate); unlike KCP it still verifies that the server certificate chains to the CA.
//
// Interface: const c = await EtcdClient.connect({ stream, caPem, certPem, keyPem, deadlineMs });
//   await c.memberList(); await c.status(); await c.alarmList(); await c.moveLeader(id);
//   await c.memberRemove(id); c.close();
import http2, { type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import {
  METHOD_ALARM,
  METHOD_MEMBER_LIST,
  METHOD_MEMBER_REMOVE,
  METHOD_MOVE_LEADER,
  METHOD_STATUS,
  decodeAlarmResponse,
  decodeMemberListResponse,
  decodeMemberRemoveResponse,
  decodeMoveLeaderResponse,
  decodeStatusResponse,
  encodeAlarmRequest,
  encodeMemberListRequest,
  encodeMemberRemoveRequest,
  encodeMoveLeaderRequest,
  grpcFrame,
  grpcUnframe,
  type AlarmResponse,
  type MemberListResponse,
  type MemberRemoveResponse,
  type MoveLeaderResponse,
  type StatusResponse,
} from './proto.js';

export interface EtcdClientOptions {
  /** The connected byte stream to the member's client port. */
  stream: Duplex;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Deadline for the TLS handshake and for each call. */
  deadlineMs: number;
}

export class EtcdGrpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class EtcdClient {
  private constructor(
    private readonly session: ClientHttp2Session,
    private readonly deadlineMs: number,
  ) {}

  static connect(o: EtcdClientOptions): Promise<EtcdClient> {
    return new Promise((resolve, reject) => {
      const tls = tlsConnect({
        socket: o.stream,
        ca: o.caPem,
        cert: o.certPem,
        key: o.keyPem,
        ALPNProtocols: ['h2'],
        checkServerIdentity: () => undefined,
      });
      const timer = setTimeout(() => {
        tls.destroy();
        reject(new Error(`etcd TLS handshake did not finish within ${o.deadlineMs} ms`));
      }, o.deadlineMs);
      tls.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`etcd TLS: ${err.message}`));
      });
      tls.once('secureConnect', () => {
        clearTimeout(timer);
        const session = http2.connect('https://etcd', { createConnection: () => tls });
        session.on('error', () => {});
        resolve(new EtcdClient(session, o.deadlineMs));
      });
    });
  }

  memberList(): Promise<MemberListResponse> {
    return this.call(METHOD_MEMBER_LIST, encodeMemberListRequest(false)).then(decodeMemberListResponse);
  }

  status(): Promise<StatusResponse> {
    return this.call(METHOD_STATUS, Buffer.alloc(0)).then(decodeStatusResponse);
  }

  alarmList(): Promise<AlarmResponse> {
    return this.call(METHOD_ALARM, encodeAlarmRequest({ action: 0, memberId: 0n, alarm: 0 })).then(decodeAlarmResponse);
  }

  moveLeader(targetId: bigint): Promise<MoveLeaderResponse> {
    return this.call(METHOD_MOVE_LEADER, encodeMoveLeaderRequest({ targetId })).then(decodeMoveLeaderResponse);
  }

  /** Cluster.MemberRemove: the members left. */
  memberRemove(id: bigint): Promise<MemberRemoveResponse> {
    return this.call(METHOD_MEMBER_REMOVE, encodeMemberRemoveRequest({ id })).then(decodeMemberRemoveResponse);
  }

  close(): void {
    this.session.close();
    this.session.destroy();
  }

  private call(path: string, message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.session.destroyed || this.session.closed) {
        reject(new Error('etcd connection is closed'));
        return;
      }
      const req = this.session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${this.deadlineMs}m`,
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let statusMessage = '';
      const timer = setTimeout(() => {
        req.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`etcd ${path}: no answer within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      const grpcStatus = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] !== undefined) {
          status = String(h['grpc-status']);
          statusMessage = decodeURIComponent(String(h['grpc-message'] ?? ''));
        }
      };
      req.on('response', grpcStatus);
      req.on('trailers', grpcStatus);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`etcd ${path}: ${err.message}`));
      });
      req.on('end', () => {
        clearTimeout(timer);
        if (status === undefined) reject(new Error(`etcd ${path}: the answer had no grpc-status`));
        else if (status !== '0')
          reject(new EtcdGrpcCallError(Number(status), `etcd ${path}: ${statusMessage} (grpc status ${status})`));
        else {
          try {
            resolve(grpcUnframe(Buffer.concat(chunks)));
          } catch (err) {
            reject(err);
          }
        }
      });
      req.end(grpcFrame(message));
    });
  }
}
