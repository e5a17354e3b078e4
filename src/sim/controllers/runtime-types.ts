// The contracts between the emulated controller-manager process (runtime.ts) and what it
// runs or feeds: reconcilers and their watches, the context a reconcile sees, and the sink
// for the pod's log lines and resource usage. Kept apart so runtime.ts holds the process.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../manifests/types.js';
import type { ControllerId } from '../../core/types.js';
import type { CostModel } from '../cost-model/model.js';
import type { EventType } from './events.js';
import type { Obj } from './helpers.js';
import type { PodPorts } from './diagnostics.js';
import type { ControllerIdentity, EffectiveFlags } from './identity.js';
import type { Informer } from './informer.js';
import type { RestClient } from './rest.js';
import type { Resource } from './resources.js';
import type { WorkloadClients } from './workload.js';
import type { ReconcileResult } from './workqueue.js';

/** Where a controller's pod log lines and resource usage go. */
export interface PodSink extends PodPorts {
  appendLog(namespace: string, pod: string, container: string, line: string): void;
  setPodMetrics(
    namespace: string,
    pod: string,
    containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>,
  ): void;
}

/** A real cluster offers no way to inject pod logs or metrics: print the lines instead. */
export const STDOUT_SINK: PodSink = {
  appendLog: (ns, pod, _c, line) => process.stdout.write(`[${ns}/${pod}] ${line}\n`),
  setPodMetrics: () => {},
};

export interface ControllerContext {
  readonly id: ControllerId;
  readonly client: RestClient;
  readonly model: CostModel;
  readonly workload: WorkloadClients;
  cache(res: Resource): Informer;
  log(message: string): void;
  /** controller-runtime's event recorder for `component`: written in the background, never awaited (events.ts). */
  record(component: string, obj: Obj, type: EventType, reason: string, message: string): void;
  /** Enqueue a key on another reconciler of the same manager. */
  enqueue(reconciler: string, key: string): void;
}

export interface Watch {
  resource: Resource;
  /** Primary keys to enqueue for a change of this object; default: its own key. `cache` reads other kinds. */
  map?: (obj: KubeObject, cache: (res: Resource) => Informer) => string[];
}

export interface ReconcilerDef {
  name: string;
  concurrencyFlag: string;
  primary: Resource;
  watches?: Watch[];
  reconcile(ctx: ControllerContext, key: string): Promise<ReconcileResult>;
}

export interface ManagerOptions {
  id: ControllerId;
  kubeconfig: KubeConfig;
  reconcilers: ReconcilerDef[];
  model: CostModel;
  sink: PodSink;
  identity?: ControllerIdentity;
  /** Metrics sampling period (ms). */
  sampleMs?: number;
  /** Every write this manager's client sends to the management API (tests record them). */
  onWrite?: (verb: string, path: string, body: unknown, status: number) => void;
  /** Called after each (re)start with the flags in force. */
  onStart?: (flags: EffectiveFlags, pod: string) => void;
}
