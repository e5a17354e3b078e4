// The waits every create pipeline shares once its objects are written: the BareMetalHost
// available, the control-plane Machine, the Metal3Machine associated with a host, then KCP
// initialized and ready. The default, farm and capd pipelines differ in how the workload
// API comes up between these waits, not in the waits, so the waits live here once.
import { LABEL_CAPI_CLUSTER_NAME, LABEL_CLUSTER } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import type { ClusterRecord, CreatePhase } from '../../core/types.js';
import { waitFor } from '../watch/waiter.js';
import {
  associatedHost,
  clusterReady,
  hostAvailable,
  isControlPlaneMachine,
  kcpInitialized,
  kcpReady,
} from '../watch/capi-state.js';
import type { PipelineContext } from './context.js';
import { step } from './step.js';

type Mark = (phase: CreatePhase) => void;

/** Options for one wait of `rec`'s pipeline: its name in messages, the controller deadline, the abort. */
export function waitOptions(ctx: PipelineContext, rec: ClusterRecord) {
  return (what: string) => ({ what: `${rec.name}: ${what}`, timeoutMs: ctx.timeouts.controllerMs, signal: ctx.signal });
}

/** Host available, control-plane Machine, Metal3Machine associated: the Machine and the host's uid and name. */
export async function waitHostMachineAssociated(
  ctx: PipelineContext,
  rec: ClusterRecord,
  mark: Mark,
): Promise<{ machine: KubeObject; uid: string; bmh: string }> {
  const ns = rec.namespace;
  const w = ctx.watches;
  const opts = waitOptions(ctx, rec);
  await step('wait-host', () =>
    waitFor(
      [w.bmh],
      () =>
        w.bmh
          .list(
            (b) => b.metadata.namespace === ns && b.metadata.labels?.[LABEL_CLUSTER] === rec.name && hostAvailable(b),
          )
          .at(0),
      opts('BareMetalHost available'),
    ),
  );
  mark('host-available');
  const machine = await step('wait-machine', () =>
    waitFor(
      [w.machine],
      () => w.machine.list((m) => isControlPlaneMachine(m, ns, rec.name)).at(0),
      opts('control-plane Machine'),
    ),
  );
  mark('machine');
  const host = await step('wait-associated', () =>
    waitFor(
      [w.m3m, w.bmh],
      () => {
        for (const m3m of w.m3m.list(
          (m) => m.metadata.namespace === ns && m.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME] === rec.name,
        )) {
          const h = associatedHost(m3m);
          const bmh = h ? w.bmh.get(h.namespace, h.name) : undefined;
          const uid = (bmh?.metadata as { uid?: string } | undefined)?.uid;
          if (uid) return { uid, bmh: h!.name };
        }
        return undefined;
      },
      opts('Metal3Machine associated with a BareMetalHost'),
    ),
  );
  mark('associated');
  return { machine, ...host };
}

/** The cluster's KubeadmControlPlane, by cluster label or by name. */
function kcpOf(ctx: PipelineContext, rec: ClusterRecord): KubeObject | undefined {
  return ctx.watches.kcp
    .list(
      (k) =>
        k.metadata.namespace === rec.namespace &&
        (k.metadata.labels?.[LABEL_CAPI_CLUSTER_NAME] === rec.name || k.metadata.name === rec.name),
    )
    .at(0);
}

export async function waitInitialized(ctx: PipelineContext, rec: ClusterRecord, mark: Mark): Promise<void> {
  await step('wait-initialized', () =>
    waitFor(
      [ctx.watches.kcp],
      () => {
        const k = kcpOf(ctx, rec);
        return k && kcpInitialized(k) ? true : undefined;
      },
      waitOptions(ctx, rec)('control plane initialized'),
    ),
  );
  mark('initialized');
}

export async function waitReady(ctx: PipelineContext, rec: ClusterRecord, mark: Mark): Promise<void> {
  const w = ctx.watches;
  await step('wait-ready', () =>
    waitFor(
      [w.kcp, w.cluster],
      () => {
        const k = kcpOf(ctx, rec);
        const c = w.cluster.get(rec.namespace, rec.name);
        return (k && kcpReady(k)) || (c && clusterReady(c)) ? true : undefined;
      },
      waitOptions(ctx, rec)('control plane ready'),
    ),
  );
  mark('ready');
}
