// What each tunable controller's pinned version really accepts. Read from the providers'
// main.go at the tags in ../shared/crds/VERSIONS.md:
//   cluster-api v1.14.0: core/main.go, bootstrap/kubeadm/main.go, controlplane/kubeadm/main.go
//   cluster-api-provider-metal3 v1.13.2: main.go; ip-address-manager v1.13.2: main.go
//   baremetal-operator v0.13.2: main.go
// Namespaces/Deployments are the ones the release kustomizations (namePrefix + namespace)
// produce when clusterctl installs them. The emulated controllers and the TUI read this
// same table, so it is the single source of truth for flag names and defaults.
import { UserError } from '../errors.js';
import type { ControllerFlags, ControllerId, TuneRequest } from '../types.js';

export interface ControllerSpec {
  /** Human name for messages and the TUI. */
  title: string;
  namespace: string;
  deployment: string;
  container: string;
  /** `--<name>` (without dashes) -> the binary's default. */
  concurrencyFlags: Record<string, number>;
  /**
   * The flag of the controller's own reconciler, the one `tune --concurrency N` sets. The
   * others (e.g. --clustercache-concurrency, a cache shared by every reconciler) change only
   * when named: one number for all of them would cut 100s to 10 without a word.
   */
  mainConcurrencyFlag: string;
  /** The `providers` entry of the config whose version this binary is. */
  provider: 'capi' | 'capm3' | 'ipam' | 'bmo';
  /** Client-side rate-limit flags; null when the binary has none. */
  rateFlags: { qps: string; burst: string } | null;
  /** The REST client QPS/burst the binary uses when the flags are absent. */
  defaults: { qps: number; burst: number };
  /** Notes shown with --show, e.g. what a default of 0 means. */
  note?: string;
}

const RATE = { qps: 'kube-api-qps', burst: 'kube-api-burst' } as const;

export const CONTROLLERS: Record<ControllerId, ControllerSpec> = {
  capi: {
    title: 'CAPI core',
    namespace: 'capi-system',
    deployment: 'capi-controller-manager',
    container: 'manager',
    concurrencyFlags: {
      'cluster-concurrency': 50,
      'machine-concurrency': 100,
      'machineset-concurrency': 50,
      'machinedeployment-concurrency': 50,
      'machinepool-concurrency': 50,
      'machinehealthcheck-concurrency': 50,
      'clusterresourceset-concurrency': 10,
      'clustertopology-concurrency': 50,
      'clusterclass-concurrency': 10,
      'extensionconfig-concurrency': 10,
      'clustercache-concurrency': 100,
    },
    // The core's own Cluster reconciler (core/main.go setupReconcilers: cluster.Reconciler);
    // Machine, MachineSet, MachineDeployment etc. are reconcilers of their own kinds.
    mainConcurrencyFlag: 'cluster-concurrency',
    provider: 'capi',
    rateFlags: RATE,
    defaults: { qps: 100, burst: 200 },
  },
  'kubeadm-bootstrap': {
    title: 'CAPI kubeadm bootstrap (CABPK)',
    namespace: 'capi-kubeadm-bootstrap-system',
    deployment: 'capi-kubeadm-bootstrap-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'kubeadmconfig-concurrency': 100, 'clustercache-concurrency': 100 },
    mainConcurrencyFlag: 'kubeadmconfig-concurrency',
    provider: 'capi',
    rateFlags: RATE,
    defaults: { qps: 100, burst: 200 },
  },
  kcp: {
    title: 'CAPI kubeadm control plane (KCP)',
    namespace: 'capi-kubeadm-control-plane-system',
    deployment: 'capi-kubeadm-control-plane-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 100, 'clustercache-concurrency': 100 },
    mainConcurrencyFlag: 'kubeadmcontrolplane-concurrency',
    provider: 'capi',
    rateFlags: RATE,
    defaults: { qps: 100, burst: 200 },
  },
  capm3: {
    title: 'CAPM3',
    namespace: 'capm3-system',
    deployment: 'capm3-controller-manager',
    container: 'manager',
    concurrencyFlags: {
      'metal3machine-concurrency': 10,
      'metal3cluster-concurrency': 10,
      'metal3data-concurrency': 10,
      'metal3datatemplate-concurrency': 10,
      'metal3labelsync-concurrency': 10,
      'metal3machinetemplate-concurrency': 10,
      'metal3remediation-concurrency': 10,
    },
    mainConcurrencyFlag: 'metal3machine-concurrency',
    provider: 'capm3',
    rateFlags: RATE,
    defaults: { qps: 20, burst: 30 },
  },
  ipam: {
    title: 'Metal3 IPAM',
    // IPAM is its own clusterctl provider since CAPM3 v1.5 (`--ipam=metal3`); its release
    // kustomization uses namespace metal3-ipam-system and namePrefix ipam-.
    namespace: 'metal3-ipam-system',
    deployment: 'ipam-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'ippool-concurrency': 10 },
    mainConcurrencyFlag: 'ippool-concurrency',
    provider: 'ipam',
    rateFlags: RATE,
    defaults: { qps: 20, burst: 30 },
  },
  bmo: {
    title: 'Bare Metal Operator',
    namespace: 'baremetal-operator-system',
    deployment: 'baremetal-operator-controller-manager',
    container: 'manager',
    // 0 = not set: BMO then uses $BMO_CONCURRENCY, else min(CPUs, 8) but at least 2.
    concurrencyFlags: { 'controller-concurrency': 0 },
    // BMO has one flag for all of its reconcilers (BareMetalHost, HostFirmwareSettings, ...).
    mainConcurrencyFlag: 'controller-concurrency',
    provider: 'bmo',
    rateFlags: RATE,
    defaults: { qps: 20, burst: 30 },
    note: 'controller-concurrency 0 means automatic: $BMO_CONCURRENCY, else min(CPUs, 8), at least 2',
  },
};

