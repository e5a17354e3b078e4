// BareMetalHost controller of the baremetal-operator in test mode (--test-mode: no
// Ironic). State names and status fields are BMO v0.13's: registering -> inspecting ->
// available; provisioning -> provisioned when a consumer sets an image;
// deprovisioning -> available when it is released; deleting on removal.
import type { ReconcilerDef } from './runtime.js';
import { R } from './resources.js';
import {
  addFinalizer,
  elapsedSince,
  field,
  isDeleting,
  nowIso,
  patchStatus,
  removeFinalizer,
  splitKey,
  type Obj,
} from './helpers.js';
import { scaled } from '../cost-model/model.js';

export const BMH_FINALIZER = 'baremetalhost.metal3.io';

type State =
  | 'registering'
  | 'inspecting'
  | 'available'
  | 'provisioning'
  | 'provisioned'
  | 'deprovisioning'
  | 'deleting';

function hardware(name: string, uid: string) {
  // A plausible inspection result; CAPM3 copies NIC IPs and the hostname into addresses.
  const n = parseInt(uid.replace(/[^0-9a-f]/g, '').slice(0, 4) || '0', 16);
  return {
    cpu: {
      arch: 'x86_64',
      model: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz',
      clockMegahertz: 2100,
      count: 8,
      flags: [],
    },
    firmware: { bios: { date: '01/01/2011', vendor: 'SeaBIOS', version: '1.15.0' } },
    hostname: name,
    nics: [
      {
        name: 'eth0',
        mac: `00:5c:52:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}:01`,
        ip: `192.168.${(n >> 8) & 255}.${n & 255}`,
        speedGbps: 10,
        pxe: true,
      },
    ],
    ramMebibytes: 32768,
    storage: [{ name: '/dev/sda', sizeBytes: 53687091200, type: 'HDD', rotational: true }],
    systemVendor: { manufacturer: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' },
  };
}

export const bmoReconciler: ReconcilerDef = {
  name: 'baremetalhost',
  concurrencyFlag: 'controller-concurrency',
  primary: R.bmh,
  async reconcile(ctx, key) {
    const { namespace, name } = splitKey(key);
    const host = ctx.cache(R.bmh).get(namespace, name) as Obj | undefined;
    if (!host) return;
    const d = ctx.model.bmhDelaysMs;
    const status = (host.status ?? {}) as Record<string, unknown>;
    const state = (field<string>(status, 'provisioning', 'state') ?? '') as State | '';
    const since = elapsedSince(field<string>(status, 'lastUpdated'));
    const history = (field<Record<string, unknown>>(status, 'operationHistory') ?? {}) as Record<
      string,
      { start?: string; end?: string }
    >;
    const set = (next: State, extra: Record<string, unknown> = {}, op?: { name: string; end?: boolean }) => {
      const h = { ...history };
      if (op)
        h[op.name] = op.end
          ? { ...(h[op.name] ?? {}), end: nowIso() }
          : { start: nowIso(), end: null as unknown as string };
      return patchStatus(ctx.client, R.bmh, host, {
        provisioning: {
          ...(field<Record<string, unknown>>(status, 'provisioning') ?? {}),
          state: next,
          ID: host.metadata.uid ?? '',
        },
        lastUpdated: nowIso(),
        operationHistory: h,
        ...extra,
      });
    };

    if (isDeleting(host)) {
      if (state !== 'deleting') {
        await set('deleting', { poweredOn: false });
        return { requeueAfterMs: scaled(ctx.model, d.deprovisioning) };
      }
      await removeFinalizer(ctx.client, R.bmh, host, BMH_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.bmh, host, BMH_FINALIZER)) return;

    const image = field<{ url?: string }>(host, 'spec', 'image');
    const consumer = field<{ name?: string }>(host, 'spec', 'consumerRef');
    const wait = (ms: number) => ({ requeueAfterMs: Math.max(1, scaled(ctx.model, ms) - since) });
    switch (state) {
      case '':
        await set(
          'registering',
          { operationalStatus: 'OK', errorMessage: '', errorCount: 0, poweredOn: false },
          { name: 'register' },
        );
        return { requeueAfterMs: scaled(ctx.model, d.registering) };
      case 'registering':
        if (since < scaled(ctx.model, d.registering)) return wait(d.registering);
        await set(
          'inspecting',
          {
            goodCredentials: {
              credentials: { name: field<string>(host, 'spec', 'bmc', 'credentialsName') ?? '', namespace },
            },
          },
          { name: 'inspect' },
        );
        return { requeueAfterMs: scaled(ctx.model, d.inspecting) };
      case 'inspecting':
        if (since < scaled(ctx.model, d.inspecting)) return wait(d.inspecting);
        await set(
          'available',
          { hardware: hardware(name, host.metadata.uid ?? ''), hardwareProfile: 'unknown', poweredOn: false },
          { name: 'inspect', end: true },
        );
        return;
      case 'available':
        if (image?.url && consumer?.name) {
          await set('provisioning', {}, { name: 'provision' });
          return { requeueAfterMs: scaled(ctx.model, d.provisioning) };
        }
        return { requeueAfterMs: ctx.model.resyncMs.bmo };
      case 'provisioning':
        if (!image?.url) {
          await set('deprovisioning', {}, { name: 'deprovision' });
          return { requeueAfterMs: scaled(ctx.model, d.deprovisioning) };
        }
        if (since < scaled(ctx.model, d.provisioning)) return wait(d.provisioning);
        await set(
          'provisioned',
          {
            poweredOn: true,
            provisioning: {
              state: 'provisioned',
              ID: host.metadata.uid ?? '',
              image,
              bootMode: 'UEFI',
              rootDeviceHints: { deviceName: '/dev/sda' },
            },
          },
          { name: 'provision', end: true },
        );
        return;
      case 'provisioned':
        if (!image?.url || !consumer?.name) {
          await set('deprovisioning', {}, { name: 'deprovision' });
          return { requeueAfterMs: scaled(ctx.model, d.deprovisioning) };
        }
        return { requeueAfterMs: ctx.model.resyncMs.bmo };
      case 'deprovisioning':
        if (since < scaled(ctx.model, d.deprovisioning)) return wait(d.deprovisioning);
        await set(
          'available',
          { poweredOn: false, provisioning: { state: 'available', ID: host.metadata.uid ?? '', image: null } },
          { name: 'deprovision', end: true },
        );
        return;
      default:
        return;
    }
  },
};
