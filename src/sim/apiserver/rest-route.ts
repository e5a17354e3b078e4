// Which resource a Kubernetes REST path addresses: /api/v1 or /apis/<group>/<version>, then
// optionally watch/, namespaces/<ns>/, the resource, a name and a subresource (status, scale,
// finalize for Namespaces, the kinds' extra ones). Anything else is the server's plain 404,
// as kube-apiserver answers an unknown path.
import type { Registry } from './registry.js';
import type { ResourceType } from './resource.js';
import { ApiStatusError } from './status.js';

export interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
  watch: boolean;
}

export function parseRoute(registry: Registry, group: string, version: string, rest: string[]): Route {
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
  const type = registry.lookup(group, version, rest[0] ?? '');
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

/** The namespace a namespaced route addresses; '' for a cluster-scoped one. */
export function routeNamespace(route: Route): string {
  return route.type.namespaced ? (route.namespace ?? '') : '';
}
