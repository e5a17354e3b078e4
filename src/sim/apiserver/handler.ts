// The HTTP front: authentication, fault injection, routing of Kubernetes REST paths to the
// object store, and the special endpoints (discovery, openapi, metrics, logs, scale).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { Registry } from './registry.js';
import type { ObjectStore, WriteOptions, DeleteOptions } from './objects.js';
import { apiVersionOf, type ResourceType } from './resource.js';
import { ApiStatusError, badRequest, successStatus, type StatusBody } from './status.js';
import { Discovery, SERVER_VERSION } from './discovery.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { patchKindOf, isObject, jsonPatch, mergePatch, type JsonObject } from './patch.js';
import { serveWatch } from './watch.js';
import type { LogStore } from './logs.js';
import type { MetricsStore } from './metrics.js';
import type { Faults } from './faults.js';
import type { FieldValidation } from './validation.js';
import { objectKey } from './store.js';
import { openApiV2, openApiV3Group, openApiV3Index } from './openapi.js';
import { wantsTable, tableFor } from './table.js';
import { checkFieldSelector } from './fields.js';
import { checkListOptions } from './list-options.js';
import { proxyExec, writeRawStatus, type KubeletClientIdentity } from './exec-proxy.js';
import { POD_PROXY_PATH, proxyToPod, type PodNetwork } from './pod-proxy.js';
import { PORT_FORWARD_PATH, servePortForward } from './portforward-route.js';
import type { PortForwardOpen } from '../portforward/server.js';
import { AuthReviews } from './auth-reviews.js';

export interface HandlerDeps {
  registry: Registry;
  store: ObjectStore;
  logs: LogStore;
  metrics: MetricsStore;
  faults: Faults;
  adminToken: string;
  /** Client certificates verified by TLS are accepted when set. */
  acceptClientCerts: boolean;
  serverAddress: () => string;
  watchBookmarkIntervalMs: number;
  watchMaxBufferBytes: number;
  /** Open long-running streams, closed on stop(). */
  streams: Set<() => void>;
  /** Presented to kubelets when proxying pods/exec. */
  kubeletClient?: KubeletClientIdentity;
  /** Where pods/proxy requests go (pod-proxy.ts). */
  podNetwork?: PodNetwork;
  /** Where pods/portforward streams go; unset: PodNetwork, then the pod's IP (portforward-route.ts). */
  portForward?: PortForwardOpen;
}

const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/;

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };

