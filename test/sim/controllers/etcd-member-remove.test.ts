// The fake etcd's membership against the real etcd (Debian's etcd-server and etcdctl), at
// the gRPC level KCP uses: Cluster.MemberRemove of an id that is no member answers what etcd
// answers (the same gRPC code and text through our client, the same etcdctl error and exit
// code); MemberRemove of a member takes it out of MemberList, and its etcd stops answering;
// MoveLeader is served by the leader only; and a farm restart serves the same members and
// leader (the membership is saved with the cluster's state).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCert, type CertKeyPair } from '../../../src/core/pki/index.js';
import { EtcdClient, EtcdGrpcCallError } from '../../../src/sim/etcd-grpc/client.js';
import { EtcdGrpcService } from '../../../src/sim/etcd-grpc/server.js';
import { EtcdMembership } from '../../../src/sim/etcd-grpc/membership.js';
import { etcdServingCert } from '../../../src/sim/etcd-grpc/member.js';
import { duplexPair } from '../../../src/sim/portforward/duplex-pair.js';
import { Farm } from '../../../src/sim/farm/farm.js';
import { openPortForward } from '../../../src/sim/portforward/client.js';
import { portForwardEndpoint } from '../../../src/sim/controllers/kcp-etcd.js';
import { KubeConfig } from '@kubernetes/client-node';
import { requireEtcd, startEtcd, type TestEtcd } from '../../support/etcd-server.js';
import { kubectlPortForward, run } from '../../support/forward-cluster.js';
import { freePortBlock } from '../../support/ports.js';
import { clusterPki, type ClusterPki } from './fixtures.js';

const skip = requireEtcd();
const NS = 'etcd-rm';
const NODES = ['etcd-rm-cp-a', 'etcd-rm-cp-b', 'etcd-rm-cp-c'];
/** An id no member has (etcdctl takes it in hex). */
const BAD_ID = 0x1234n;

let dir: string;
let farm: Farm;
let pki: ClusterPki;
let real: TestEtcd;
let client: CertKeyPair;

async function openFarm(): Promise<Farm> {
  return Farm.open({ stateDir: join(dir, 'state'), basePort: farmPort });
}
let farmPort = 0;

/** Our etcd client on the farm cluster's `etcd-<node>` pod, through pods/portforward. */
async function fakeEtcd(node: string): Promise<EtcdClient> {
  const kc = new KubeConfig();
  kc.loadFromString(farm.kubeconfig(NS, NS));
  const stream = await openPortForward({
    ...portForwardEndpoint(kc),
    namespace: 'kube-system',
    pod: `etcd-${node}`,
    port: 2379,
    deadlineMs: 5_000,
  });
  return EtcdClient.connect({ stream, caPem: pki.etcdCa.certPem, ...client, deadlineMs: 5_000 });
}

/** Our etcd client on the real etcd, over TCP. */
async function realEtcd(): Promise<EtcdClient> {
  const port = Number(new URL(real.endpoint).port);
  const stream = connect(port, '127.0.0.1');
  const root = real.ca.issue('root');
  return EtcdClient.connect({ stream, caPem: real.ca.certPem, ...root, deadlineMs: 5_000 });
}

async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EtcdGrpcCallError);
  const e = err as EtcdGrpcCallError;
  // The client's message is `etcd <method>: <grpc-message> (grpc status N)`.
  return { code: e.code, message: /^etcd \S+: (.*) \(grpc status \d+\)$/.exec(e.message)?.[1] ?? e.message };
}

describe('the fake etcd service keeps nothing for a cluster it forgot', () => {
  it('forgetCluster drops the cluster’s membership and its members’ TLS servers, not another’s', async () => {
    const p = await clusterPki();
    const svc = new EtcdGrpcService();
    const serve = (cluster: string, node: string) => {
      const [client, server] = duplexPair();
      const membership = new EtcdMembership(cluster);
      membership.join(node, '192.0.2.1');
      svc.serveEtcd(
        server,
        {
          cluster,
          memberName: node,
          nodeIp: '192.0.2.1',
          caPem: p.etcdCa.certPem,
          ...etcdServingCert(p.etcdCa, node, '192.0.2.1'),
        },
        membership,
      );
      client.destroy();
    };
    serve('ns/one', 'one-a');
    serve('ns/one', 'one-b');
    serve('ns/two', 'two-a');
    expect(svc.kept).toEqual({ clusters: 2, tlsServers: 3 });
    svc.forgetCluster('ns/one');
    expect(svc.kept).toEqual({ clusters: 1, tlsServers: 1 });
    svc.close();
  });
});

