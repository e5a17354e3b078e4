// Shared by the API server benchmarks: the server runs in its own process (so client work does
// not share its event loop) and is reached over HTTPS with keep-alive, like a controller would.
import https from 'node:https';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

export interface BenchServer {
  url: URL;
  token: string;
  caPem: string;
  child: ChildProcessByStdio<Writable, Readable, null>;
  rss(): Promise<{ rss: number; objects: number }>;
  stop(): Promise<void>;
}

export async function startBenchServer(nodeArgs: string[] = []): Promise<BenchServer> {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/run-ts.js', 'bench/apiserver-serve.ts', '--bench'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiters: Array<(l: string) => void> = [];
  lines.on('line', (l) => waiters.shift()?.(l));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const info = JSON.parse(await next()) as { url: string; token: string; caPem: string };
  return {
    url: new URL(info.url),
    token: info.token,
    caPem: info.caPem,
    child,
    async rss() {
      child.stdin.write('rss\n');
      const [rss, objects] = (await next()).split(' ').map(Number);
      return { rss: rss!, objects: objects! };
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export function client(
  s: BenchServer,
  maxSockets: number,
): (method: string, path: string, body?: string) => Promise<{ status: number; body: string }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca: s.caPem });
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          hostname: s.url.hostname,
          port: s.url.port,
          path,
          agent,
          headers: {
            Authorization: `Bearer ${s.token}`,
            'Content-Type': 'application/json',
            Accept: 'application/json',
            ...(body ? { 'Content-Length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