function send(res: ServerResponse, code: number, body: string, extra?: Record<string, string>): void {
  res.writeHead(code, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendStatus(res: ServerResponse, s: StatusBody, extra?: Record<string, string>): void {
  send(res, s.code, JSON.stringify(s), extra);
}

/** kube-apiserver's request body limit (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
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

function parseObjectBody(raw: string, contentType: string | undefined): JsonObject {
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

function writeOptions(q: URLSearchParams): WriteOptions {
  const dry = q.get('dryRun');
  if (dry && dry !== 'All') throw badRequest(`dryRun: Unsupported value: "${dry}": supported values: "All"`);
  return {
    dryRun: dry === 'All',
    fieldValidation: fieldValidation(q),
    fieldManager: q.get('fieldManager') ?? undefined,
    force: q.get('force') === 'true',
  };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return n;
}

function warningHeader(warnings: string[]): Record<string, string> | undefined {
  if (!warnings.length) return undefined;
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
  watch: boolean;
}

export class Handler {
  private readonly discovery: Discovery;
  /** TokenRequest, TokenReview, SubjectAccessReview (auth-reviews.ts). */
  readonly reviews: AuthReviews;

  constructor(private readonly d: HandlerDeps) {
    this.discovery = new Discovery(d.registry);
    this.reviews = new AuthReviews(d.registry, d.store, d.adminToken);
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiStatusError)
        sendStatus(res, err.toStatus(), err.code === 429 ? { 'Retry-After': '1' } : undefined);
      else
        sendStatus(
          res,
          new ApiStatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`).toStatus(),
        );
    });
  };

  /** The server's 'upgrade' listener: pods/exec streams; every other upgrade gets a Status. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const q = new URLSearchParams(qi >= 0 ? url.slice(qi + 1) : '');
    const refuse = (e: ApiStatusError): void => writeRawStatus(socket, e.toStatus());
    if (!this.authenticated(req)) {
      refuse(new ApiStatusError(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = this.d.faults.pick(path);
    if (fault) {
      refuse(new ApiStatusError(fault.code, fault.reason, `injected fault: ${fault.reason}`));
      return;
    }
    const pf = PORT_FORWARD_PATH.exec(path);
    const m = pf ?? EXEC_PATH.exec(path);
    if (!m) {
      refuse(badRequest(`upgrade requests are served on pods/exec and pods/portforward only, not ${path}`));
      return;
    }
    let ns: string;
    let pod: string;
    try {
      ns = decodeURIComponent(m[1]!);
      pod = decodeURIComponent(m[2]!);
    } catch {
      refuse(badRequest(`malformed path ${path}`));
      return;
    }
    const { registry, store, streams, kubeletClient, podNetwork, portForward } = this.d;
    if (pf) {
      servePortForward({ registry, store, streams, podNetwork, portForward }, req, socket, head, ns, pod);
      return;
    }
    proxyExec({ registry, store, streams, kubeletClient }, req, socket, head, ns, pod, q);
  };

  private authenticated(req: IncomingMessage): boolean {
    // As kube-apiserver's authenticator union, where x509 runs before the token authenticators:
    // a verified client certificate authenticates the request whatever bearer token it carries.
    if (this.d.acceptClientCerts && (req.socket as TLSSocket).authorized === true) return true;
    const h = req.headers.authorization;
    if (h?.startsWith('Bearer ')) {
      const got = Buffer.from(h.slice(7).trim());
      const want = Buffer.from(this.d.adminToken);
      return got.length === want.length && timingSafeEqual(got, want);
    }
    return false;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const q = new URLSearchParams(qi >= 0 ? url.slice(qi + 1) : '');
    const method = req.method ?? 'GET';

    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (!this.authenticated(req)) {
      throw new ApiStatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const fault = this.d.faults.pick(path);
    if (fault) {
      req.resume();
      throw new ApiStatusError(
        fault.code,
        fault.reason,
        `injected fault: ${fault.reason}`,
        fault.code === 429 ? { retryAfterSeconds: 1 } : undefined,
      );
    }

    if (path === '/version' || path === '/version/') return send(res, 200, JSON.stringify(SERVER_VERSION));
    if (path === '/api' || path === '/api/') return send(res, 200, this.discovery.api(this.d.serverAddress()));
    if (path === '/apis' || path === '/apis/') return send(res, 200, this.discovery.apis());
    if (path === '/openapi/v2' || path.startsWith('/openapi/v3')) return this.openapi(req, res, path);
    const proxied = POD_PROXY_PATH.exec(path);
    if (proxied && this.d.podNetwork) {
      const podT = this.d.registry.lookup('', 'v1', 'pods')!;
      const exists = (ns: string, name: string): boolean =>
        this.d.store.slot(podT).bucket.items.has(objectKey(ns, name));
      return proxyToPod(
        this.d.podNetwork,
        exists,
        req,
        res,
        decodeURIComponent(proxied[1]!),
        decodeURIComponent(proxied[2]!),
        proxied[3] ?? '/',
        q.toString(),
      );
    }

    if (this.reviews.handles(path)) {
      const body = method === 'POST' ? parseObjectBody(await readBody(req), req.headers['content-type']) : {};
      return send(res, 201, JSON.stringify(this.reviews.serve(method, path, body)));
    }

    const seg = path
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (seg[0] === 'api') {
      group = '';
      version = seg[1];
      rest = seg.slice(2);
    } else if (seg[0] === 'apis' && seg.length >= 2) {
      group = seg[1]!;
      version = seg[2];
      rest = seg.slice(3);
      if (version === undefined) {
        const g = this.discovery.group(group);
        if (g) return send(res, 200, g);
        throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
      }
    } else {
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (rest.length === 0) {
      const doc = version ? this.discovery.resources(group, version) : undefined;
      if (doc) return send(res, 200, doc);
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const route = this.route(group, version!, rest);
    if (route.type.virtual) return this.serveMetrics(req, res, route, q, method);
    // Upgrades reach handleUpgrade; a plain request to exec is what kube-apiserver refuses so.
    if (route.sub === 'exec' || route.sub === 'portforward') throw badRequest('Upgrade request required');
    switch (method) {
      case 'GET':
        return this.get(req, res, route, q);
      case 'POST':
        return this.post(req, res, route, q);
      case 'PUT':
        return this.put(req, res, route, q);
      case 'PATCH':
        return this.patch(req, res, route, q);
      case 'DELETE':
        return this.del(req, res, route, q);
      default:
        throw new ApiStatusError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private openapi(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path === '/openapi/v2') {
      // Served as JSON only; kubectl asks for protobuf and falls back to v3 when it cannot parse.
      if ((req.headers.accept ?? '').includes('protobuf'))
        throw new ApiStatusError(406, 'NotAcceptable', 'only application/json is served');
      send(res, 200, openApiV2());
      return;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      send(res, 200, openApiV3Index(this.d.registry));
      return;
    }
    const doc = openApiV3Group(this.d.registry, path);
    if (doc) {
      send(res, 200, doc);
      return;
    }
    throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
  }

  private route(group: string, version: string, rest: string[]): Route {
    let watch = false;
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
    ) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.d.registry.lookup(group, version, rest[0] ?? '');
    const nf = new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (!type || rest.length > 3) throw nf;
    if (!type.namespaced && namespace !== undefined) throw nf;
    const name = rest[1];
    const sub = rest[2];
    if (type.namespaced && name !== undefined && namespace === undefined) throw nf;
    if (sub !== undefined) {
      const ok =
        (sub === 'status' && type.status) ||
        (sub === 'scale' && !!type.scale) ||
        (type.extraSubresources ?? []).includes(sub) ||
        (sub === 'finalize' && type.kind === 'Namespace');
      if (!ok) throw nf;
    }
    return { type, namespace, name, sub, watch };
  }

  private ns(route: Route): string {
    return route.type.namespaced ? (route.namespace ?? '') : '';
  }

  private async get(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    const { store } = this.d;
    if (r.name === undefined || r.watch) {
      const label = parseLabelSelector(q.get('labelSelector'));
      let fields = parseFieldSelector(q.get('fieldSelector'));
      let name = r.name;
      if (name !== undefined) {
        // Legacy /watch/.../name: a watch on one object.
        fields = [
          ...(fields ?? []),
          { field: 'metadata.name', path: ['metadata', 'name'], value: name, negate: false },
        ];
        name = undefined;
      }
      const watching = r.watch || q.get('watch') === 'true' || q.get('watch') === '1';
      checkListOptions({
        watch: watching,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        sendInitialEvents: q.get('sendInitialEvents') ?? undefined,
        continueToken: q.get('continue') ?? undefined,
      });
      if (watching) {
        if (fields) checkFieldSelector(r.type, fields);
        const slot = store.slot(r.type);
        const sendInitial = q.get('sendInitialEvents');
        serveWatch(req, res, {
          bucket: slot.bucket,
          kind: r.type.kind,
          apiVersion: apiVersionOf(r.type),
          namespace: r.namespace,
          label,
          fields,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          allowBookmarks: q.get('allowWatchBookmarks') === 'true',
          sendInitialEvents: sendInitial === null ? undefined : sendInitial === 'true',
          timeoutSeconds: intParam(q, 'timeoutSeconds'),
          currentRv: () => store.resourceVersion,
          bookmarkIntervalMs: this.d.watchBookmarkIntervalMs,
          maxBufferBytes: this.d.watchMaxBufferBytes,
          dropAfterMs: this.d.faults.watchDropMs(req.url ?? ''),
          tooLargeResourceVersion: this.d.faults.takeWatchTooLarge(req.url ?? ''),
          onOpen: (c) => this.d.streams.add(c),
          onClose: (c) => this.d.streams.delete(c),
        });
        return;
      }
      const json = store.list(r.type, r.namespace, {
        label,
        fields,
        limit: intParam(q, 'limit'),
        continueToken: q.get('continue') ?? undefined,
      });
      if (wantsTable(req.headers.accept)) return send(res, 200, tableFor(r.type, json, true));
      return send(res, 200, json);
    }
    const ns = this.ns(r);
    if (r.sub === 'log') return this.serveLog(req, res, ns, r.name, q);
    if (r.sub === 'scale') return send(res, 200, JSON.stringify(this.scaleOf(r.type, ns, r.name)));
    const item = store.get(r.type, ns, r.name);
    const json =
      item.apiVersion === apiVersionOf(r.type)
        ? item.json
        : JSON.stringify({ ...JSON.parse(item.json), apiVersion: apiVersionOf(r.type) });
    if (wantsTable(req.headers.accept)) return send(res, 200, tableFor(r.type, json, false));
    send(res, 200, json);
  }

  private async post(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name !== undefined)
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    if (r.type.namespaced && r.namespace === undefined)
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const body = parseObjectBody(await readBody(req), req.headers['content-type']);
    const out = this.d.store.create(r.type, this.ns(r), body, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async put(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name === undefined)
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const body = parseObjectBody(await readBody(req), req.headers['content-type']);
    if (r.sub === 'scale') return send(res, 200, JSON.stringify(this.setScale(r.type, this.ns(r), r.name, body)));
    if (r.sub === 'finalize') {
      const out = this.d.store.update(r.type, '', r.name, body, undefined, writeOptions(q));
      return send(res, out.code, out.json);
    }
    const out = this.d.store.update(r.type, this.ns(r), r.name, body, r.sub, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async patch(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name === undefined)
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const kind = patchKindOf(req.headers['content-type']);
    const raw = await readBody(req);
    if (!kind) {
      throw new ApiStatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${r.type.custom ? '' : ', application/strategic-merge-patch+json'}`,
      );
    }
    if (r.sub === 'scale') {
      const scale = this.scaleOf(r.type, this.ns(r), r.name) as JsonObject;
      let patched: unknown;
      try {
        patched = kind === 'json' ? jsonPatch(scale, JSON.parse(raw)) : mergePatch(scale, JSON.parse(raw));
      } catch (err) {
        if (err instanceof ApiStatusError) throw err;
        throw badRequest(`error decoding patch: ${(err as Error).message}`);
      }
      return send(res, 200, JSON.stringify(this.setScale(r.type, this.ns(r), r.name, patched as JsonObject)));
    }
    const out = this.d.store.patch(r.type, this.ns(r), r.name, kind, raw, r.sub, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async del(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    const raw = await readBody(req);
    let opts: DeleteOptions = {};
    if (raw.trim()) {
      const body = parseObjectBody(raw, 'application/json');
      opts = {
        propagationPolicy: body.propagationPolicy as DeleteOptions['propagationPolicy'],
        preconditions: isObject(body.preconditions)
          ? (body.preconditions as DeleteOptions['preconditions'])
          : undefined,
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
    if (r.name === undefined) {
      const json = this.d.store.deleteCollection(r.type, r.namespace, {
        ...opts,
        label: parseLabelSelector(q.get('labelSelector')),
        fields: parseFieldSelector(q.get('fieldSelector')),
      });
      return send(res, 200, json);
    }
    const out = this.d.store.delete(r.type, this.ns(r), r.name, opts);
    send(res, out.code, out.json);
  }

  // ---- scale subresource
  private scaleOf(t: ResourceType, ns: string, name: string): object {
    const obj = this.d.store.getObject(t, ns, name);
    const md = obj.metadata as JsonObject;
    const at = (path: string | undefined): unknown => {
      if (!path) return undefined;
      let cur: unknown = obj;
      for (const p of path.replace(/^\./, '').split('.')) cur = isObject(cur) ? cur[p] : undefined;
      return cur;
    };
    const sel = at(t.scale?.labelSelectorPath);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: md.name,
        namespace: md.namespace,
        uid: md.uid,
        resourceVersion: md.resourceVersion,
        creationTimestamp: md.creationTimestamp,
      },
      spec: { replicas: Number(at(t.scale?.specReplicasPath) ?? 0) },
      status: {
        replicas: Number(at(t.scale?.statusReplicasPath) ?? 0),
        ...(sel !== undefined ? { selector: typeof sel === 'string' ? sel : JSON.stringify(sel) } : {}),
      },
    };
  }

  private setScale(t: ResourceType, ns: string, name: string, scale: JsonObject): object {
    const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiStatusError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
      );
    }
    const obj = this.d.store.getObject(t, ns, name);
    const path = (t.scale?.specReplicasPath ?? '.spec.replicas').replace(/^\./, '').split('.');
    let cur: JsonObject = obj;
    for (const p of path.slice(0, -1)) {
      if (!isObject(cur[p])) cur[p] = {};
      cur = cur[p] as JsonObject;
    }
    cur[path[path.length - 1]!] = replicas;
    const md = scale.metadata;
    if (isObject(md) && md.resourceVersion) (obj.metadata as JsonObject).resourceVersion = md.resourceVersion;
    this.d.store.patch(t, ns, name, 'merge', JSON.stringify(obj), undefined, {});
    return this.scaleOf(t, ns, name);
  }

  // ---- pods/log
  private serveLog(req: IncomingMessage, res: ServerResponse, ns: string, pod: string, q: URLSearchParams): void {
    const t = this.d.registry.lookup('', 'v1', 'pods')!;
    const obj = this.d.store.getObject(t, ns, pod);
    const spec = isObject(obj.spec) ? obj.spec : {};
    const declared = (Array.isArray(spec.containers) ? spec.containers : []).flatMap((c) =>
      isObject(c) && typeof c.name === 'string' ? [c.name] : [],
    );
    let container = q.get('container') ?? undefined;
    if (!container) {
      const candidates = declared.length ? declared : this.d.logs.containersWithLogs(ns, pod);
      if (candidates.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${candidates.join(' ')}]`);
      }
      container = candidates[0]!;
    } else if (declared.length && !declared.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${pod}`);
    }
    this.d.logs.serve(res, ns, pod, container, {
      follow: q.get('follow') === 'true',
      tailLines: intParam(q, 'tailLines'),
      sinceSeconds: intParam(q, 'sinceSeconds'),
      timestamps: q.get('timestamps') === 'true',
      onClose: (fn) => {
        const close = (): void => {
          fn();
          this.d.streams.delete(end);
        };
        const end = (): void => {
          close();
          res.end();
        };
        this.d.streams.add(end);
        req.on('close', close);
      },
    });
  }

  // ---- metrics.k8s.io
  private serveMetrics(_req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams, method: string): void {
    if (method !== 'GET' || r.watch || q.get('watch') === 'true')
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const label = parseLabelSelector(q.get('labelSelector'));
    const { store, registry, metrics } = this.d;
    const podT = registry.lookup('', 'v1', 'pods')!;
    const nodeT = registry.lookup('', 'v1', 'nodes')!;
    const labelsOf = (t: ResourceType, ns: string, name: string): Record<string, string> | undefined =>
      store.slot(t).bucket.items.get(objectKey(ns, name))?.labels;
    const items =
      r.type.kind === 'PodMetrics'
        ? metrics.podMetrics(r.namespace, r.name, (ns, pod) => labelsOf(podT, ns, pod))
        : metrics.nodeMetrics(r.name, (n) => labelsOf(nodeT, '', n));
    const filtered = label
      ? items.filter((i) => label((i as { metadata: { labels?: Record<string, string> } }).metadata.labels))
      : items;
    if (r.name !== undefined) {
      const one = filtered[0];
      if (!one)
        throw new ApiStatusError(404, 'NotFound', `${r.type.plural}.metrics.k8s.io "${r.name}" not found`, {
          name: r.name,
          group: 'metrics.k8s.io',
          kind: r.type.plural,
        });
      send(res, 200, JSON.stringify(one));
      return;
    }
    send(
      res,
      200,
      JSON.stringify({ kind: r.type.listKind, apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: filtered }),
    );
  }
}

export { successStatus };
