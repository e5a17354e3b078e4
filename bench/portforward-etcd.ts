// etcd Status through pod port-forward, as KCP checks a workload cluster's etcd: 100
// concurrent sessions, each its own port-forward (SPDY over WebSocket, kubectl's and KCP's
// default) to the etcd pod of the embedded API server and its own TLS + gRPC connection to
// the fake etcd behind it, each calling Maintenance.Status every 500 ms for 10 s (open loop:
// a call goes out on schedule whether or not the previous one returned, so slow answers show
// as latency instead of slowing the load down). That is 200 Status/s in all, twice what KCP
// would send for 1000 clusters if it checked each cluster's etcd every 10 s. The server runs in
// a separate process (bench/portforward-etcd-serve.ts). Target: p99 under 50 ms.
// (A closed loop of 100 callers back to back measures throughput, not latency: its p50 is just
// 100 / rate, for the real etcd too.)
//
// Reference, measured in the same run: the same client, the same 100 sessions and the same
// Status calls against a real etcd (Debian's etcd-server, TLS with client certificates) over
// direct TCP connections, no port-forward in between.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { issueCert, type CertKeyPair } from '../src/core/pki/index.js';
import { EtcdClient } from '../src/sim/etcd-grpc/client.js';
import { openPortForward } from '../src/sim/portforward/client.js';
import { startEtcd } from '../test/support/etcd-server.js';
import { verdict } from './verdict.js';

const SESSIONS = 100;
const CALLS_PER_SESSION = 20;
const CALL_INTERVAL_MS = 500;
const P99_TARGET_MS = 50;
const DEADLINE_MS = 10_000;

interface Figures {
  opens: number[];
  calls: number[];
  seconds: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(
  open: () => Promise<{ stream: Duplex; caPem: string; cert: CertKeyPair }>,
  afterOpen: () => Promise<void> = async () => {},
): Promise<Figures> {
  const opens: number[] = [];
  const calls: number[] = [];
  const started = performance.now();
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const t0 = performance.now();
      const { stream, caPem, cert } = await open();
      const c = await EtcdClient.connect({ stream, caPem, ...cert, deadlineMs: DEADLINE_MS });
      await c.status();
      opens.push(performance.now() - t0);
      return c;
    }),
  );
  await afterOpen();
  const loadStart = performance.now();
  await Promise.all(
    clients.map(async (c, n) => {
      // Sessions are spread over the interval so the load is even, not 100 calls at once.
      const offset = (n / SESSIONS) * CALL_INTERVAL_MS;
      const pending: Promise<void>[] = [];
      for (let i = 0; i < CALLS_PER_SESSION; i++) {
        const due = loadStart + offset + i * CALL_INTERVAL_MS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t0 = performance.now();
        pending.push(
          c.status().then((s) => {
            calls.push(performance.now() - t0);
            if (s.leader === 0n) throw new Error('Status reported no leader');
          }),
        );
      }
      await Promise.all(pending);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  opens.sort((a, b) => a - b);
  calls.sort((a, b) => a - b);
  return { opens, calls, seconds };
}

function print(label: string, f: Figures): void {
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  console.log(
    `${label}: ${f.calls.length} Status calls over ${SESSIONS} concurrent sessions in ${f.seconds.toFixed(2)} s` +
      ` (${Math.round(f.calls.length / f.seconds)}/s); call p50 ${ms(pct(f.calls, 50))} p99 ${ms(pct(f.calls, 99))}` +
      ` max ${ms(f.calls[f.calls.length - 1]!)}; session open p50 ${ms(pct(f.opens, 50))} p99 ${ms(pct(f.opens, 99))}`,
  );
}

// ---- the farm path: port-forward to the fake etcd
const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/portforward-etcd-serve.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const serverLines = createInterface({ input: child.stdout });
const nextLine = (): Promise<string> =>
  new Promise<string>((resolve, reject) => {
    serverLines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it answered`)));
  });
const firstLine = await nextLine();
/** CPU ms the server process has used so far. */
const serverCpuMs = async (): Promise<number> => {
  child.stdin.write('cpu\n');
  return Number(await nextLine());
};
const info = JSON.parse(firstLine) as { url: string; caPem: string; token: string; pod: string; etcdCa: CertKeyPair };
const kcpCert = issueCert(info.etcdCa, { commonName: 'capi-kcp-etcd-client', usage: 'client' });
const cpuBefore = { server: await serverCpuMs(), client: process.cpuUsage() };
const cpuOpened = { server: 0, client: process.cpuUsage() };
const forwarded = await measure(
  async () => ({
    stream: await openPortForward({
      server: info.url,
      caPem: info.caPem,
      token: info.token,
      namespace: 'kube-system',
      pod: info.pod,
      port: 2379,
      deadlineMs: DEADLINE_MS,
    }),
    caPem: info.etcdCa.certPem,
    cert: kcpCert,
  }),
  async () => {
    cpuOpened.server = await serverCpuMs();
    cpuOpened.client = process.cpuUsage();
  },
);
// CPU per Status call (session set-up included) tells what the machine's other load hides.
const ms = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const serverEnd = await serverCpuMs();
const cpu = {
  openServer: (cpuOpened.server - cpuBefore.server) / SESSIONS,
  openClient: ms(process.cpuUsage(cpuBefore.client)) / SESSIONS - ms(process.cpuUsage(cpuOpened.client)) / SESSIONS,
  callServer: (serverEnd - cpuOpened.server) / forwarded.calls.length,
  callClient: ms(process.cpuUsage(cpuOpened.client)) / forwarded.calls.length,
};
child.stdin.end();
await new Promise((r) => child.once('exit', r));

// ---- the reference: a real etcd, direct TLS connections
const etcd = await startEtcd();
const endpoint = new URL(etcd.endpoint);
const refCert = etcd.ca.issue('capi-kcp-etcd-client');
let reference: Figures;
try {
  reference = await measure(async () => ({
    stream: await new Promise<Duplex>((resolve, reject) => {
      const s = connect(Number(endpoint.port), endpoint.hostname, () => resolve(s));
      s.once('error', reject);
    }),
    caPem: etcd.ca.certPem,
    cert: refCert,
  }));
} finally {
  await etcd.stop();
}

print('fake etcd through port-forward (websocket)', forwarded);
print('real etcd, direct TLS (reference)        ', reference);
console.log(
  `CPU per forwarded Status call: server ${cpu.callServer.toFixed(2)} ms, client ${cpu.callClient.toFixed(2)} ms;` +
    ` per session set-up (port-forward + etcd TLS): server ${cpu.openServer.toFixed(2)} ms, client ${cpu.openClient.toFixed(2)} ms`,
);
const p99 = pct(forwarded.calls, 99);
const refP99 = pct(reference.calls, 99);
console.log(`p99 ratio port-forward/fake : direct/real etcd = ${(p99 / refP99).toFixed(2)}x`);
verdict('portforward-etcd', [
  {
    what: `Status p99 through port-forward ${p99.toFixed(2)} ms < ${P99_TARGET_MS} ms at ${SESSIONS} sessions`,
    met: p99 < P99_TARGET_MS,
  },
  {
    what: `every one of ${SESSIONS * CALLS_PER_SESSION} forwarded Status calls answered`,
    met: forwarded.calls.length === SESSIONS * CALLS_PER_SESSION,
  },
]);
