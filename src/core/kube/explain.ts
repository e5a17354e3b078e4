// Turns a failed Kubernetes request into what the user can act on: which cluster (role and
// URL), which identity from which kubeconfig, which verb on which resource, and the fix.
// The common first-run failures each get their own fix: nothing listening (cluster not
// running, wrong --kubeconfig/--context), the CAPI CRDs missing (setup not run, or the wrong
// cluster), credentials rejected (401) and RBAC refusing a verb (403).
import { UserError } from '../errors.js';
import { statusCode } from './client-errors.js';
import { KubeRequestError } from './request-error.js';

/** Who is asking whom: from the KubeClient that made the request. */
export interface ClientIdentity {
  server: string;
  /** What this cluster is to the user: "management cluster", "backing cluster b1". */
  role: string;
  /** The kubeconfig's user entry (not necessarily the RBAC subject's name). */
  user?: string;
  context?: string;
  /** Where the kubeconfig came from, as the user would name it. */
  kubeconfig: string;
}

export interface CallInfo {
  /** Kubernetes verb: get, list, watch, create, patch, delete, discover. */
  verb: string;
  apiVersion: string;
  kind: string;
  identity: ClientIdentity;
}

// Errors are annotated where the call is made (KubeClient) and explained where they surface
// (the CLI); a WeakMap carries the call without changing the error objects callers inspect.
const calls = new WeakMap<object, CallInfo>();

export function noteCall(err: unknown, info: CallInfo): void {
  if (typeof err === 'object' && err !== null && !calls.has(err)) calls.set(err, info);
}

export function callOf(err: unknown): CallInfo | undefined {
  return typeof err === 'object' && err !== null ? calls.get(err) : undefined;
}

/** `clusters.cluster.x-k8s.io`, `namespaces`: the name RBAC and kubectl use. */
export function resourceName(apiVersion: string, kind: string, plural?: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const lower = kind.toLowerCase();
  // The kinds the engine uses all follow the regular rules; discovery gives the exact plural.
  let guess = `${lower}s`;
  if (/(s|x|ch|sh)$/.test(lower)) guess = `${lower}es`;
  else if (/[^aeiou]y$/.test(lower)) guess = `${lower.slice(0, -1)}ies`;
  const p = plural ?? guess;
  return group ? `${p}.${group}` : p;
}

function providerOf(apiVersion: string): string | undefined {
  if (/(^|\.)cluster\.x-k8s\.io\//.test(apiVersion)) {
    return apiVersion.startsWith('infrastructure.') ? 'CAPM3 (infrastructure.cluster.x-k8s.io)' : 'CAPI';
  }
  if (apiVersion.startsWith('metal3.io/')) return 'BMO (metal3.io)';
  return undefined;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function where(id: ClientIdentity): string {
  return `the ${id.role} at ${id.server}`;
}

/** "check --kubeconfig/--context" is only true for the cluster those flags choose. */
function selection(id: ClientIdentity): string {
  const now = `now ${id.kubeconfig}${id.context ? `, context ${id.context}` : ''}`;
  return id.role === 'management cluster' ? `check --kubeconfig/--context (${now})` : `check its kubeconfig (${now})`;
}

function serverMessage(err: unknown): string | undefined {
  let body: unknown = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return text.trim().slice(0, 200) || undefined;
    }
  }
  const m = (body as { message?: unknown } | null | undefined)?.message;
  return typeof m === 'string' && m ? m.slice(0, 200) : undefined;
}

/** The API does not serve this kind: a missing CRD (the usual reason) or the wrong cluster. */
export function notServed(id: ClientIdentity, apiVersion: string, kind: string): UserError {
  const provider = providerOf(apiVersion);
  const what = `${resourceName(apiVersion, kind)} (${kind}, ${apiVersion})`;
  return provider
    ? new UserError(
        `${where(id)} does not serve ${what}: the ${provider} CRDs are missing`,
        `Run \`scale-tui setup\` to install the providers, or ${selection(id)} to use the management cluster.`,
      )
    : new UserError(`${where(id)} does not serve ${what}`, `${cap(selection(id))}: name a cluster serving ${kind}.`);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/.test(code);
}

