// The static part of a controller's row in the store (ControllerStatus), derived from the
// flag table and the Deployment's current args, so the engine and the TUI agree on what
// each controller supports.
import type { ControllerStatus } from './store.js';
import type { ControllerId } from '../core/types.js';
import { CONTROLLERS, readFlags } from '../core/tune/flags.js';

export type ControllerStatusBase = Pick<
  ControllerStatus,
  'id' | 'namespace' | 'deployment' | 'flags' | 'supportedConcurrencyFlags' | 'supportsRateFlags'
>;

export function controllerStatusBase(id: ControllerId, args: string[]): ControllerStatusBase {
  const c = CONTROLLERS[id];
  return {
    id,
    namespace: c.namespace,
    deployment: c.deployment,
    flags: readFlags(args, id),
    supportedConcurrencyFlags: Object.keys(c.concurrencyFlags),
    supportsRateFlags: c.rateFlags !== null,
  };
}
