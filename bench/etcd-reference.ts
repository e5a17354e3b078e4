// The write reference measured in the same run as the embedded API server: a real etcd
// (Debian's etcd-server) on loopback, fresh data dir, written through its own gRPC KV.Put
// (the path kube-apiserver's storage layer uses) by N concurrent callers over one HTTP/2
// channel, as kube-apiserver multiplexes its etcd client. Values are the same 3 kB payload
// the API server bench stores in a Secret, keys laid out as kube-apiserver lays them.
// Whatever kube-apiserver + etcd reach on this machine is at most etcd's own put rate, so
// this is a ceiling for the real stack, not a guess of it.
// PutRequest is encoded by hand (key = field 1, value = field 2, both bytes): two fields
// do not justify a .proto loader.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials } from '@grpc/grpc-js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function field(tag: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
}

export function encodePut(key: string, value: string): Buffer {
  return Buffer.concat([field(0x0a, Buffer.from(key)), field(0x12, Buffer.from(value))]);
}

export interface EtcdPutResult {
  puts: number;
  errors: number;
  seconds: number;
  rate: number;
  version: string;
}

/** Starts etcd, warms up for 1 s, then puts for `seconds` with `callers` in flight. */
export async function measureEtcdPuts(callers: number, seconds: number, payload: string): Promise<EtcdPutResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = spawn(
    'etcd',
    [
      '--name=bench',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bench=${peerUrl}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  etcd.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  const version = await new Promise<string>((resolve) => {
    const v = spawn('etcd', ['--version']);
    let out = '';
    v.stdout.on('data', (c: Buffer) => (out += c.toString()));
    v.on('close', () => resolve(/etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown'));
  });
  const client = new Client(`127.0.0.1:${clientPort}`, credentials.createInsecure());
  const put = (key: string): Promise<void> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        '/etcdserverpb.KV/Put',
        (b: Buffer) => b,
        (b: Buffer) => b,
        encodePut(key, payload),
        { deadline: Date.now() + 10_000 },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  try {
    // Ready when a put succeeds (deadline 20 s).
    const readyBy = Date.now() + 20_000;
    for (;;) {
      try {
        await put('/registry/bench/ready');
        break;
      } catch (err) {
        if (Date.now() > readyBy || etcd.exitCode !== null)
          throw new Error(`etcd did not come up: ${(err as Error).message}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let puts = 0;
    let errors = 0;
    const run = async (worker: number, until: number): Promise<void> => {
      for (let i = 0; Date.now() < until; i++) {
        try {
          await put(`/registry/secrets/default/s-${worker}-${i}`);
          puts++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: callers }, (_, w) => run(1000 + w, Date.now() + 1000)));
    puts = 0;
    errors = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: callers }, (_, w) => run(w, Date.now() + seconds * 1000)));
    const secs = (performance.now() - t0) / 1000;
    return { puts, errors, seconds: secs, rate: puts / secs, version };
  } finally {
    client.close();
    etcd.kill('SIGTERM');
    await new Promise((r) => (etcd.exitCode !== null ? r(undefined) : etcd.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}
