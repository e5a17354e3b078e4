// The emulated controller managers, one per ControllerId, as a real install has them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerId } from '../../core/types.js';
import { DEFAULT_COST_MODEL, type CostModel } from '../cost-model/model.js';
import { bmoReconciler } from './bmo.js';
import { clusterReconciler, machineReconciler } from './capi.js';
import { machineDeploymentReconciler, machineSetReconciler } from './capi-md.js';
import { metal3ClusterReconciler, metal3MachineReconciler } from './capm3.js';
import { metal3DataReconciler, metal3DataTemplateReconciler } from './capm3-data.js';
import { kcpReconciler } from './kcp.js';
import { kubeadmConfigReconciler } from './cabpk.js';
import { ControllerManager, STDOUT_SINK, type PodSink, type ReconcilerDef } from './runtime.js';

export const RECONCILERS: Record<ControllerId, ReconcilerDef[]> = {
  capi: [clusterReconciler, machineReconciler, machineDeploymentReconciler, machineSetReconciler],
  'kubeadm-bootstrap': [kubeadmConfigReconciler],
  kcp: [kcpReconciler],
  capm3: [metal3ClusterReconciler, metal3MachineReconciler, metal3DataTemplateReconciler, metal3DataReconciler],
  // IPAM has nothing to do in this experiment (no IPPools): it idles like the real one.
  ipam: [],
  bmo: [bmoReconciler],
};

export interface StartControllersOptions {
  kubeconfig: KubeConfig;
  model?: CostModel;
  sink?: PodSink;
  only?: ControllerId[];
  sampleMs?: number;
  /** Every write of every manager to the management API, with the controller that sent it. */
  onWrite?: (controller: ControllerId, verb: string, path: string, body: unknown, status: number) => void;
}

export interface RunningControllers {
  managers: Map<ControllerId, ControllerManager>;
  stop(): Promise<void>;
}

export async function startControllers(opts: StartControllersOptions): Promise<RunningControllers> {
  const managers = new Map<ControllerId, ControllerManager>();
  const ids = opts.only ?? (Object.keys(RECONCILERS) as ControllerId[]);
  for (const id of ids) {
    managers.set(
      id,
      new ControllerManager({
        id,
        kubeconfig: opts.kubeconfig,
        reconcilers: RECONCILERS[id],
        model: opts.model ?? DEFAULT_COST_MODEL,
        sink: opts.sink ?? STDOUT_SINK,
        sampleMs: opts.sampleMs,
        onWrite: opts.onWrite ? (verb, path, body, status) => opts.onWrite?.(id, verb, path, body, status) : undefined,
      }),
    );
  }
  await Promise.all([...managers.values()].map((m) => m.start()));
  return {
    managers,
    stop: async () => {
      await Promise.all([...managers.values()].map((m) => m.stop()));
    },
  };
}

export { ControllerManager, type PodSink };
