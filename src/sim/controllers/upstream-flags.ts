// Each emulated controller's own record of the flags its upstream main.go registers, with
// the defaults at the pinned tags, and where its release kustomization installs it. The
// emulators parse their Deployment args against this table only. It is kept apart from the
// engine's tuning table (core/tune/flags.ts) on purpose: if the two were one table, a wrong
// default in it would be "right" for both and no test could notice. A test compares them.
//
// Read from (fs.IntVar / fs.Float32Var / flag.IntVar calls):
//   cluster-api v1.14.0            core/main.go, bootstrap/kubeadm/main.go, controlplane/kubeadm/main.go
//   cluster-api-provider-metal3    v1.13.2 main.go (defaultConcurrency 10, QPS 20, burst 30)
//   ip-address-manager             v1.13.2 main.go
//   baremetal-operator v0.13.2     main.go (controller-concurrency 0 = min(NumCPU, 8), at least 2;
//                                  $BMO_CONCURRENCY wins when > 0)
import type { ControllerId } from '../../core/types.js';

export interface UpstreamBinary {
  /** Where the release manifests put it (namespace + namePrefix + manager Deployment). */
  namespace: string;
  deployment: string;
  container: string;
  /** `--<flag>` (no dashes) -> default, for every concurrency flag main.go registers. */
  concurrency: Record<string, number>;
  qps: number;
  burst: number;
  /** --sync-period default (controller-runtime SyncPeriod), ms. */
  syncPeriodMs: number;
  /** Where the figures were read. */
  source: string;
}

const TEN_MINUTES = 10 * 60_000;

export const UPSTREAM_FLAGS: Record<ControllerId, UpstreamBinary> = {
  capi: {
    namespace: 'capi-system',
    deployment: 'capi-controller-manager',
    container: 'manager',
    concurrency: {
      'clustertopology-concurrency': 50,
      'clusterclass-concurrency': 10,
      'cluster-concurrency': 50,
      'clustercache-concurrency': 100,
      'extensionconfig-concurrency': 10,
      'machine-concurrency': 100,
      'machineset-concurrency': 50,
      'machinedeployment-concurrency': 50,
      'machinepool-concurrency': 50,
      'clusterresourceset-concurrency': 10,
      'machinehealthcheck-concurrency': 50,
    },
    qps: 100,
    burst: 200,
    syncPeriodMs: TEN_MINUTES,
    source: 'cluster-api v1.14.0 core/main.go',
  },
  'kubeadm-bootstrap': {
    namespace: 'capi-kubeadm-bootstrap-system',
    deployment: 'capi-kubeadm-bootstrap-controller-manager',
    container: 'manager',
    concurrency: { 'clustercache-concurrency': 100, 'kubeadmconfig-concurrency': 100 },
    qps: 100,
    burst: 200,
    syncPeriodMs: TEN_MINUTES,
    source: 'cluster-api v1.14.0 bootstrap/kubeadm/main.go',
  },
  kcp: {
    namespace: 'capi-kubeadm-control-plane-system',
    deployment: 'capi-kubeadm-control-plane-controller-manager',
    container: 'manager',
    concurrency: { 'kubeadmcontrolplane-concurrency': 100, 'clustercache-concurrency': 100 },
    qps: 100,
    burst: 200,
    syncPeriodMs: TEN_MINUTES,
    source: 'cluster-api v1.14.0 controlplane/kubeadm/main.go',
  },
  capm3: {
    namespace: 'capm3-system',
    deployment: 'capm3-controller-manager',
    container: 'manager',
    concurrency: {
      'metal3machine-concurrency': 10,
      'metal3cluster-concurrency': 10,
      'metal3datatemplate-concurrency': 10,
      'metal3data-concurrency': 10,
      'metal3labelsync-concurrency': 10,
      'metal3machinetemplate-concurrency': 10,
      'metal3remediation-concurrency': 10,
    },
    qps: 20,
    burst: 30,
    syncPeriodMs: TEN_MINUTES,
    source: 'cluster-api-provider-metal3 v1.13.2 main.go',
  },
  ipam: {
    namespace: 'metal3-ipam-system',
    deployment: 'ipam-controller-manager',
    container: 'manager',
    concurrency: { 'ippool-concurrency': 10 },
    qps: 20,
    burst: 30,
    syncPeriodMs: TEN_MINUTES,
    source: 'ip-address-manager v1.13.2 main.go',
  },
  bmo: {
    namespace: 'baremetal-operator-system',
    deployment: 'baremetal-operator-controller-manager',
    container: 'manager',
    concurrency: { 'controller-concurrency': 0 },
    qps: 20,
    burst: 30,
    syncPeriodMs: TEN_MINUTES,
    source: 'baremetal-operator v0.13.2 main.go',
  },
};

/** BMO's automatic concurrency (its main.go): $BMO_CONCURRENCY when > 0, else min(CPUs, 8), at least 2. */
export function bmoAutoConcurrency(cpuCount: number, env: string | undefined): number {
  const fromEnv = env === undefined ? Number.NaN : Number.parseInt(env, 10);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(2, Math.min(cpuCount, 8));
}

export interface ParsedArgs {
  concurrency: Record<string, number>;
  qps?: number;
  burst?: number;
  /** klog -v / --v, 0 when absent. */
  verbosity: number;
}

/**
 * Reads the flags an emulator honours from its container args, the way Go's flag package
 * does: `--name=value` or `--name value`, one or two dashes; the last one given wins. A
 * value that is not a number makes the real binary exit; the caller decides what to do.
 */
export function parseArgs(binary: UpstreamBinary, args: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/.exec(args[i] ?? '');
    if (!m?.[1]) continue;
    // A boolean flag (--leader-elect) takes no separate value: the next flag is not its value.
    const next = args[i + 1];
    const value = m[2] ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    if (value === undefined) continue;
    if (m[2] === undefined) i++;
    values.set(m[1], value);
  }
  const num = (name: string): number | undefined => {
    const raw = values.get(name);
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new Error(`invalid value "${raw}" for flag -${name}`);
    return v;
  };
  const concurrency: Record<string, number> = {};
  for (const name of Object.keys(binary.concurrency)) {
    const v = num(name);
    if (v !== undefined) concurrency[name] = v;
  }
  return { concurrency, qps: num('kube-api-qps'), burst: num('kube-api-burst'), verbosity: num('v') ?? 0 };
}