describe.skipIf(skip)('the fake etcd membership, against the real etcd', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etcd-rm-'));
    farmPort = await freePortBlock(2);
    farm = await openFarm();
    pki = await clusterPki();
    client = issueCert(pki.etcdCa, { commonName: 'cluster-api.x-k8s.io', usage: 'client' });
    await farm.register({ cluster: NS, namespace: NS, ca: pki.ca, etcdCa: pki.etcdCa });
    // kubeadm init on the first node, then two joins.
    for (const nodeName of NODES) farm.updateNode({ cluster: NS, namespace: NS, nodeName });
    real = await startEtcd();
  }, 60_000);

  afterAll(async () => {
    await farm?.close();
    await real?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('MemberRemove of an unknown id: the same gRPC code and message as etcd', async () => {
    const r = await realEtcd();
    const f = await fakeEtcd(NODES[0]!);
    try {
      const fromReal = await refusal(r.memberRemove(BAD_ID));
      const fromFake = await refusal(f.memberRemove(BAD_ID));
      expect(fromReal).toEqual({ code: 5, message: 'etcdserver: member not found' });
      expect(fromFake).toEqual(fromReal);
      // Nothing was removed.
      expect((await f.memberList()).members.map((m) => m.name)).toEqual(NODES);
    } finally {
      r.close();
      f.close();
    }
  });

  it('etcdctl member remove of an unknown id: the same error line and exit code from both', async () => {
    const files = (name: string, pair: CertKeyPair, ca: string) => {
      const base = join(dir, name);
      writeFileSync(`${base}.crt`, pair.certPem);
      writeFileSync(`${base}.key`, pair.keyPem, { mode: 0o600 });
      writeFileSync(`${base}-ca.crt`, ca);
      return [`--cacert=${base}-ca.crt`, `--cert=${base}.crt`, `--key=${base}.key`];
    };
    const etcdctl = (endpoint: string, tls: string[], ...args: string[]) =>
      run('etcdctl', [`--endpoints=${endpoint}`, ...tls, '--dial-timeout=5s', '--command-timeout=5s', ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
      });
    const realTls = files('real', real.ca.issue('root'), real.ca.certPem);
    const fakeTls = files('fake', client, pki.etcdCa.certPem);
    writeFileSync(join(dir, 'kubeconfig'), farm.kubeconfig(NS, NS), { mode: 0o600 });
    const pf = await kubectlPortForward(join(dir, 'kubeconfig'), `etcd-${NODES[0]}`, 2379, 'websocket');
    try {
      const fromReal = await etcdctl(real.endpoint, realTls, 'member', 'remove', BAD_ID.toString(16));
      const fromFake = await etcdctl(
        `https://127.0.0.1:${pf.localPort}`,
        fakeTls,
        'member',
        'remove',
        BAD_ID.toString(16),
      );
      const errorLine = (s: string) => s.split('\n').find((l) => l.startsWith('Error:'));
      expect(fromReal.code).toBe(1);
      expect(errorLine(fromReal.stderr)).toBe('Error: etcdserver: member not found');
      expect(fromFake.code).toBe(fromReal.code);
      expect(errorLine(fromFake.stderr)).toBe(errorLine(fromReal.stderr));
      // The member list etcdctl sees names every node, the first one leading.
      const list = await etcdctl(`https://127.0.0.1:${pf.localPort}`, fakeTls, 'member', 'list', '-w', 'json');
      expect(list.code).toBe(0);
      const names = (JSON.parse(list.stdout) as { members: Array<{ name: string }> }).members.map((m) => m.name);
      expect(names).toEqual(NODES);
    } finally {
      await pf.stop();
    }
  });

  it('MoveLeader only on the leader; MemberRemove takes the member out, its etcd stops; a restart keeps it so', async () => {
    const a = await fakeEtcd(NODES[0]!);
    const b = await fakeEtcd(NODES[1]!);
    let leaderAfterMove: bigint;
    try {
      const members = (await a.memberList()).members;
      const id = (name: string) => members.find((m) => m.name === name)!.id;
      expect((await a.status()).leader).toBe(id(NODES[0]!));
      // A follower refuses, as etcd's maintenance server does.
      expect(await refusal(b.moveLeader(id(NODES[1]!)))).toEqual({ code: 9, message: 'etcdserver: not leader' });
      expect(await refusal(a.moveLeader(BAD_ID))).toEqual({ code: 9, message: 'etcdserver: bad leader transferee' });
      await a.moveLeader(id(NODES[2]!));
      leaderAfterMove = (await b.status()).leader;
      expect(leaderAfterMove).toBe(id(NODES[2]!));
      const left = await b.memberRemove(id(NODES[0]!));
      expect(left.members.map((m) => m.name)).toEqual(NODES.slice(1));
      expect((await b.memberList()).members.map((m) => m.name)).toEqual(NODES.slice(1));
      // The same id again: etcd's answer for an id that is gone.
      expect(await refusal(b.memberRemove(id(NODES[0]!)))).toEqual({
        code: 5,
        message: 'etcdserver: member not found',
      });
    } finally {
      a.close();
      b.close();
    }
    // The removed member's etcd has stopped: its pod's 2379 refuses.
    await expect(fakeEtcd(NODES[0]!)).rejects.toThrow(/connection refused/);

    await farm.close();
    farm = await openFarm();
    const c = await fakeEtcd(NODES[1]!);
    try {
      expect((await c.memberList()).members.map((m) => m.name)).toEqual(NODES.slice(1));
      expect((await c.status()).leader).toBe(leaderAfterMove);
    } finally {
      c.close();
    }
    await expect(fakeEtcd(NODES[0]!)).rejects.toThrow(/connection refused/);
  }, 60_000);
});
