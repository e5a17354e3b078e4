// The few etcd v3 API messages (etcdserverpb, api/etcdserverpb/rpc.proto) the fake etcd and
// its client exchange, encoded by hand.
//
// Why hand-written and not protobufjs: ten small messages of varints, strings and nested
// messages need about a hundred lines; protobufjs would add a dependency plus a .proto copy
// or reflection setup for them, and either side of the wire here is tested against the real
// etcd (etcdctl against the fake, the client against Debian's etcd), which pins the field
// numbers better than generated code would. 64-bit ids are bigint end to end, because etcd
// member and cluster ids use all 64 bits.

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

export interface Member {
  id: bigint;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: bigint;
  leader: bigint;
  raftIndex: bigint;
  raftTerm: bigint;
  raftAppliedIndex: bigint;
  errors: string[];
  dbSizeInUse: bigint;
  isLearner: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader;
  members: Member[];
}

/** AlarmRequest.action: GET = 0, ACTIVATE = 1, DEACTIVATE = 2. AlarmType: NONE = 0, NOSPACE = 1, CORRUPT = 2. */
export interface AlarmRequest {
  action: number;
  memberId: bigint;
  alarm: number;
}

export interface AlarmMember {
  memberId: bigint;
  alarm: number;
}

export interface AlarmResponse {
  header: ResponseHeader;
  alarms: AlarmMember[];
}

export interface MoveLeaderRequest {
  targetId: bigint;
}

export interface MoveLeaderResponse {
  header: ResponseHeader;
}

/** MemberRemoveRequest { uint64 ID = 1; } */
export interface MemberRemoveRequest {
  id: bigint;
}

/** MemberRemoveResponse { ResponseHeader header = 1; repeated Member members = 2; }: the members left. */
export interface MemberRemoveResponse {
  header: ResponseHeader;
  members: Member[];
}

// ---- wire primitives

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

class Writer {
  private readonly bytes: number[] = [];

  private varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** proto3: zero values are not written. */
  uint(field: number, v: bigint | number | boolean): this {
    const n = typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
    if (n !== 0n) {
      this.tag(field, WIRE_VARINT);
      this.varint(n);
    }
    return this;
  }

  bytesField(field: number, b: Uint8Array, always = false): this {
    if (b.length === 0 && !always) return this;
    this.tag(field, WIRE_LEN);
    this.varint(BigInt(b.length));
    for (const x of b) this.bytes.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, Buffer.from(s, 'utf8'));
  }

  strings(field: number, list: string[]): this {
    for (const s of list) this.bytesField(field, Buffer.from(s, 'utf8'), true);
    return this;
  }

  message(field: number, m: Buffer): this {
    return this.bytesField(field, m, true);
  }

  done(): Buffer {
    return Buffer.from(this.bytes);
  }
}

type FieldValue = bigint | Buffer;

