// The defaults kube-apiserver's built-in registries fill in on write, for the kinds the
// simulator serves: a Namespace's kubernetes finalizer and Active phase, a Pod's Pending status,
// a Service's type and ClusterIP (kept across updates), a Secret's Opaque type, and a CRD's
// NamesAccepted/Established conditions with its storedVersions. Custom resources get none.
// Kept apart from the verbs because it grows kind by kind, independently of them.
import { isObject, type JsonObject } from './patch.js';
import type { ResourceType } from './resource.js';
import { now } from './stored-object.js';

/**
 * Defaults the built-in kinds need for kubectl and controllers to be happy. `nextClusterIp`
 * hands out the store's next Service address; it is called only when one is allocated.
 */
export function applyBuiltinDefaults(
  t: ResourceType,
  obj: JsonObject,
  old: JsonObject | undefined,
  nextClusterIp: () => string,
): void {
  if (t.custom) return;
  if (t.kind === 'Namespace' && !old) {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  } else if (t.kind === 'Namespace' && old) {
    obj.spec = old.spec ?? null;
  } else if (t.kind === 'Pod' && !old) {
    obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  } else if (t.kind === 'Service') {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec as JsonObject;
    const oldSpec = old && isObject(old.spec) ? old.spec : undefined;
    if (spec.type === undefined) spec.type = 'ClusterIP';
    if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
      if (oldSpec?.clusterIP) spec.clusterIP = oldSpec.clusterIP;
      else spec.clusterIP = nextClusterIp();
      spec.clusterIPs = [spec.clusterIP];
    }
  } else if (t.kind === 'Secret' && obj.type === undefined) {
    obj.type = 'Opaque';
  } else if (t.kind === 'CustomResourceDefinition') {
    const names = isObject(obj.spec) && isObject(obj.spec.names) ? obj.spec.names : {};
    obj.status = {
      acceptedNames: names,
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now(),
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now(),
        },
      ],
      storedVersions: Array.isArray(isObject(obj.spec) ? obj.spec.versions : undefined)
        ? ((obj.spec as JsonObject).versions as JsonObject[]).filter((v) => v.storage).map((v) => v.name as string)
        : [],
    };
  }
}
