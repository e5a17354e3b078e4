// Shared plumbing for the conformance suites: a cluster (embedded or SCALE_TUI_TEST_KUBECONFIG),
// client-node clients, raw HTTPS requests with the kubeconfig's credentials, and kubectl.
import https from 'node:https';
import { execFile } from 'node:child_process';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { testCluster, uniqueName, type TestCluster } from '../../../support/test-cluster.js';
import type { ApiServerOptions } from '../../../../src/sim/apiserver/index.js';

export interface Conn {
  tc: TestCluster;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  raw(method: string, path: string, body?: string, contentType?: string, accept?: string): Promise<RawResponse>;
  /** Opens a streaming GET (watch, log follow); lines are handed to onLine. */
  stream(
    path: string,
    onLine: (line: string) => void,
  ): Promise<{ res: import('node:http').IncomingMessage; close(): void }>;
  /** A raw request with a wrong bearer token and no client certificate. */
  unauthenticated(path: string): Promise<number>;
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Creates a namespace for this suite; removed by close(). */
  namespace(prefix: string): Promise<string>;
  close(): Promise<void>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

/** Options only the embedded server honours (small watch history, fast bookmarks...). */
export async function connect(embeddedOpts: Omit<ApiServerOptions, 'dataDir'> = {}): Promise<Conn> {
  const tc = await testCluster(embeddedOpts);
  const kc = new KubeConfig();
  kc.loadFromString(tc.kubeconfigYaml);
  const server = new URL(kc.getCurrentCluster()!.server);
  const namespaces: string[] = [];
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  const conn: Conn = {
    tc,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    async raw(method, path, body, contentType = 'application/json', accept = 'application/json') {
      const opts: https.RequestOptions = {
        method,
        hostname: server.hostname,
        port: server.port,
        path,
        headers: { Accept: accept },
        agent,
      };
      await kc.applyToHTTPSOptions(opts);
      if (body !== undefined) (opts.headers as Record<string, string>)['Content-Type'] = contentType;
      return new Promise<RawResponse>((resolve, reject) => {
        const req = https.request(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: () => JSON.parse(text) as Record<string, unknown>,
            });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    },
    async stream(path, onLine) {
      // Own connection, no idle timeout: the global agent would drop a paused stream after 5 s.
      const opts: https.RequestOptions = {
        method: 'GET',
        hostname: server.hostname,
        port: server.port,
        path,
        headers: { Accept: 'application/json' },
        agent: false,
      };
      await kc.applyToHTTPSOptions(opts);
      return new Promise((resolve, reject) => {
        const req = https.request(opts, (res) => {
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            buf += d;
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              onLine(buf.slice(0, i));
              buf = buf.slice(i + 1);
            }
          });
          res.on('error', () => {});
          resolve({ res, close: () => req.destroy() });
        });
        req.on('error', reject);
        req.end();
      });
    },
    async unauthenticated(path) {
      const opts: https.RequestOptions = {
        method: 'GET',
        hostname: server.hostname,
        port: server.port,
        path,
        agent: false,
      };
      await kc.applyToHTTPSOptions(opts);
      // applyToHTTPSOptions also builds an Agent carrying the kubeconfig's client certificate:
      // with it the server authenticates by certificate whatever the token says (a real
      // cluster's admin kubeconfig does exactly that). A fresh connection with only the server
      // CA presents no certificate, so the wrong token alone decides, however the cluster
      // authenticates its users.
      opts.agent = false;
      delete opts.cert;
      delete opts.key;
      delete opts.pfx;
      delete opts.passphrase;
      opts.headers = { Authorization: 'Bearer not-a-valid-token' };
      return new Promise((resolve, reject) => {
        const req = https.request(opts, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    },
    kubectl(args, stdin) {
      return new Promise((resolve) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', tc.kubeconfigPath, ...args],
          { timeout: 60_000, maxBuffer: 16 << 20 },
          (err, stdout, stderr) => {
            const code = err
              ? typeof (err as { code?: unknown }).code === 'number'
                ? (err as { code: number }).code
                : 1
              : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (stdin !== undefined) child.stdin?.end(stdin);
      });
    },
    async namespace(prefix) {
      const name = uniqueName(prefix);
      await conn.core.createNamespace({
        body: { metadata: { name, labels: { 'scale-tui.metal3.io/test': 'conformance' } } },
      });
      namespaces.push(name);
      return name;
    },
    async close() {
      for (const ns of namespaces) {
        try {
          await conn.core.deleteNamespace({ name: ns });
        } catch {
          // already gone
        }
      }
      agent.destroy();
      await tc.cleanup();
    },
  };
  return conn;
}

/** Polls until fn returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function code(err: unknown): number | undefined {
  const c = (err as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

/** The Status body client-node attaches to an ApiException. */
export function statusBody(err: unknown): Record<string, unknown> {
  const b = (err as { body?: unknown }).body;
  if (typeof b === 'string') return JSON.parse(b) as Record<string, unknown>;
  return (b ?? {}) as Record<string, unknown>;
}