/** Every field of a message in order; unknown wire types other than varint/len/fixed are an error. */
function fields(buf: Buffer): Array<[number, FieldValue]> {
  const out: Array<[number, FieldValue]> = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (at >= buf.length) throw new Error('truncated protobuf varint');
      const b = buf[at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 63n) throw new Error('protobuf varint too long');
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === WIRE_VARINT) out.push([field, varint()]);
    else if (wire === WIRE_LEN) {
      const len = Number(varint());
      if (at + len > buf.length) throw new Error('truncated protobuf field');
      out.push([field, buf.subarray(at, at + len)]);
      at += len;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const num = (v: FieldValue): bigint => (typeof v === 'bigint' ? v : 0n);
const buf = (v: FieldValue): Buffer => (typeof v === 'bigint' ? Buffer.alloc(0) : v);
const str = (v: FieldValue): string => buf(v).toString('utf8');
const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

// ---- messages

function encodeHeader(h: ResponseHeader): Buffer {
  return new Writer().uint(1, h.clusterId).uint(2, h.memberId).uint(3, h.revision).uint(4, h.raftTerm).done();
}

function decodeHeader(b: Buffer): ResponseHeader {
  const h: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
  for (const [f, v] of fields(b)) {
    if (f === 1) h.clusterId = num(v);
    else if (f === 2) h.memberId = num(v);
    else if (f === 3) h.revision = signed(num(v));
    else if (f === 4) h.raftTerm = num(v);
  }
  return h;
}

function encodeMember(m: Member): Buffer {
  return new Writer()
    .uint(1, m.id)
    .string(2, m.name)
    .strings(3, m.peerURLs)
    .strings(4, m.clientURLs)
    .uint(5, m.isLearner)
    .done();
}

function decodeMember(b: Buffer): Member {
  const m: Member = { id: 0n, name: '', peerURLs: [], clientURLs: [], isLearner: false };
  for (const [f, v] of fields(b)) {
    if (f === 1) m.id = num(v);
    else if (f === 2) m.name = str(v);
    else if (f === 3) m.peerURLs.push(str(v));
    else if (f === 4) m.clientURLs.push(str(v));
    else if (f === 5) m.isLearner = num(v) !== 0n;
  }
  return m;
}

export function encodeStatusResponse(s: StatusResponse): Buffer {
  return new Writer()
    .message(1, encodeHeader(s.header))
    .string(2, s.version)
    .uint(3, s.dbSize)
    .uint(4, s.leader)
    .uint(5, s.raftIndex)
    .uint(6, s.raftTerm)
    .uint(7, s.raftAppliedIndex)
    .strings(8, s.errors)
    .uint(9, s.dbSizeInUse)
    .uint(10, s.isLearner)
    .done();
}

export function decodeStatusResponse(b: Buffer): StatusResponse {
  const s: StatusResponse = {
    header: decodeHeader(Buffer.alloc(0)),
    version: '',
    dbSize: 0n,
    leader: 0n,
    raftIndex: 0n,
    raftTerm: 0n,
    raftAppliedIndex: 0n,
    errors: [],
    dbSizeInUse: 0n,
    isLearner: false,
  };
  for (const [f, v] of fields(b)) {
    if (f === 1) s.header = decodeHeader(buf(v));
    else if (f === 2) s.version = str(v);
    else if (f === 3) s.dbSize = signed(num(v));
    else if (f === 4) s.leader = num(v);
    else if (f === 5) s.raftIndex = num(v);
    else if (f === 6) s.raftTerm = num(v);
    else if (f === 7) s.raftAppliedIndex = num(v);
    else if (f === 8) s.errors.push(str(v));
    else if (f === 9) s.dbSizeInUse = signed(num(v));
    else if (f === 10) s.isLearner = num(v) !== 0n;
  }
  return s;
}

export function encodeMemberListResponse(r: MemberListResponse): Buffer {
  const w = new Writer().message(1, encodeHeader(r.header));
  for (const m of r.members) w.message(2, encodeMember(m));
  return w.done();
}

export function decodeMemberListResponse(b: Buffer): MemberListResponse {
  const r: MemberListResponse = { header: decodeHeader(Buffer.alloc(0)), members: [] };
  for (const [f, v] of fields(b)) {
    if (f === 1) r.header = decodeHeader(buf(v));
    else if (f === 2) r.members.push(decodeMember(buf(v)));
  }
  return r;
}

export function encodeAlarmRequest(r: AlarmRequest): Buffer {
  return new Writer().uint(1, r.action).uint(2, r.memberId).uint(3, r.alarm).done();
}

export function decodeAlarmRequest(b: Buffer): AlarmRequest {
  const r: AlarmRequest = { action: 0, memberId: 0n, alarm: 0 };
  for (const [f, v] of fields(b)) {
    if (f === 1) r.action = Number(num(v));
    else if (f === 2) r.memberId = num(v);
    else if (f === 3) r.alarm = Number(num(v));
  }
  return r;
}

export function encodeAlarmResponse(r: AlarmResponse): Buffer {
  const w = new Writer().message(1, encodeHeader(r.header));
  for (const a of r.alarms) w.message(2, new Writer().uint(1, a.memberId).uint(2, a.alarm).done());
  return w.done();
}

export function decodeAlarmResponse(b: Buffer): AlarmResponse {
  const r: AlarmResponse = { header: decodeHeader(Buffer.alloc(0)), alarms: [] };
  for (const [f, v] of fields(b)) {
    if (f === 1) r.header = decodeHeader(buf(v));
    else if (f === 2) {
      const a: AlarmMember = { memberId: 0n, alarm: 0 };
      for (const [af, av] of fields(buf(v))) {
        if (af === 1) a.memberId = num(av);
        else if (af === 2) a.alarm = Number(num(av));
      }
      r.alarms.push(a);
    }
  }
  return r;
}

export function encodeMoveLeaderRequest(r: MoveLeaderRequest): Buffer {
  return new Writer().uint(1, r.targetId).done();
}

export function decodeMoveLeaderRequest(b: Buffer): MoveLeaderRequest {
  const r: MoveLeaderRequest = { targetId: 0n };
  for (const [f, v] of fields(b)) if (f === 1) r.targetId = num(v);
  return r;
}

export function encodeMoveLeaderResponse(r: MoveLeaderResponse): Buffer {
  return new Writer().message(1, encodeHeader(r.header)).done();
}

export function decodeMoveLeaderResponse(b: Buffer): MoveLeaderResponse {
  const r: MoveLeaderResponse = { header: decodeHeader(Buffer.alloc(0)) };
  for (const [f, v] of fields(b)) if (f === 1) r.header = decodeHeader(buf(v));
  return r;
}

export function encodeMemberRemoveRequest(r: MemberRemoveRequest): Buffer {
  return new Writer().uint(1, r.id).done();
}

export function decodeMemberRemoveRequest(b: Buffer): MemberRemoveRequest {
  const r: MemberRemoveRequest = { id: 0n };
  for (const [f, v] of fields(b)) if (f === 1) r.id = num(v);
  return r;
}

/** Same fields as MemberListResponse (header 1, members 2). */
export const encodeMemberRemoveResponse = (r: MemberRemoveResponse): Buffer => encodeMemberListResponse(r);
export const decodeMemberRemoveResponse = (b: Buffer): MemberRemoveResponse => decodeMemberListResponse(b);

/** MemberListRequest { bool linearizable = 1; } and StatusRequest {} */
export function encodeMemberListRequest(linearizable: boolean): Buffer {
  return new Writer().uint(1, linearizable).done();
}

// ---- gRPC message framing: 1 byte compressed flag, 4 bytes big-endian length, the message.

export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = 0;
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The first message of a unary body; compressed messages are refused (nothing here negotiates compression). */
export function grpcUnframe(body: Buffer): Buffer {
  if (body.length < 5) throw new Error('gRPC body shorter than a message header');
  if (body[0] !== 0) throw new Error('compressed gRPC messages are not supported');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new Error('truncated gRPC message');
  return body.subarray(5, 5 + len);
}

export const METHOD_MEMBER_LIST = '/etcdserverpb.Cluster/MemberList';
export const METHOD_STATUS = '/etcdserverpb.Maintenance/Status';
export const METHOD_ALARM = '/etcdserverpb.Maintenance/Alarm';
export const METHOD_MOVE_LEADER = '/etcdserverpb.Maintenance/MoveLeader';
export const METHOD_MEMBER_REMOVE = '/etcdserverpb.Cluster/MemberRemove';