export function controllerSpec(id: string): ControllerSpec {
  const spec = (CONTROLLERS as Record<string, ControllerSpec | undefined>)[id];
  if (!spec) {
    throw new UserError(`unknown controller "${id}"`, `Use one of: ${Object.keys(CONTROLLERS).join(', ')}.`);
  }
  return spec;
}

interface ParsedArg {
  index: number;
  /** Index of a separate value argument (`--flag value` form), if any. */
  valueIndex?: number;
  value: string;
}

/**
 * Finds `--name=value`, `-name=value` or `--name value` in an args list (Go's pflag/flag
 * accept all). A flag given twice takes its last value, as in Go, so that is the one found.
 */
function findFlag(args: string[], name: string): ParsedArg | undefined {
  let found: ParsedArg | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (!m || m[1] !== name) continue;
    const next = args[i + 1];
    if (m[2] !== undefined) found = { index: i, value: m[2] };
    else if (next !== undefined && !next.startsWith('-')) found = { index: i, valueIndex: i + 1, value: next };
    else found = { index: i, value: '' };
  }
  return found;
}

function numeric(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UserError(
      `the Deployment sets --${name}=${JSON.stringify(value)}, which is not a number`,
      `Fix or remove --${name} in the Deployment args, then tune again.`,
    );
  }
  return n;
}

/** The tuning flags present in `args`; absent flags are left out (the binary's default applies). */
export function readFlags(args: string[], id: ControllerId): ControllerFlags {
  const spec = controllerSpec(id);
  const flags: ControllerFlags = { concurrency: {} };
  for (const name of Object.keys(spec.concurrencyFlags)) {
    const f = findFlag(args, name);
    if (f) flags.concurrency[name] = numeric(name, f.value);
  }
  if (spec.rateFlags) {
    const q = findFlag(args, spec.rateFlags.qps);
    const b = findFlag(args, spec.rateFlags.burst);
    if (q) flags.qps = numeric(spec.rateFlags.qps, q.value);
    if (b) flags.burst = numeric(spec.rateFlags.burst, b.value);
  }
  return flags;
}

/** Flags with defaults filled in: what the controller actually runs with. */
export function effectiveFlags(args: string[], id: ControllerId): Required<ControllerFlags> {
  const spec = controllerSpec(id);
  const set = readFlags(args, id);
  return {
    concurrency: { ...spec.concurrencyFlags, ...set.concurrency },
    qps: set.qps ?? spec.defaults.qps,
    burst: set.burst ?? spec.defaults.burst,
  };
}

function checkValue(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UserError(
      `--${name} must be a whole number from ${min} to ${max}, got ${v}`,
      `Pick a value in range for --${name}.`,
    );
  }
}

/**
 * The flags a request changes, validated: `concurrency` sets the main reconciler's flag only,
 * `concurrencyFlags` names any others. Throws a UserError on an unknown flag, a value out of
 * range, or a flag given two different values.
 */
export function requestedChanges(id: ControllerId, request: TuneRequest): Map<string, number> {
  const spec = controllerSpec(id);
  const changes = new Map<string, number>();
  if (request.concurrency !== undefined) changes.set(spec.mainConcurrencyFlag, request.concurrency);
  for (const [name, v] of Object.entries(request.concurrencyFlags ?? {})) {
    const bare = name.replace(/^--?/, '');
    if (!(bare in spec.concurrencyFlags)) {
      throw new UserError(
        `${spec.title} (${id}) has no --${bare} flag`,
        `Its concurrency flags are: ${Object.keys(spec.concurrencyFlags)
          .map((f) => `--${f}`)
          .join(', ')}.`,
      );
    }
    const earlier = changes.get(bare);
    if (earlier !== undefined && earlier !== v) {
      // --concurrency means this very flag; two values for it leave no right answer.
      throw new UserError(
        `--${bare} is given twice, as ${earlier} (--concurrency) and ${v}`,
        `--concurrency sets --${bare} for ${id}; pass only one value.`,
      );
    }
    changes.set(bare, v);
  }
  for (const [name, v] of changes) checkValue(name, v, 1, 10_000);
  if (request.qps !== undefined || request.burst !== undefined) {
    if (!spec.rateFlags) {
      throw new UserError(
        `${spec.title} (${id}) has no client QPS/burst flags in its pinned version`,
        'Tune only its concurrency.',
      );
    }
    if (request.qps !== undefined) {
      checkValue(spec.rateFlags.qps, request.qps, 1, 100_000);
      changes.set(spec.rateFlags.qps, request.qps);
    }
    if (request.burst !== undefined) {
      checkValue(spec.rateFlags.burst, request.burst, 1, 100_000);
      changes.set(spec.rateFlags.burst, request.burst);
    }
  }
  if (changes.size === 0) {
    throw new UserError(`nothing to change for ${id}`, 'Pass --concurrency, --flag NAME=N, --qps and/or --burst.');
  }
  return changes;
}

/**
 * Returns `args` with only the requested flags changed (in place, keeping their form)
 * or appended; every other argument is kept as it was. Pure.
 */
export function applyTune(args: string[], id: ControllerId, request: TuneRequest): string[] {
  const changes = requestedChanges(id, request);
  const out = args.slice();
  const appended: string[] = [];
  for (const [name, v] of changes) {
    const f = findFlag(out, name);
    if (!f) appended.push(`--${name}=${v}`);
    else if (f.valueIndex !== undefined) out[f.valueIndex] = String(v);
    else out[f.index] = `${out[f.index]!.startsWith('--') ? '--' : '-'}${name}=${v}`;
  }
  return out.concat(appended);
}
