// BareMetalHost controller of the baremetal-operator v0.13 in test mode (the fixture
// provisioner: no Ironic). States and their test-mode durations (fixture.go requeue delays,
// in the cost model): registering (5 s) -> inspecting (2 s) -> preparing -> available;
// provisioning (10 s) -> provisioned once a consumer sets an image; deprovisioning (10 s)
// -> available when the image is taken away; on delete, a provisioned host deprovisions
// first, then `powering off before delete`, then `deleting`, then the finalizer goes.
// Status always carries the fields the CRD requires (errorCount, errorMessage,
// operationalStatus, poweredOn, provisioning.ID/state) and never an errorType outside its
// enum: the real API server rejects `errorType: ''`.
import type { ReconcilerDef } from './runtime.js';
import { collectionPath, R } from './resources.js';
import { hostEvent } from './events.js';
import {
  addFinalizer,
  elapsedSince,
  field,
  isDeleting,
  nowIso,
  patchStatus,
  removeFinalizer,
  cachedPrimary,
} from './helpers.js';
import { jittered } from '../cost-model/model.js';
import { hardwareDetails } from './bmo-hardware.js';

export const BMH_FINALIZER = 'baremetalhost.metal3.io';

type State =
  | 'registering'
  | 'inspecting'
  | 'preparing'
  | 'available'
  | 'provisioning'
  | 'provisioned'
  | 'deprovisioning'
  | 'powering off before delete'
  | 'deleting';

type Op = 'register' | 'inspect' | 'provision' | 'deprovision';

