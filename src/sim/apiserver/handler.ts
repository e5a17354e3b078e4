// The HTTP front: authentication, fault injection, routing of Kubernetes REST paths to the
// object store, and the special endpoints (discovery, openapi, metrics, logs, scale). What it
// routes to lives beside it: ./rest-route.ts (path -> resource), ./http-io.ts (bodies, options,
// responses), ./openapi-route.ts, ./scale-subresource.ts, ./pod-log-route.ts, ./metrics-route.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import type { Registry } from './registry.js';
import type { ObjectStore } from './objects.js';
import { apiVersionOf } from './resource.js';
import { ApiStatusError, badRequest, successStatus } from './status.js';
import { Discovery, SERVER_VERSION } from './discovery.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { patchKindOf, jsonPatch, mergePatch, type JsonObject } from './patch.js';
import { serveWatch } from './watch.js';
import type { LogStore } from './logs.js';
import type { MetricsStore } from './metrics.js';
import type { Faults } from './faults.js';
import { objectKey } from './store.js';
import { serveOpenApi } from './openapi-route.js';
import { wantsTable, tableFor } from './table.js';
import { checkFieldSelector } from './fields.js';
import { checkListOptions } from './list-options.js';
import { proxyExec, writeRawStatus, type KubeletClientIdentity } from './exec-proxy.js';
import { POD_PROXY_PATH, proxyToPod, type PodNetwork } from './pod-proxy.js';
import { PORT_FORWARD_PATH, servePortForward } from './portforward-route.js';
import type { PortForwardOpen } from '../portforward/server.js';
import { AuthReviews } from './auth-reviews.js';
import {
  deleteOptions,
  intParam,
  methodNotAllowed,
  parseObjectBody,
  readBody,
  send,
  sendStatus,
  warningHeader,
  writeOptions,
} from './http-io.js';
import { parseRoute, routeNamespace, type Route } from './rest-route.js';
import { scaleOf, setScale } from './scale-subresource.js';
import { serveLog } from './pod-log-route.js';
import { serveMetrics } from './metrics-route.js';

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
    if (path === '/openapi/v2' || path.startsWith('/openapi/v3')) return serveOpenApi(this.d.registry, req, res, path);
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
    const route = parseRoute(this.d.registry, group, version!, rest);
    if (route.type.virtual) return serveMetrics(this.d, res, route, q, method);
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
        throw methodNotAllowed();
    }
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
    const ns = routeNamespace(r);
    if (r.sub === 'log') return serveLog(this.d, req, res, ns, r.name, q);
    if (r.sub === 'scale') return send(res, 200, JSON.stringify(scaleOf(this.d.store, r.type, ns, r.name)));
    const item = store.get(r.type, ns, r.name);
    const json =
      item.apiVersion === apiVersionOf(r.type)
        ? item.json
        : JSON.stringify({ ...JSON.parse(item.json), apiVersion: apiVersionOf(r.type) });
    if (wantsTable(req.headers.accept)) return send(res, 200, tableFor(r.type, json, false));
    send(res, 200, json);
  }

  private async post(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name !== undefined) throw methodNotAllowed();
    if (r.type.namespaced && r.namespace === undefined) throw methodNotAllowed();
    const body = parseObjectBody(await readBody(req), req.headers['content-type']);
    const out = this.d.store.create(r.type, routeNamespace(r), body, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async put(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name === undefined) throw methodNotAllowed();
    const body = parseObjectBody(await readBody(req), req.headers['content-type']);
    if (r.sub === 'scale')
      return send(res, 200, JSON.stringify(setScale(this.d.store, r.type, routeNamespace(r), r.name, body)));
    if (r.sub === 'finalize') {
      const out = this.d.store.update(r.type, '', r.name, body, undefined, writeOptions(q));
      return send(res, out.code, out.json);
    }
    const out = this.d.store.update(r.type, routeNamespace(r), r.name, body, r.sub, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async patch(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    if (r.name === undefined) throw methodNotAllowed();
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
      const scale = scaleOf(this.d.store, r.type, routeNamespace(r), r.name) as JsonObject;
      let patched: unknown;
      try {
        patched = kind === 'json' ? jsonPatch(scale, JSON.parse(raw)) : mergePatch(scale, JSON.parse(raw));
      } catch (err) {
        if (err instanceof ApiStatusError) throw err;
        throw badRequest(`error decoding patch: ${(err as Error).message}`);
      }
      return send(
        res,
        200,
        JSON.stringify(setScale(this.d.store, r.type, routeNamespace(r), r.name, patched as JsonObject)),
      );
    }
    const out = this.d.store.patch(r.type, routeNamespace(r), r.name, kind, raw, r.sub, writeOptions(q));
    send(res, out.code, out.json, warningHeader(out.warnings));
  }

  private async del(req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams): Promise<void> {
    const opts = deleteOptions(await readBody(req), q);
    if (r.name === undefined) {
      const json = this.d.store.deleteCollection(r.type, r.namespace, {
        ...opts,
        label: parseLabelSelector(q.get('labelSelector')),
        fields: parseFieldSelector(q.get('fieldSelector')),
      });
      return send(res, 200, json);
    }
    const out = this.d.store.delete(r.type, routeNamespace(r), r.name, opts);
    send(res, out.code, out.json);
  }
}

export { successStatus };
