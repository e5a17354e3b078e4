// Where each emulated controller lives and which flags it reads: the engine's flag table
// (src/engine/tune/flags.ts) is the single source of truth, so what `tune` patches is
// exactly what the emulated process honours.
import { cpus } from 'node:os';
import { CONTROLLERS, readFlags } from '../../core/tune/flags.js';
import type { ControllerFlags, ControllerId } from '../../core/types.js';

export interface ControllerIdentity {
  id: ControllerId;
  namespace: string;
  deployment: string;
  container: string;
  /** Concurrency flags (without dashes) and their defaults. */
  concurrencyFlags: Record<string, number>;
  qps: number;
  burst: number;
}

export function identityOf(id: ControllerId): ControllerIdentity {
  const s = CONTROLLERS[id];
  return {
    id,
    namespace: s.namespace,
    deployment: s.deployment,
    container: s.container,
    concurrencyFlags: s.concurrencyFlags,
    qps: s.defaults.qps,
    burst: s.defaults.burst,
  };
}

export const IDENTITIES = Object.fromEntries(
  Object.keys(CONTROLLERS).map((id) => [id, identityOf(id as ControllerId)]),
) as Record<ControllerId, ControllerIdentity>;

export interface EffectiveFlags {
  /** Flags present in the Deployment args. */
  flags: ControllerFlags;
  /** Every concurrency flag with its value in force. */
  concurrency: Record<string, number>;
  qps: number;
  burst: number;
}

/** The values a controller runs with. A malformed flag makes the real binary exit; here it falls back to defaults. */
export function effectiveFlags(identity: ControllerIdentity, args: readonly string[]): EffectiveFlags {
  let present: ControllerFlags;
  try {
    present = readFlags([...args], identity.id);
  } catch {
    present = { concurrency: {} };
  }
  const concurrency: Record<string, number> = {};
  for (const [flag, def] of Object.entries(identity.concurrencyFlags)) {
    let v = present.concurrency[flag] ?? def;
    // BMO: 0 means automatic, min(CPUs, 8) but at least 2 (its main.go).
    if (v <= 0) v = Math.max(2, Math.min(cpus().length, 8));
    concurrency[flag] = Math.floor(v);
  }
  return {
    flags: present,
    concurrency,
    qps: present.qps && present.qps > 0 ? present.qps : identity.qps,
    burst: Math.floor(present.burst && present.burst > 0 ? present.burst : identity.burst),
  };
}
