// Where each emulated controller lives (clusterctl / BMO default install locations) and
// which flags it reads. This mirrors the engine's flag table (src/engine/tune/flags.ts);
// the simulator keeps its own copy so it can run against any cluster without the engine.
import type { ControllerFlags, ControllerId } from '../../engine/types.js';

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

const CR_DEFAULT_QPS = 20;
const CR_DEFAULT_BURST = 30;

export const IDENTITIES: Record<ControllerId, ControllerIdentity> = {
  capi: {
    id: 'capi',
    namespace: 'capi-system',
    deployment: 'capi-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'cluster-concurrency': 10, 'machine-concurrency': 10, 'machineset-concurrency': 10, 'machinedeployment-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
  'kubeadm-bootstrap': {
    id: 'kubeadm-bootstrap',
    namespace: 'capi-kubeadm-bootstrap-system',
    deployment: 'capi-kubeadm-bootstrap-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'kubeadmconfig-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
  kcp: {
    id: 'kcp',
    namespace: 'capi-kubeadm-control-plane-system',
    deployment: 'capi-kubeadm-control-plane-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'kubeadmcontrolplane-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
  capm3: {
    id: 'capm3',
    namespace: 'capm3-system',
    deployment: 'capm3-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'metal3machine-concurrency': 10, 'metal3cluster-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
  ipam: {
    id: 'ipam',
    namespace: 'capm3-system',
    deployment: 'ipam-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'ippool-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
  bmo: {
    id: 'bmo',
    namespace: 'baremetal-operator-system',
    deployment: 'baremetal-operator-controller-manager',
    container: 'manager',
    concurrencyFlags: { 'controller-concurrency': 10 },
    qps: CR_DEFAULT_QPS,
    burst: CR_DEFAULT_BURST,
  },
};

/** Reads `--flag=value` / `--flag value` pairs; later occurrences win, as in Go's flag package. */
export function parseArgs(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('-')) continue;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) out.set(body.slice(0, eq), body.slice(eq + 1));
    else if (i + 1 < args.length && !(args[i + 1] ?? '').startsWith('-')) out.set(body, args[++i] ?? '');
    else out.set(body, 'true');
  }
  return out;
}

export interface EffectiveFlags {
  flags: ControllerFlags;
  concurrency: Record<string, number>;
  qps: number;
  burst: number;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The values a controller runs with: flags present in args, defaults otherwise. */
export function effectiveFlags(identity: ControllerIdentity, args: readonly string[]): EffectiveFlags {
  const parsed = parseArgs(args);
  const concurrency: Record<string, number> = {};
  const present: Record<string, number> = {};
  for (const [flag, def] of Object.entries(identity.concurrencyFlags)) {
    const v = num(parsed.get(flag));
    if (v !== undefined) present[flag] = Math.floor(v);
    concurrency[flag] = v !== undefined ? Math.floor(v) : def;
  }
  const qps = num(parsed.get('kube-api-qps'));
  const burst = num(parsed.get('kube-api-burst'));
  return {
    flags: { concurrency: present, qps, burst },
    concurrency,
    qps: qps ?? identity.qps,
    burst: Math.floor(burst ?? identity.burst),
  };
}
