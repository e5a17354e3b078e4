// The scale subresource, as kube-apiserver serves it for Deployments, StatefulSets and CRDs
// with a scale subresource: an autoscaling/v1 Scale built from the kind's specReplicasPath,
// statusReplicasPath and labelSelectorPath, and a Scale write that sets spec.replicas.
import type { ObjectStore } from './objects.js';
import type { ResourceType } from './resource.js';
import { ApiStatusError } from './status.js';
import { isObject, type JsonObject } from './patch.js';

// ---- scale subresource
/** The autoscaling/v1 Scale of an object, read through the kind's scale paths. */
export function scaleOf(store: ObjectStore, t: ResourceType, ns: string, name: string): object {
  const obj = store.getObject(t, ns, name);
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

/** Writes spec.replicas from a Scale (resourceVersion honoured) and returns the new Scale. */
export function setScale(store: ObjectStore, t: ResourceType, ns: string, name: string, scale: JsonObject): object {
  const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiStatusError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  }
  const obj = store.getObject(t, ns, name);
  const path = (t.scale?.specReplicasPath ?? '.spec.replicas').replace(/^\./, '').split('.');
  let cur: JsonObject = obj;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as JsonObject;
  }
  cur[path[path.length - 1]!] = replicas;
  const md = scale.metadata;
  if (isObject(md) && md.resourceVersion) (obj.metadata as JsonObject).resourceVersion = md.resourceVersion;
  store.patch(t, ns, name, 'merge', JSON.stringify(obj), undefined, {});
  return scaleOf(store, t, ns, name);
}
