// The HTTP plumbing under the API routes: JSON responses and Status bodies, reading a request
// body with kube-apiserver's 3 MiB limit, decoding a JSON or YAML object body, and the query
// and body options of writes and deletes (dryRun, fieldValidation, fieldManager, force,
// propagationPolicy, preconditions) and the Warning header that carries validation warnings.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { WriteOptions, DeleteOptions } from './objects.js';
import { ApiStatusError, badRequest, type StatusBody } from './status.js';
import { isObject, type JsonObject } from './patch.js';
import type { FieldValidation } from './validation.js';

/**
 * An HTTPS server with the connection timings both the embedded API server and the farm's
 * per-cluster servers keep: idle keep-alive 65 s (longer than clients' idle pools, so the
 * server is not the side that drops a reused connection mid-request), 70 s for headers, and
 * no whole-request limit (watches, logs -f, exec and port-forward streams run for hours).
 * Upgrades (exec, port-forward) go to `onUpgrade`.
 */
export function kubeHttpsServer(
  tls: https.ServerOptions,
  onRequest: RequestListener,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): https.Server {
  const server = https.createServer({ ...tls, keepAliveTimeout: 65_000 }, onRequest);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  server.on('upgrade', onUpgrade);
  return server;
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };

export function send(res: ServerResponse, code: number, body: string, extra?: Record<string, string>): void {
  res.writeHead(code, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

export function sendStatus(res: ServerResponse, s: StatusBody, extra?: Record<string, string>): void {
  send(res, s.code, JSON.stringify(s), extra);
}

/** kube-apiserver's request body limit (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ApiStatusError(413, 'RequestEntityTooLarge', 'the request is too large: limit is 3MB'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

export function parseObjectBody(raw: string, contentType: string | undefined): JsonObject {
  let v: unknown;
  const ct = (contentType ?? '').toLowerCase();
  if (ct && !ct.includes('json') && !ct.includes('yaml')) {
    // Protobuf and CBOR are not spoken here; client-go falls back to JSON on a 415.
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  try {
    v = ct.includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(
      `the body of the request was in an unknown format - couldn't get version/kind; json parse error: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (!isObject(v)) throw badRequest("couldn't get version/kind; json parse error: the body must be an object");
  return v;
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === 'Strict' || v === 'Ignore' || v === 'Warn') return v;
  if (v) throw badRequest(`fieldValidation parameter unsupported: ${v}`);
  return 'Warn';
}

export function writeOptions(q: URLSearchParams): WriteOptions {
  const dry = q.get('dryRun');
  if (dry && dry !== 'All') throw badRequest(`dryRun: Unsupported value: "${dry}": supported values: "All"`);
  return {
    dryRun: dry === 'All',
    fieldValidation: fieldValidation(q),
    fieldManager: q.get('fieldManager') ?? undefined,
    force: q.get('force') === 'true',
  };
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return n;
}

export function warningHeader(warnings: string[]): Record<string, string> | undefined {
  if (!warnings.length) return undefined;
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

/** kube-apiserver's 405 for a verb a resource (or a path form) does not serve. */
export function methodNotAllowed(): ApiStatusError {
  return new ApiStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** DeleteOptions from the request body (a DeleteOptions object) and the query, which wins. */
export function deleteOptions(raw: string, q: URLSearchParams): DeleteOptions {
  let opts: DeleteOptions = {};
  if (raw.trim()) {
    const body = parseObjectBody(raw, 'application/json');
    opts = {
      propagationPolicy: body.propagationPolicy as DeleteOptions['propagationPolicy'],
      preconditions: isObject(body.preconditions) ? (body.preconditions as DeleteOptions['preconditions']) : undefined,
      dryRun: Array.isArray(body.dryRun) && body.dryRun.includes('All'),
    };
  }
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  if (q.get('dryRun') === 'All') opts.dryRun = true;
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return opts;
}