export const bmoReconciler: ReconcilerDef = {
  name: 'baremetalhost',
  concurrencyFlag: 'controller-concurrency',
  primary: R.bmh,
  async reconcile(ctx, key) {
    const { namespace, name, obj: host } = cachedPrimary(ctx, R.bmh, key);
    if (!host) return;
    const d = ctx.model.bmhDelaysMs;
    const status = (host.status ?? {}) as Record<string, unknown>;
    const state = (field<string>(status, 'provisioning', 'state') ?? '') as State | '';
    const since = elapsedSince(field<string>(status, 'lastUpdated'));
    const history = (field<Record<string, unknown>>(status, 'operationHistory') ?? {}) as Record<
      string,
      { start?: string | null; end?: string | null }
    >;
    const provisioning = field<Record<string, unknown>>(status, 'provisioning') ?? {};
    const id = String(provisioning.ID ?? '') || host.metadata.uid || 'temporary-fake-id';
    /** Moves to `next`, starting or ending an operation's record; the wait is the next state's duration. */
    const set = async (
      next: State,
      extra: Record<string, unknown> = {},
      ...ops: Array<{ name: Op; end?: boolean }>
    ) => {
      const h = { ...history };
      for (const op of ops)
        h[op.name] = op.end ? { ...(h[op.name] ?? {}), end: nowIso() } : { start: nowIso(), end: null };
      await patchStatus(ctx.client, R.bmh, host, {
        errorCount: 0,
        errorMessage: '',
        operationalStatus: 'OK',
        poweredOn: field<boolean>(status, 'poweredOn') ?? false,
        ...extra,
        provisioning: { ...provisioning, ...(extra.provisioning as object), state: next, ID: id },
        lastUpdated: nowIso(),
        operationHistory: h,
      });
    };
    // After the status is saved, as the reconciler publishes the events it collected (events.ts).
    const publish = async (reason: string, message: string) => {
      ctx.log(`"publishing event" baremetalhost="${namespace}/${name}" reason="${reason}" message="${message}"`);
      await ctx.client
        .create(collectionPath(R.event, namespace), hostEvent(host, reason, message))
        .catch((err: Error) => ctx.log(`"failed to record event, ignoring" reason="${reason}" error="${err.message}"`));
    };
    const after = (ms: number) => ({ requeueAfterMs: Math.max(1, jittered(ctx.model, ms)) });
    const stillWaiting = (ms: number) => since < jittered(ctx.model, ms, () => 0.5);

    if (isDeleting(host)) {
      switch (state) {
        case 'provisioning':
        case 'provisioned':
          await set('deprovisioning', {}, { name: 'deprovision' });
          await publish('DeprovisionStarted', 'Image deprovisioning started');
          return after(d.deprovisioning);
        case 'deprovisioning':
          if (stillWaiting(d.deprovisioning)) return after(d.deprovisioning);
          await set(
            'powering off before delete',
            { provisioning: { image: null } },
            { name: 'deprovision', end: true },
          );
          await publish('DeprovisionComplete', 'Image deprovisioning completed');
          return after(d.poweringOff);
        case 'powering off before delete':
          if (stillWaiting(d.poweringOff)) return after(d.poweringOff);
          await set('deleting', { poweredOn: false });
          return after(1);
        case 'deleting':
          await removeFinalizer(ctx.client, R.bmh, host, BMH_FINALIZER);
          return;
        default:
          await set('powering off before delete');
          return after(d.poweringOff);
      }
    }
    if (await addFinalizer(ctx.client, R.bmh, host, BMH_FINALIZER)) return;

    const image = field<{ url?: string }>(host, 'spec', 'image');
    const consumer = field<{ name?: string }>(host, 'spec', 'consumerRef');
    const online = field<boolean>(host, 'spec', 'online') === true;
    switch (state) {
      case '':
        await set('registering', {}, { name: 'register' });
        await publish('Registered', 'Registered new host');
        return after(d.registering);
      case 'registering': {
        if (stillWaiting(d.registering)) return after(d.registering);
        const credentialsName = field<string>(host, 'spec', 'bmc', 'credentialsName') ?? '';
        await set(
          'inspecting',
          { goodCredentials: { credentials: { name: credentialsName, namespace } } },
          { name: 'register', end: true },
          { name: 'inspect' },
        );
        await publish('BMCAccessValidated', 'Verified access to BMC');
        return after(d.inspecting);
      }
      case 'inspecting':
        if (stillWaiting(d.inspecting)) return after(d.inspecting);
        await set(
          'preparing',
          { hardware: hardwareDetails(name, host.metadata.uid ?? ''), hardwareProfile: 'unknown' },
          {
            name: 'inspect',
            end: true,
          },
        );
        await publish('InspectionComplete', 'Hardware inspection completed');
        return after(d.preparing);
      case 'preparing':
        if (stillWaiting(d.preparing)) return after(d.preparing);
        await set('available');
        return;
      case 'available':
        if (image?.url && consumer?.name) {
          await set('provisioning', {}, { name: 'provision' });
          await publish('ProvisioningComplete', 'Image provisioning completed');
          return after(d.provisioning);
        }
        return; // the watch brings it back when a consumer sets an image
      case 'provisioning':
        if (!image?.url) {
          await set('deprovisioning', {}, { name: 'deprovision' });
          await publish('DeprovisionStarted', 'Image deprovisioning started');
          return after(d.deprovisioning);
        }
        if (stillWaiting(d.provisioning)) return after(d.provisioning);
        await set(
          'provisioned',
          {
            poweredOn: online,
            provisioning: { image, bootMode: 'UEFI', rootDeviceHints: { deviceName: '/dev/sda' } },
          },
          { name: 'provision', end: true },
        );
        return;
      case 'provisioned':
        if (!image?.url) {
          await set('deprovisioning', {}, { name: 'deprovision' });
          await publish('DeprovisionStarted', 'Image deprovisioning started');
          return after(d.deprovisioning);
        }
        if (field<boolean>(status, 'poweredOn') !== online) await set('provisioned', { poweredOn: online });
        return;
      case 'deprovisioning':
        if (stillWaiting(d.deprovisioning)) return after(d.deprovisioning);
        await set('available', { poweredOn: false, provisioning: { image: null } }, { name: 'deprovision', end: true });
        await publish('DeprovisionComplete', 'Image deprovisioning completed');
        return;
      default:
        return;
    }
  },
};
