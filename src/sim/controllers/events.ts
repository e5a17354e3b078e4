// core/v1 Events as the pinned controllers write them, so `kubectl describe` and the TUI's
// detail page show the same history a real management cluster would.
//
// Two writers, as upstream has two:
// - CAPI and KCP (v1.14) record through controller-runtime's GetEventRecorderFor(name),
//   client-go's broadcaster: name "<object>.<hex nanoseconds>", the object's reference with
//   its resourceVersion, source.component = the recorder's name (also reportingComponent),
//   count 1, first = last timestamp. The broadcaster writes in the background through its
//   own clientset, so a reconcile never waits for it and a failure is only logged.
// - BMO (v0.13) builds its events itself (BareMetalHost.NewEvent) and creates them with the
//   manager's client after saving the host's status: generateName "<Reason>-", component
//   metal3-baremetal-controller, reportingComponent metal3.io/baremetal-controller, the
//   host's consumerRef as `related`, and a "publishing event" log line for each.
// Both are legacy core/v1 Events (no eventTime), which kube-apiserver validates leniently:
// the name is not checked, only that the namespace matches the involved object's.
import type { KubeObject } from '../../manifests/types.js';
import type { Obj } from './helpers.js';

export type EventType = 'Normal' | 'Warning';

/** metav1.Time: whole seconds, UTC. */
const seconds = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

let lastNanos = 0n;

/** client-go names an event after the object and the time in hex nanoseconds; two in one ms must not collide. */
function uniqueNanos(nowMs: number): bigint {
  let n = BigInt(nowMs) * 1_000_000n;
  if (n <= lastNanos) n = lastNanos + 1n;
  lastNanos = n;
  return n;
}

function reference(obj: Obj, withVersion: boolean): Record<string, string> {
  const md = obj.metadata;
  return {
    kind: obj.kind,
    namespace: md.namespace ?? '',
    name: md.name,
    uid: md.uid ?? '',
    apiVersion: obj.apiVersion,
    ...(withVersion && md.resourceVersion ? { resourceVersion: md.resourceVersion } : {}),
  };
}

/** An event as client-go's recorder (controller-runtime's GetEventRecorderFor(component)) makes it. */
export function recorderEvent(
  component: string,
  obj: Obj,
  type: EventType,
  reason: string,
  message: string,
  nowMs = Date.now(),
): KubeObject {
  const t = seconds(nowMs);
  const namespace = obj.metadata.namespace || 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${uniqueNanos(nowMs).toString(16)}`, namespace },
    involvedObject: reference(obj, true),
    reason,
    message,
    source: { component },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: '',
  } as unknown as KubeObject;
}

export const BMO_EVENT_COMPONENT = 'metal3-baremetal-controller';
export const BMO_REPORTING_CONTROLLER = 'metal3.io/baremetal-controller';

/** BareMetalHost.NewEvent (BMO v0.13): always Normal, named after the reason. */
export function hostEvent(host: Obj, reason: string, message: string, nowMs = Date.now()): KubeObject {
  const t = seconds(nowMs);
  const consumer = (host as { spec?: { consumerRef?: Record<string, string> } }).spec?.consumerRef;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${reason}-`, namespace: host.metadata.namespace },
    involvedObject: reference(host, false),
    reason,
    message,
    source: { component: BMO_EVENT_COMPONENT },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: BMO_REPORTING_CONTROLLER,
    reportingInstance: '',
    ...(consumer ? { related: consumer } : {}),
  } as unknown as KubeObject;
}
