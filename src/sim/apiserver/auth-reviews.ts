// TokenRequest, TokenReview and SubjectAccessReview on the embedded API server: the three calls
// a controller-runtime secure metrics endpoint (filters.WithAuthenticationAndAuthorization)
// and its callers need. Without them the emulated managers could only serve /metrics openly,
// and scale-tui's secure scrape (create a ServiceAccount, request a token, present it) would
// have nothing to be checked against.
//
// Faithful where it matters for that path:
// - POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: the ServiceAccount must exist
//   (404), expirationSeconds below 600 is refused (422, as kube-apiserver does), default 1 h.
//   The token is opaque (kube-apiserver's is a JWT; nothing here reads inside it).
// - POST /apis/authentication.k8s.io/v1/tokenreviews: a token this server issued is valid
//   for its ServiceAccount until it expires and while that ServiceAccount (same uid) exists;
//   the user is system:serviceaccount:NS:NAME with the groups kube-apiserver gives it.
//   The admin token reviews as the cluster admin (system:masters). Anything else: not
//   authenticated.
// - POST /apis/authorization.k8s.io/v1/subjectaccessreviews: RBAC over ClusterRoleBindings
//   (and RoleBindings for namespaced resource attributes): allowed when a binding whose
//   subject matches the user, a group or the ServiceAccount points at a role with a rule
//   matching the request; system:masters is always allowed, as kube-apiserver's
//   privileged-group authorizer does.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ObjectStore } from './objects.js';
import type { Registry } from './registry.js';
import { ApiStatusError, badRequest } from './status.js';
import { isObject, type JsonObject } from './patch.js';
import { objectKey } from './store.js';

export const TOKEN_REQUEST_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/;
export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

interface IssuedToken {
  namespace: string;
  name: string;
  uid: string;
  expiresAt: number;
}

export type ReviewUser = { username: string; uid?: string; groups: string[] };

