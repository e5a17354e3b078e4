// Ties an emulated manager to its diagnostics endpoint: one loopback server for the
// manager's life, a fresh metrics registry per generation (a restarted process starts its
// counters at zero, as a new pod does), the pod's port 8443 registered with the sink's pod
// network so the API server's pod proxy reaches it, and klog verbosity (from --v, changed
// live by PUT /debug/flags/v, reset by a restart as a new process reads its args again).
// Secure unless the args say --insecure-diagnostics (CAPI's and CAPM3's flag; BMO v0.13 has
// none and always serves its metrics securely); the secure mode's TokenReview and
// SubjectAccessReview go through the manager's own client, as the real manager's do.
import type { ControllerId } from '../../core/types.js';
import { DiagnosticsServer, DIAGNOSTICS_PORT } from './metrics-server.js';
import { ManagerMetrics, type ReconcileOutcome } from './metrics-registry.js';
import { ApiError, type RestClient } from './rest.js';
import type { ReconcileResult } from './workqueue.js';

export interface PodPorts {
  servePort?(
    namespace: string,
    pod: string,
    port: number,
    target: { host: string; port: number; scheme: 'http' | 'https' },
  ): void;
  releasePort?(namespace: string, pod: string, port: number): void;
}

/** klog's -v / --v from a container's args (last one wins, as with Go flags); 0 when absent. */
export function verbosityOf(args: readonly string[]): number {
  let v = 0;
  for (let i = 0; i < args.length; i++) {
    const m = /^--?v(?:=(\d+))?$/.exec(args[i]!);
    if (!m) continue;
    const value = m[1] ?? args[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) v = Number(value);
  }
  return v;
}

/** --insecure-diagnostics[=true|false] (a Go bool flag: last one wins); BMO has no such flag. */
export function insecureDiagnosticsOf(id: ControllerId, args: readonly string[]): boolean {
  if (id === 'bmo') return false;
  let insecure = false;
  for (const a of args) {
    const m = /^--?insecure-diagnostics(?:=(.*))?$/.exec(a);
    if (m)
      insecure =
        m[1] === undefined ||
        m[1] === 'true' ||
        m[1] === '1' ||
        m[1] === 'True' ||
        m[1] === 'TRUE' ||
        m[1] === 't' ||
        m[1] === 'T';
  }
  return insecure;
}

/** The binaries built from CAPI's repository: they register capi_reconcile_* and serve /debug/flags/v. */
const CAPI_BINARIES: readonly ControllerId[] = ['capi', 'kubeadm-bootstrap', 'kcp'];

export class ManagerDiagnostics {
  metrics: ManagerMetrics;
  verbosity = 0;
  private readonly server: DiagnosticsServer;
  private pod?: string;
  private reviewClient?: RestClient;

  constructor(
    readonly id: ControllerId,
    private readonly namespace: string,
    private readonly ports: PodPorts,
    /** Called when PUT /debug/flags/v changed the level (the manager logs it). */
    private readonly onVerbosity: (v: number) => void = () => {},
  ) {
    this.metrics = new ManagerMetrics(CAPI_BINARIES.includes(id));
    this.server = new DiagnosticsServer({
      metrics: () => this.metrics.render(),
      reviews: () => {
        const c = this.reviewClient;
        return c ? (verb, path, body) => c.request(verb, path, body) : undefined;
      },
      ...(CAPI_BINARIES.includes(id)
        ? {
            setVerbosity: (v: number) => {
              this.verbosity = v;
              this.onVerbosity(v);
            },
          }
        : {}),
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }

  async stop(): Promise<void> {
    if (this.pod) this.ports.releasePort?.(this.namespace, this.pod, DIAGNOSTICS_PORT);
    await this.server.stop();
  }

  /** A new process: fresh counters, its args' verbosity, and its pod's port mapped here. */
  newGeneration(pod: string, args: readonly string[]): ManagerMetrics {
    this.metrics = new ManagerMetrics(CAPI_BINARIES.includes(this.id));
    this.verbosity = verbosityOf(args);
    this.server.secure = !insecureDiagnosticsOf(this.id, args);
    if (this.pod && this.pod !== pod) this.ports.releasePort?.(this.namespace, this.pod, DIAGNOSTICS_PORT);
    this.pod = pod;
    if (this.server.port)
      this.ports.servePort?.(this.namespace, pod, DIAGNOSTICS_PORT, {
        host: '127.0.0.1',
        port: this.server.port,
        scheme: this.server.secure ? 'https' : 'http',
      });
    return this.metrics;
  }

  /**
   * Counts every response of the client in rest_client_requests_total. The client reports
   * only failures with their code; a success is counted as 201 for POST, 200 otherwise.
   */
  instrumentClient(client: RestClient): void {
    this.reviewClient = client;
    const m = this.metrics;
    const host = new URL(client.server).host;
    const original = client.request.bind(client);
    client.request = (async (verb: string, path: string, body?: unknown, contentType?: string) => {
      try {
        const out = await original(verb, path, body, contentType);
        m.request(verb, host, verb === 'POST' ? 201 : 200);
        return out;
      } catch (err) {
        m.request(verb, host, err instanceof ApiError ? err.status : 0);
        throw err;
      }
    }) as RestClient['request'];
  }

  /** Wraps a reconcile so its outcome, time and the active-worker gauge are recorded. */
  timed(name: string, reconcile: (key: string) => Promise<ReconcileResult>): (key: string) => Promise<ReconcileResult> {
    const m = this.metrics;
    return async (key) => {
      const started = performance.now();
      m.reconcileStarted(name);
      let outcome: ReconcileOutcome = 'error';
      try {
        const res = await reconcile(key);
        outcome = res?.requeueAfterMs !== undefined ? 'requeue_after' : 'success';
        return res;
      } finally {
        m.reconcileDone(name, outcome, (performance.now() - started) / 1000);
      }
    };
  }

  /** Registers a queue's depth gauge and counts the keys that enter it (client-go's adds). */
  instrumentQueue(
    name: string,
    queue: { depth: number; lowDepth?: number; add(key: string, priority?: number): void },
    workers: number,
  ): void {
    const m = this.metrics;
    m.controller(name, workers, () => ({ total: queue.depth, low: queue.lowDepth }));
    const add = queue.add.bind(queue);
    queue.add = (key: string, priority?: number) => {
      const before = queue.depth;
      add(key, priority);
      if (queue.depth > before) m.added(name);
    };
  }
}
