// What a tune request means for the configured provider versions, said before it is applied.
// Facts read from the upstream sources:
//   cluster-api v1.12.0 main.go, controlplane/kubeadm/main.go, bootstrap/kubeadm/main.go:
//     concurrency 10 (clustercache 100), --kube-api-qps 20, --kube-api-burst 30.
//   cluster-api v1.13.0 and v1.14.0: concurrency 50-100, QPS/burst 100/200 (the table in
//     flags.ts). So at v1.13+ the seed-era habit of "set 10/20/30" lowers what CAPI runs with.
//   cluster-api-provider-metal3 main.go (v1.13.2 and the default branch): the help text of
//     --metal3machine-concurrency flags values above 1 as not safe (commit f7413ecb, 2023).
import type { ControllerId, TuneRequest } from '../../core/types.js';
import { CONTROLLERS } from '../../core/tune/flags.js';

/** `providers` of the config (or the run's recorded versions); a missing entry means the pinned one. */
export type ProviderVersions = Readonly<Record<string, string | undefined>>;

function minorOf(version: string | undefined): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** True for a CAPI release before v1.13, which still had the controller-runtime-era defaults. */
function capiBeforeV113(version: string | undefined): boolean {
  const v = minorOf(version);
  return v !== undefined && v.major === 1 && v.minor < 13;
}

export interface BinaryDefaults {
  concurrency: Record<string, number>;
  qps: number;
  burst: number;
}

/** The binary's defaults at the configured version (the flag table holds the pinned ones). */
export function versionDefaults(id: ControllerId, versions: ProviderVersions = {}): BinaryDefaults {
  const spec = CONTROLLERS[id];
  if (spec.provider === 'capi' && capiBeforeV113(versions.capi)) {
    const concurrency: Record<string, number> = {};
    for (const name of Object.keys(spec.concurrencyFlags)) {
      concurrency[name] = name === 'clustercache-concurrency' ? 100 : 10;
    }
    return { concurrency, qps: 20, burst: 30 };
  }
  return { concurrency: { ...spec.concurrencyFlags }, qps: spec.defaults.qps, burst: spec.defaults.burst };
}

/**
 * Warnings for a request, one line each, without the "warning:" prefix. Never throws: a bad
 * request is refused by applyTune with its own message, and the TUI calls this before that.
 */
export function tuneWarnings(id: ControllerId, request: TuneRequest, versions: ProviderVersions = {}): string[] {
  const spec = CONTROLLERS[id];
  if (!spec) return [];
  const version = versions[spec.provider];
  const defaults = versionDefaults(id, versions);
  const values = new Map<string, number>();
  if (request.concurrency !== undefined) values.set(spec.mainConcurrencyFlag, request.concurrency);
  for (const [name, v] of Object.entries(request.concurrencyFlags ?? {})) values.set(name.replace(/^--?/, ''), v);
  const out: string[] = [];
  const lowered: string[] = [];
  // Only CAPI's defaults moved under people's feet (v1.13); CAPM3, IPAM and BMO still default
  // to 10 and 20/30, and going below those (e.g. CAPM3 towards 1) is a deliberate choice.
  const capi = spec.provider === 'capi';
  for (const [name, v] of capi ? values : []) {
    const def = defaults.concurrency[name];
    if (def !== undefined && v < def) lowered.push(`--${name}=${v} (default ${def})`);
  }
  if (capi && spec.rateFlags && request.qps !== undefined && request.qps < defaults.qps) {
    lowered.push(`--${spec.rateFlags.qps}=${request.qps} (default ${defaults.qps})`);
  }
  if (capi && spec.rateFlags && request.burst !== undefined && request.burst < defaults.burst) {
    lowered.push(`--${spec.rateFlags.burst}=${request.burst} (default ${defaults.burst})`);
  }
  if (lowered.length) {
    const at = version ? ` ${version}` : '';
    const why = capiBeforeV113(version)
      ? ''
      : "; CAPI v1.13+ defaults to concurrency 50-100 and QPS/burst 100/200, so older runs' 10 and 20/30 slow it";
    out.push(`this LOWERS ${spec.title}${at} below its defaults: ${lowered.join(', ')}${why}`);
  }
  const m3m = values.get('metal3machine-concurrency');
  if (id === 'capm3' && m3m !== undefined && m3m > 1) {
    out.push(
      `--metal3machine-concurrency=${m3m}: CAPM3's own help calls values above 1 unsafe: parallel Metal3Machine ` +
        'reconciles choose BareMetalHosts from a cached list, so two machines can claim the same host',
    );
  }
  return out;
}
