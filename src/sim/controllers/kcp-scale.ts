// KCP's scaling decisions after the first Machine (CAPI v1.14.0,
// controlplane/kubeadm/reconcilers/kubeadmcontrolplane), one operation at a time:
// - while a Machine is deleting, nothing else happens; reconcilePreTerminateHook lets go of
//   the kcp-cleanup hook of the Machine with the oldest deletionTimestamp once the Machine
//   controller waits for it (Deleting=True, WaitingForPreTerminateHook) and another Machine
//   keeps the control plane up;
// - Machines needing rollout (MachinesNeedingRollout: spec.version or the KubeadmConfig no
//   longer what the KCP asks for) roll one at a time (update.go rollingUpdate): below
//   replicas + maxSurge, scale up a new Machine; otherwise delete the oldest outdated one;
// - otherwise scale up while below spec.replicas (scaleUpControlPlane) and down while above
//   (scaleDownControlPlane: the oldest Machine, as MachineInFailureDomainWithMostMachines picks
//   it without failure domains);
// - each step first runs the preflight checks (preflight.go): every Machine (but the one
//   to delete) healthy, otherwise wait 15 s.
// Which Machine goes (selectMachineForInPlaceUpdateOrScaleDown): one with the
// cluster.x-k8s.io/delete-machine annotation (outdated ones first), else an outdated one,
// else any; of those the oldest in the failure domain with the most (kcp-failure-domains.ts;
// without failure domains, the oldest). A new Machine goes to the failure domain with the
// fewest up-to-date Machines.
// With stacked etcd, leadership leaves the Machine before KCP deletes it, and the hook
// removes its etcd member (both again) before the infrastructure goes (kcp-etcd-members.ts).
import type { ControllerContext } from './runtime.js';
import { R, objectPath } from './resources.js';
import { condition, field, type Obj } from './helpers.js';
import { scaled } from '../cost-model/model.js';
import { isExternalEtcd } from './kcp-certs.js';
import { createControlPlaneMachine, KCP_PRE_TERMINATE_HOOK } from './kcp-machines.js';
import { forwardLeadershipFrom, removeMemberOfDeletingMachine, type EtcdStep } from './kcp-etcd-members.js';
import {
  controlPlaneFailureDomains,
  machineInFailureDomainWithMostMachines,
  nextFailureDomainForScaleUp,
} from './kcp-failure-domains.js';

export { oldest } from './kcp-failure-domains.js';

/** clusterv1.DeleteMachineAnnotation: the user's pick for the next Machine to go. */
export const DELETE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/delete-machine';

/** preflight.go preflightFailedRequeueAfter. */
const PREFLIGHT_FAILED_REQUEUE_MS = 15_000;

export interface ScalingInput {
  kcp: Obj;
  cluster: Obj;
  /** The KCP's Machines, deleting ones included. */
  machines: Obj[];
  initialized: boolean;
  /** Whether a Machine's Node and every KCP condition on it are healthy. */
  healthy(m: Obj): boolean;
  /** Stacked etcd: what the etcd steps read and reach (absent with external etcd). */
  etcd?: EtcdStep;
}

export interface ScalingStep {
  /** A Machine was created or deleted, or a hook removed: their events bring KCP back. */
  acted: boolean;
  requeueAfterMs?: number;
  /** Live Machines that match the KCP's spec (status.upToDateReplicas). */
  upToDate: number;
}

/** True when `want` is contained in `have`: every key KCP sets has that value (server defaults aside). */
function contains(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return have === want;
  if (Array.isArray(want))
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want as Record<string, unknown>).every(([k, v]) =>
    contains((have as Record<string, unknown>)[k], v),
  );
}

/** The part of a kubeadmConfigSpec that is the same for init and join Machines. */
function commonSpec(spec: Record<string, unknown> | undefined): Record<string, unknown> {
  const { initConfiguration: _i, joinConfiguration: _j, ...rest } = spec ?? {};
  return rest;
}

/** MachinesNeedingRollout: version differs, or the KubeadmConfig lacks what the KCP now asks for. */
export function needsRollout(ctx: ControllerContext, kcp: Obj, machine: Obj): boolean {
  if (field<string>(machine, 'spec', 'version') !== field<string>(kcp, 'spec', 'version')) return true;
  const configName = field<string>(machine, 'spec', 'bootstrap', 'configRef', 'name');
  const config = configName
    ? (ctx.cache(R.kubeadmConfig).get(machine.metadata.namespace ?? '', configName) as Obj | undefined)
    : undefined;
  if (!config) return false; // not cached yet: not known to be outdated
  const want = commonSpec(field<Record<string, unknown>>(kcp, 'spec', 'kubeadmConfigSpec'));
  return !contains(commonSpec(field<Record<string, unknown>>(config, 'spec')), want);
}

