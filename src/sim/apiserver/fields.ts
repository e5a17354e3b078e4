// The field selectors each kind supports (as kube-apiserver registers them); others are a 400.
import type { ResourceType } from './resource.js';
import { badRequest } from './status.js';
import type { FieldRequirement } from './selectors.js';

const COMMON = ['metadata.name', 'metadata.namespace'];

const BY_KIND: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  ReplicaSet: ['status.replicas'],
};

export function checkFieldSelector(t: ResourceType, reqs: FieldRequirement[]): void {
  const extra = t.custom ? [] : (BY_KIND[t.kind] ?? []);
  for (const r of reqs) {
    if (!COMMON.includes(r.field) && !extra.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}
