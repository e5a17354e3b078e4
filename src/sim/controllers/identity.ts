// Where each emulated controller lives and which flags it reads. The figures come from the
// emulators' own record of each upstream main.go (upstream-flags.ts), not from the engine's
// tuning table: a test compares the two, so a mistake in either shows up.
import { cpus } from 'node:os';
import type { ControllerFlags, ControllerId } from '../../core/types.js';
import { bmoAutoConcurrency, parseArgs, UPSTREAM_FLAGS, type ParsedArgs } from './upstream-flags.js';

export interface ControllerIdentity {
  id: ControllerId;
  namespace: string;
  deployment: string;
  container: string;
  /** Concurrency flags (without dashes) and their defaults. */
  concurrencyFlags: Record<string, number>;
  qps: number;
  burst: number;
  syncPeriodMs: number;
}

export function identityOf(id: ControllerId): ControllerIdentity {
  const s = UPSTREAM_FLAGS[id];
  return {
    id,
    namespace: s.namespace,
    deployment: s.deployment,
    container: s.container,
    concurrencyFlags: s.concurrency,
    qps: s.qps,
    burst: s.burst,
    syncPeriodMs: s.syncPeriodMs,
  };
}

export const IDENTITIES = Object.fromEntries(
  Object.keys(UPSTREAM_FLAGS).map((id) => [id, identityOf(id as ControllerId)]),
) as Record<ControllerId, ControllerIdentity>;

export interface EffectiveFlags {
  /** Flags present in the Deployment args. */
  flags: ControllerFlags;
  /** Every concurrency flag with its value in force. */
  concurrency: Record<string, number>;
  qps: number;
  burst: number;
  /** klog verbosity (-v); decides which throttling lines client-go writes. */
  verbosity: number;
}

/** The values a controller runs with. A malformed flag makes the real binary exit; here it falls back to defaults. */
export function effectiveFlags(identity: ControllerIdentity, args: readonly string[]): EffectiveFlags {
  let present: ParsedArgs;
  try {
    present = parseArgs(UPSTREAM_FLAGS[identity.id], args);
  } catch {
    present = { concurrency: {}, verbosity: 0 };
  }
  const concurrency: Record<string, number> = {};
  for (const [flag, def] of Object.entries(identity.concurrencyFlags)) {
    let v = present.concurrency[flag] ?? def;
    if (v <= 0) v = bmoAutoConcurrency(cpus().length, process.env.BMO_CONCURRENCY);
    concurrency[flag] = Math.floor(v);
  }
  const flags: ControllerFlags = { concurrency: present.concurrency };
  if (present.qps !== undefined) flags.qps = present.qps;
  if (present.burst !== undefined) flags.burst = present.burst;
  return {
    flags,
    concurrency,
    qps: present.qps && present.qps > 0 ? present.qps : identity.qps,
    burst: Math.floor(present.burst && present.burst > 0 ? present.burst : identity.burst),
    verbosity: present.verbosity,
  };
}