/**
 * The errors a retry cannot fix: nothing listening, no such host, a TLS mismatch, 401, 403,
 * a kind not served. An informer that meets one while starting fails at once instead of
 * retrying until its deadline (a closed port will not open by itself during a CLI command).
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof UserError) return true;
  if (err instanceof KubeRequestError) {
    return err.code !== 'ECONNRESET' && (UNREACHABLE.has(err.code) || isTlsCode(err.code));
  }
  const code = statusCode(err);
  return code === 401 || code === 403 || code === 404;
}

/**
 * A UserError for a failed request, or undefined when the error is not a Kubernetes request
 * failure (a bug, or something the caller explains better). `info` defaults to the call the
 * KubeClient recorded for this error.
 */
export function explainKubeError(err: unknown, info: CallInfo | undefined = callOf(err)): UserError | undefined {
  if (err instanceof UserError) return err;
  if (err instanceof KubeRequestError) {
    const id: ClientIdentity = info?.identity ?? { server: err.server, role: 'cluster', kubeconfig: 'the kubeconfig' };
    const running = `Is the ${id.role} running?`;
    const request = `(${err.verb} ${err.path})`;
    if (UNREACHABLE.has(err.code)) {
      return new UserError(`cannot reach ${where(id)}: ${err.reason} ${request}`, `${running} ${cap(selection(id))}.`);
    }
    if (err.code === 'ETIMEDOUT') {
      return new UserError(
        `${where(id)} did not answer: ${err.reason} ${request}`,
        `${running} Is it reachable from here (network, firewall, a suspended VM)? ${cap(selection(id))}.`,
      );
    }
    if (isTlsCode(err.code)) {
      return new UserError(
        `TLS to ${where(id)} failed: ${err.reason} ${request}`,
        `The kubeconfig's CA does not match the server: refresh it (\`kind export kubeconfig\`) or ${selection(id)}.`,
      );
    }
    return new UserError(
      `request to ${where(id)} failed: ${err.reason} ${request}`,
      `${running} ${cap(selection(id))}.`,
    );
  }
  const code = statusCode(err);
  if (code === undefined || !info) return undefined;
  const id = info.identity;
  const resource = resourceName(info.apiVersion, info.kind);
  const detail = serverMessage(err);
  const user = id.user ? `kubeconfig user "${id.user}"` : 'the kubeconfig user';
  // Discovery (GET /apis/GROUP/VERSION) precedes every typed call: name it as what it is.
  const action = info.verb === 'discover' ? `look up ${resource} in API discovery` : `${info.verb} ${resource}`;
  switch (code) {
    case 401:
      return new UserError(
        `${where(id)} rejected the credentials of ${user} (401 Unauthorized) to ${action}`,
        `Refresh the credentials in ${id.kubeconfig} (e.g. \`kind export kubeconfig\`), or ${selection(id)}.`,
      );
    case 403:
      return new UserError(
        `${user} may not ${action} on ${where(id)} (403 Forbidden${detail ? `: ${detail}` : ''})`,
        `Use an identity allowed to ${action} (e.g. the cluster-admin kubeconfig of setup): ${selection(id)}` +
          (info.verb === 'discover' ? '.' : `; \`kubectl auth can-i ${info.verb} ${resource}\` shows what it may do.`),
      );
    case 404:
      // A get or delete of one object answers 404 for the object; callers handle that.
      return ['list', 'watch', 'discover'].includes(info.verb) ? notServed(id, info.apiVersion, info.kind) : undefined;
    default:
      return new UserError(
        `${action} on ${where(id)} failed: HTTP ${code}${detail ? ` ${detail}` : ''}`,
        'The API server is failing: check its health (`kubectl get --raw /readyz`) and retry.',
      );
  }
}
