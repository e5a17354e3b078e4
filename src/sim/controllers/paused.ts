// CAPI's pause contract (util/paused, v1.14): an object is paused when its Cluster has
// spec.paused: true or the object carries the cluster.x-k8s.io/paused annotation. Every
// CAPI and CAPM3 reconciler first keeps a v1beta2 `Paused` condition in step with that
// (True/Paused or False/NotPaused) and then, if paused, does nothing else.
import type { RestClient } from './rest.js';
import { objectPath, type Resource } from './resources.js';
import { field, setCondition, type Condition, type Obj } from './helpers.js';

export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

export function isPaused(cluster: Obj | undefined, obj: Obj): boolean {
  return (
    field<boolean>(cluster, 'spec', 'paused') === true ||
    Boolean(obj.metadata.annotations && PAUSED_ANNOTATION in obj.metadata.annotations)
  );
}

/** Patches the Paused condition when it is missing or wrong; true when it wrote (the watch brings the object back). */
export async function setPausedCondition(
  client: RestClient,
  res: Resource,
  obj: Obj,
  cluster: Obj | undefined,
): Promise<boolean> {
  const paused = isPaused(cluster, obj);
  const status = paused ? 'True' : 'False';
  const list = field<Condition[]>(obj, 'status', 'conditions');
  if (list?.find((c) => c.type === 'Paused')?.status === status) return false;
  const conditions = setCondition(list, {
    type: 'Paused',
    status,
    reason: paused ? 'Paused' : 'NotPaused',
    observedGeneration: obj.metadata.generation,
  });
  await client.mergePatch(objectPath(res, obj.metadata.name, obj.metadata.namespace, 'status'), {
    metadata: { resourceVersion: obj.metadata.resourceVersion },
    status: { conditions },
  });
  return true;
}
