// The seed's rate-limit-concurrency.patch (SEED-SCRIPTS.md §10) as data: a source patch
// against cluster-api then, flags on the Deployments now (CAPI has had --kube-api-qps/burst
// since v1.5). The demo starts its controllers with these args and `scale-tui tune
// --seed-patch` applies the same requests to a real management cluster, so both read this
// one table. The seed left CAPM3, IPAM and BMO untouched, and so does this.
import type { ControllerId, TuneRequest } from '../../core/types.js';
import { applyTune } from '../../core/tune/flags.js';

const RATE = { qps: 200, burst: 300 } as const;

export const SEED_PATCH: ReadonlyArray<{ controller: ControllerId; request: TuneRequest }> = [
  {
    controller: 'capi',
    request: {
      concurrencyFlags: {
        'cluster-concurrency': 100,
        'machine-concurrency': 100,
        'machineset-concurrency': 100,
        'machinedeployment-concurrency': 100,
      },
      ...RATE,
    },
  },
  { controller: 'kubeadm-bootstrap', request: { concurrencyFlags: { 'kubeadmconfig-concurrency': 100 }, ...RATE } },
  { controller: 'kcp', request: { concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 100 }, ...RATE } },
];

/** The patch as extra container args per controller, for Deployments created with it. */
export function seedPatchArgs(): Partial<Record<ControllerId, string[]>> {
  const out: Partial<Record<ControllerId, string[]>> = {};
  for (const { controller, request } of SEED_PATCH) out[controller] = applyTune([], controller, request);
  return out;
}
