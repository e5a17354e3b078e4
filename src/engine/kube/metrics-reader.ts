// Reads a controller's secure diagnostics endpoint (CAPI v1.14 / CAPM3 v1.13
// `--diagnostics-address` default :8443, BMO v0.13 `--metrics-addr` default :8443, always
// secure in BMO) the way that endpoint wants to be read: HTTPS, `Authorization: Bearer` with a
// token that TokenReview accepts and whose user SubjectAccessReview lets `get` /metrics.
//
// Why not the pod proxy: kube-apiserver drops the caller's Authorization header before
// proxying, so the endpoint sees no token (401). So this adapter
// - creates, once, a labelled ServiceAccount + ClusterRole (nonResourceURLs /metrics, get) +
//   ClusterRoleBinding (manifests/metrics-reader.ts); an existing one is reused; a 403 on
//   create means the caller's RBAC refuses it, and every read then fails with that note (the
//   scrape falls back to the pod proxy);
// - asks the TokenRequest API for a 10-minute token, renewed when 80 % of it has passed; the
//   token lives in memory only: never logged, never on a command line, never in an error;
// - opens an in-process port-forward to the pod's port (the API server's pods/portforward, as
//   kubectl port-forward does) and speaks HTTPS over it. The serving certificate is
//   self-signed by the controller (controller-runtime makes one when no cert dir is set), so
//   it is not verified, as Prometheus' kube-prometheus scrape configs don't either.
// release() deletes what this created, by label selector only.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { getText, HttpStatusError } from '../../metrics/sources/raw.js';
import type { SecureMetricsReader } from '../../metrics/sources/scrape.js';
import {
  type DiagnosticsPurpose,
  diagnosticsAccountName,
  diagnosticsAccountSelector,
  metricsReaderObjects,
} from '../../manifests/metrics-reader.js';
import { openPortForward, type PortForwardEndpoint } from '../../sim/portforward/client.js';

const TOKEN_SECONDS = 600;
const API_TIMEOUT_MS = 10_000;

function pem(data: string | undefined, file: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  return file ? readFileSync(file, 'utf8') : undefined;
}

function endpointOf(kc: KubeConfig): PortForwardEndpoint {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return {
    server: cluster.server,
    caPem: pem(cluster.caData, cluster.caFile) ?? '',
    ...(user?.token ? { token: user.token } : {}),
    ...(user?.certData || user?.certFile ? { certPem: pem(user.certData, user.certFile) } : {}),
    ...(user?.keyData || user?.keyFile ? { keyPem: pem(user.keyData, user.keyFile) } : {}),
  };
}

export class ServiceAccountMetricsReader implements SecureMetricsReader {
  private ready?: Promise<void>;
  private token?: { value: string; renewAt: number };
  /** Set when RBAC refused creating the reader: every read fails with it, nothing is retried. */
  private refused?: string;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace = 'default',
    private readonly now: () => number = Date.now,
    private readonly purpose: DiagnosticsPurpose = 'metrics',
  ) {}

  private async post(path: string, body: unknown): Promise<string> {
    return getText(this.kc, path, { method: 'POST', body: JSON.stringify(body), timeoutMs: API_TIMEOUT_MS });
  }

  private async createOrReuse(path: string, body: unknown): Promise<void> {
    try {
      await this.post(path, body);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 409) return;
      throw err;
    }
  }

  /** Creates the ServiceAccount, ClusterRole and binding once; a failure is tried again next read. */
  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      const o = metricsReaderObjects(this.namespace, this.purpose);
      try {
        await this.createOrReuse(`/api/v1/namespaces/${this.namespace}/serviceaccounts`, o.serviceAccount);
        await this.createOrReuse('/apis/rbac.authorization.k8s.io/v1/clusterroles', o.clusterRole);
        await this.createOrReuse('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', o.clusterRoleBinding);
      } catch (err) {
        if (err instanceof HttpStatusError && err.status === 403)
          this.refused =
            'RBAC refused creating the metrics reader (needs create on serviceaccounts, clusterroles, clusterrolebindings and serviceaccounts/token, and get on the non-resource URL /metrics to grant it)';
        this.ready = undefined;
        throw err;
      }
    })();
    return this.ready;
  }

  private async bearer(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    let text: string;
    try {
      text = await this.post(
        `/api/v1/namespaces/${this.namespace}/serviceaccounts/${diagnosticsAccountName(this.purpose)}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: TOKEN_SECONDS },
        },
      );
    } catch (err) {
      // Another scale-tui process released the shared reader: create it again on the next read.
      if (err instanceof HttpStatusError && err.status === 404) this.ready = undefined;
      if (err instanceof HttpStatusError && err.status === 403)
        this.refused = 'RBAC refused a token for the metrics reader (needs create on serviceaccounts/token)';
      throw err;
    }
    const status = (JSON.parse(text) as { status?: { token?: string; expirationTimestamp?: string } }).status;
    if (!status?.token) throw new Error('the TokenRequest answer holds no token');
    const expires = status.expirationTimestamp
      ? Date.parse(status.expirationTimestamp)
      : this.now() + TOKEN_SECONDS * 1000;
    this.token = { value: status.token, renewAt: this.now() + (expires - this.now()) * 0.8 };
    return status.token;
  }

  read(namespace: string, pod: string, port: number, timeoutMs: number): Promise<string> {
    return this.request(namespace, pod, port, 'GET', '/metrics', undefined, timeoutMs);
  }

  /** Any diagnostics call with the reader's token (PUT /debug/flags/v for live verbosity). */
  async request(
    namespace: string,
    pod: string,
    port: number,
    method: 'GET' | 'PUT',
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<string> {
    if (this.refused) throw new Error(this.refused);
    try {
      await this.ensure();
    } catch (err) {
      throw new Error(this.refused ?? `could not create the metrics reader: ${(err as Error).message.split('\n')[0]}`);
    }
    const token = await this.bearer();
    const stream = await openPortForward({ ...endpointOf(this.kc), namespace, pod, port, deadlineMs: timeoutMs });
    try {
      return await new Promise<string>((resolve, reject) => {
        const tls = tlsConnect({ socket: stream, rejectUnauthorized: false, servername: 'localhost' });
        const req = request(
          {
            method,
            path,
            host: 'localhost',
            headers: {
              Authorization: `Bearer ${token}`,
              Accept: 'text/plain;version=0.0.4',
              ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}),
            },
            createConnection: () => tls,
            timeout: timeoutMs,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => {
              const code = res.statusCode ?? 0;
              // Another scale-tui process may have released the reader: make it again next time.
              if (code === 401) this.forget();
              if (code >= 300) reject(new HttpStatusError(code, `${code} ${text.trim().slice(0, 200)}`));
              else resolve(text);
            });
            res.on('error', reject);
          },
        );
        const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        req.on('close', () => clearTimeout(deadline));
        req.on('error', reject);
        req.end(body);
      });
    } finally {
      stream.destroy();
    }
  }

  /** Deletes the ServiceAccount, ClusterRole and binding by scale-tui's labels (nothing else). */
  async release(): Promise<void> {
    const sel = `labelSelector=${encodeURIComponent(diagnosticsAccountSelector(this.purpose))}`;
    const paths = [
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?${sel}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles?${sel}`,
      `/api/v1/namespaces/${this.namespace}/serviceaccounts?${sel}`,
    ];
    for (const p of paths) await getText(this.kc, p, { method: 'DELETE', timeoutMs: API_TIMEOUT_MS });
    this.forget();
  }

  private forget(): void {
    this.ready = undefined;
    this.token = undefined;
  }
}