const marked = (list: Obj[]) => list.filter((m) => DELETE_MACHINE_ANNOTATION in (m.metadata.annotations ?? {}));

/**
 * selectMachineForInPlaceUpdateOrScaleDown: the eligible Machines (see the file comment), then
 * MachineInFailureDomainWithMostMachines among them.
 */
export function machineToDelete(domains: string[], live: Obj[], outdated: Obj[]): Obj | undefined {
  const eligible = [marked(outdated), marked(live), outdated, live].find((l) => l.length > 0) ?? [];
  return machineInFailureDomainWithMostMachines(domains, live, eligible);
}

const deletedAt = (m: Obj) => Date.parse(m.metadata.deletionTimestamp ?? '') || 0;

async function reconcilePreTerminateHook(ctx: ControllerContext, s: ScalingInput, deleting: Obj[]): Promise<number> {
  const wait = scaled(ctx.model, ctx.model.kcp.deleteRequeueMs);
  if (deleting.some((m) => !(KCP_PRE_TERMINATE_HOOK in (m.metadata.annotations ?? {})))) return wait;
  const machine = [...deleting].sort((a, b) => deletedAt(a) - deletedAt(b))[0]!;
  const deletingCondition = condition(machine, 'Deleting');
  if (deletingCondition?.status !== 'True' || deletingCondition.reason !== 'WaitingForPreTerminateHook') return wait;
  if (s.machines.length > 1) {
    // The control plane must stay up without it.
    const others = s.machines.filter((m) => m !== machine && !m.metadata.deletionTimestamp);
    if (!others.some((m) => s.healthy(m))) return wait;
    if (!isExternalEtcd(s.kcp)) {
      if (!s.etcd) throw new Error('unable to remove pre-terminate hook: the workload cluster’s etcd was not read');
      if (!(await removeMemberOfDeletingMachine(ctx, s.etcd, machine))) return wait;
    }
  }
  await ctx.client.mergePatch(objectPath(R.machine, machine.metadata.name, machine.metadata.namespace), {
    metadata: { annotations: { [KCP_PRE_TERMINATE_HOOK]: null } },
  });
  return wait;
}

/** One scaling step, or none; see the file comment for the order. */
export async function reconcileScaling(ctx: ControllerContext, s: ScalingInput): Promise<ScalingStep> {
  const live = s.machines.filter((m) => !m.metadata.deletionTimestamp);
  const outdated = live.filter((m) => needsRollout(ctx, s.kcp, m));
  const upToDate = live.length - outdated.length;
  const deleting = s.machines.filter((m) => m.metadata.deletionTimestamp);
  if (deleting.length > 0)
    return { acted: true, upToDate, requeueAfterMs: await reconcilePreTerminateHook(ctx, s, deleting) };

  const desired = field<number>(s.kcp, 'spec', 'replicas') ?? 1;
  const domains = controlPlaneFailureDomains(s.cluster);
  const nextDomain = () =>
    nextFailureDomainForScaleUp(
      domains,
      s.machines,
      live.filter((m) => !outdated.includes(m)),
    );
  const preflightFailed = { acted: false, upToDate, requeueAfterMs: scaled(ctx.model, PREFLIGHT_FAILED_REQUEUE_MS) };
  const scaleUp = async (): Promise<ScalingStep> => {
    if (!s.initialized || !live.every((m) => s.healthy(m))) return preflightFailed;
    await createControlPlaneMachine(ctx, s.kcp, s.cluster, true, nextDomain());
    return { acted: true, upToDate };
  };
  const scaleDown = async (machine: Obj | undefined): Promise<ScalingStep> => {
    if (!machine || !live.every((m) => m === machine || s.healthy(m))) return preflightFailed;
    if (!isExternalEtcd(s.kcp)) {
      if (!s.etcd) throw new Error('unable to forward etcd leadership: the workload cluster’s etcd was not read');
      await forwardLeadershipFrom(ctx, s.etcd, machine);
    }
    await ctx.client.delete(objectPath(R.machine, machine.metadata.name, machine.metadata.namespace));
    return { acted: true, upToDate };
  };

  if (live.length === 0) {
    if (desired === 0) return { acted: false, upToDate };
    await createControlPlaneMachine(ctx, s.kcp, s.cluster, false, nextDomain());
    return { acted: true, upToDate };
  }
  if (outdated.length > 0) {
    // IntOrString, validated to 0 or 1; 1 when unset.
    const maxSurge = Number(
      field<number | string>(s.kcp, 'spec', 'rollout', 'strategy', 'rollingUpdate', 'maxSurge') ?? 1,
    );
    return live.length < desired + maxSurge ? scaleUp() : scaleDown(machineToDelete(domains, live, outdated));
  }
  if (live.length < desired) return scaleUp();
  if (live.length > desired) return scaleDown(machineToDelete(domains, live, outdated));
  return { acted: false, upToDate };
}
