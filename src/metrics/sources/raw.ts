// Plain HTTPS requests to an API server with the kubeconfig's credentials, for the paths
// client-node has no typed call for: aggregated metrics, pod log streams, the pod proxy.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOpts {
  method?: string;
  accept?: string;
  body?: string;
  /** Deadline for the response headers and body (default 15 s). */
  timeoutMs?: number;
}

async function open(kc: KubeConfig, path: string, o: RequestOpts = {}): Promise<import('node:http').IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: import('node:https').RequestOptions = {
    method: o.method ?? 'GET',
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers: {
      accept: o.accept ?? 'application/json',
      ...(o.body !== undefined
        ? { 'content-length': Buffer.byteLength(o.body), 'content-type': 'application/json' }
        : {}),
    },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, resolve);
    req.on('error', reject);
    req.setTimeout(o.timeoutMs ?? 15_000, () => req.destroy(new Error(`${opts.method} ${path} timed out`)));
    req.end(o.body);
  });
}

export async function getJson<T>(kc: KubeConfig, path: string): Promise<T> {
  const text = await getText(kc, path);
  return JSON.parse(text) as T;
}

export async function getText(kc: KubeConfig, path: string, o: RequestOpts = {}): Promise<string> {
  const res = await open(kc, path, o);
  const chunks: Buffer[] = [];
  // The socket timeout covers idle gaps only; a whole-body deadline keeps a slow drip bounded.
  const deadline = setTimeout(
    () => res.destroy(new Error(`${o.method ?? 'GET'} ${path} timed out`)),
    o.timeoutMs ?? 15_000,
  );
  try {
    for await (const c of res) chunks.push(c as Buffer);
  } finally {
    clearTimeout(deadline);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  if ((res.statusCode ?? 0) >= 300)
    throw new HttpStatusError(
      res.statusCode ?? 0,
      `${o.method ?? 'GET'} ${path}: ${res.statusCode} ${body.slice(0, 200)}`,
    );
  return body;
}

/** Streams a followed pod log line by line until `signal` aborts or the server ends it. */
export async function followLog(
  kc: KubeConfig,
  path: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await open(kc, path);
  if ((res.statusCode ?? 0) >= 300) {
    res.resume();
    throw new HttpStatusError(res.statusCode ?? 0, `GET ${path}: ${res.statusCode}`);
  }
  const stop = (): void => void res.destroy();
  signal.addEventListener('abort', stop, { once: true });
  let rest = '';
  try {
    for await (const chunk of res) {
      rest += (chunk as Buffer).toString('utf8');
      for (let i = rest.indexOf('\n'); i >= 0; i = rest.indexOf('\n')) {
        onLine(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  if (rest) onLine(rest);
}