const ADMIN_USER: ReviewUser = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AuthReviews {
  /** By SHA-256 of the token: the tokens themselves are not kept. */
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    private readonly registry: Registry,
    private readonly store: ObjectStore,
    private readonly adminToken: string,
    private readonly now: () => number = Date.now,
  ) {}

  handles(path: string): boolean {
    return path === TOKEN_REVIEW_PATH || path === SUBJECT_ACCESS_REVIEW_PATH || TOKEN_REQUEST_PATH.test(path);
  }

  /** Answers one of the three paths that handles() accepts; the reply is a created (201) object. */
  serve(method: string, path: string, body: JsonObject): JsonObject {
    const tr = TOKEN_REQUEST_PATH.exec(path);
    if (method !== 'POST')
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    if (tr) return this.tokenRequest(decodeURIComponent(tr[1]!), decodeURIComponent(tr[2]!), body);
    if (path === TOKEN_REVIEW_PATH) return this.tokenReview(body);
    return this.subjectAccessReview(body);
  }

  private tokenRequest(namespace: string, name: string, req: JsonObject): JsonObject {
    const saType = this.registry.lookup('', 'v1', 'serviceaccounts')!;
    const sa = this.store.get(saType, namespace, name);
    const spec = isObject(req.spec) ? req.spec : {};
    const seconds = spec.expirationSeconds === undefined ? 3600 : Number(spec.expirationSeconds);
    if (!Number.isInteger(seconds) || seconds < 600)
      throw new ApiStatusError(
        422,
        'Invalid',
        `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${String(spec.expirationSeconds)}: may not specify a duration less than 10 minutes`,
      );
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + seconds * 1000;
    this.issued.set(hashOf(token), { namespace, name, uid: sa.uid, expiresAt });
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences: Array.isArray(spec.audiences) ? spec.audiences : [], expirationSeconds: seconds },
      status: { token, expirationTimestamp: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    };
  }

  /** The user a bearer token stands for, or undefined when it is unknown, expired or orphaned. */
  authenticate(token: string): ReviewUser | undefined {
    const got = Buffer.from(token);
    const admin = Buffer.from(this.adminToken);
    if (got.length === admin.length && timingSafeEqual(got, admin)) return ADMIN_USER;
    const key = hashOf(token);
    const t = this.issued.get(key);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) {
      this.issued.delete(key);
      return undefined;
    }
    const sa = this.store
      .slot(this.registry.lookup('', 'v1', 'serviceaccounts')!)
      .bucket.items.get(objectKey(t.namespace, t.name));
    if (!sa || sa.uid !== t.uid) return undefined;
    return {
      username: `system:serviceaccount:${t.namespace}:${t.name}`,
      uid: t.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`, 'system:authenticated'],
    };
  }

  private tokenReview(req: JsonObject): JsonObject {
    const spec = isObject(req.spec) ? req.spec : {};
    if (typeof spec.token !== 'string' || spec.token === '') throw badRequest('spec.token: Required value');
    const user = this.authenticate(spec.token);
    return {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { audiences: Array.isArray(spec.audiences) ? spec.audiences : [] },
      status: user
        ? { authenticated: true, user: { ...user }, audiences: Array.isArray(spec.audiences) ? spec.audiences : [] }
        : { authenticated: false, error: 'invalid bearer token' },
    };
  }

  private subjectAccessReview(req: JsonObject): JsonObject {
    const spec = isObject(req.spec) ? req.spec : {};
    const user = typeof spec.user === 'string' ? spec.user : '';
    const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [];
    const nonResource = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
    const resource = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    if (!nonResource === !resource)
      throw new ApiStatusError(
        422,
        'Invalid',
        'SubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
      );
    if (!user && groups.length === 0)
      throw new ApiStatusError(
        422,
        'Invalid',
        'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
      );
    const allowed = groups.includes('system:masters') || this.rbacAllows(user, groups, nonResource, resource);
    return {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: allowed ? { allowed: true, reason: 'allowed by RBAC' } : { allowed: false },
    };
  }

  private rbacAllows(
    user: string,
    groups: string[],
    nonResource: JsonObject | undefined,
    resource: JsonObject | undefined,
  ): boolean {
    const subjectMatches = (s: unknown, bindingNs: string): boolean => {
      if (!isObject(s)) return false;
      if (s.kind === 'User') return s.name === user;
      if (s.kind === 'Group') return typeof s.name === 'string' && groups.includes(s.name);
      if (s.kind === 'ServiceAccount')
        return user === `system:serviceaccount:${String(s.namespace ?? bindingNs)}:${String(s.name)}`;
      return false;
    };
    const ruleMatches = (rule: unknown): boolean => {
      if (!isObject(rule) || !Array.isArray(rule.verbs)) return false;
      const verb = String((nonResource ?? resource)?.verb ?? '');
      if (!rule.verbs.includes('*') && !rule.verbs.includes(verb)) return false;
      if (nonResource) {
        const path = String(nonResource.path ?? '');
        if (!Array.isArray(rule.nonResourceURLs)) return false;
        return rule.nonResourceURLs.some(
          (u) =>
            u === '*' || u === path || (typeof u === 'string' && u.endsWith('*') && path.startsWith(u.slice(0, -1))),
        );
      }
      const r = resource!;
      const inList = (list: unknown, v: string): boolean =>
        Array.isArray(list) && (list.includes('*') || list.includes(v));
      const res = r.subresource ? `${String(r.resource ?? '')}/${String(r.subresource)}` : String(r.resource ?? '');
      if (!inList(rule.apiGroups, String(r.group ?? '')) || !inList(rule.resources, res)) return false;
      return (
        !Array.isArray(rule.resourceNames) ||
        rule.resourceNames.length === 0 ||
        rule.resourceNames.includes(r.name ?? '')
      );
    };
    const roleAllows = (kind: unknown, name: unknown, ns: string): boolean => {
      const plural = kind === 'ClusterRole' ? 'clusterroles' : 'roles';
      const t = this.registry.lookup('rbac.authorization.k8s.io', 'v1', plural);
      const item = t
        ? this.store.slot(t).bucket.items.get(objectKey(plural === 'roles' ? ns : '', String(name)))
        : undefined;
      if (!item) return false;
      const role = JSON.parse(item.json) as JsonObject;
      return Array.isArray(role.rules) && role.rules.some(ruleMatches);
    };
    const bindings = (plural: string): JsonObject[] => {
      const t = this.registry.lookup('rbac.authorization.k8s.io', 'v1', plural);
      if (!t) return [];
      return [...this.store.slot(t).bucket.items.values()].map((s) => JSON.parse(s.json) as JsonObject);
    };
    const check = (b: JsonObject, ns: string): boolean =>
      Array.isArray(b.subjects) &&
      b.subjects.some((s) => subjectMatches(s, ns)) &&
      isObject(b.roleRef) &&
      roleAllows(b.roleRef.kind, b.roleRef.name, ns);
    if (bindings('clusterrolebindings').some((b) => check(b, ''))) return true;
    // RoleBindings grant namespaced resources only, never non-resource URLs.
    const ns = resource && typeof resource.namespace === 'string' ? resource.namespace : '';
    if (!ns) return false;
    return bindings('rolebindings').some((b) => isObject(b.metadata) && b.metadata.namespace === ns && check(b, ns));
  }
}
