// Raising a controller's log verbosity for an experiment, so throttling counts from its log
// stop being lower bounds (-v=3 logs every client-side wait over 50 ms).
//   - CAPI's managers (core, CABPK, KCP: all built on CAPI's util/flags) serve
//     PUT /debug/flags/v on their diagnostics endpoint: the level changes live, no restart,
//     no lost caches. An https endpoint (the default, secure) is called with a labelled
//     ServiceAccount's token over a port-forward (kube/metrics-reader.ts, a role that may
//     `put` /debug/flags/v, deleted afterwards); after that, and for plain-HTTP endpoints,
//     it is tried through the API server's pod proxy on each live pod; the
//     level is recorded on the Deployment (annotation "N@pod,…", metadata only, so no
//     rollout) because nothing else remembers it, and it holds only while those pods run.
//   - Everywhere else, or when the PUT is refused (a secure diagnostics endpoint answers 401
//     to a proxied request: the API server does not pass the caller's token on), `--v=N` is
//     patched into the Deployment's container args and the rollout awaited, like `tune`.
// The caller journals the result as a 'verbosity' event: part of the tuning timeline.
import type { KubeClient } from '../../core/kube/client.js';
import { controllerSpec } from '../../core/tune/flags.js';
import type { RolloutOptions } from '../../core/tune/rollout.js';
import type { ControllerId } from '../../core/types.js';
import type { KubeObject } from '../../manifests/types.js';
import { podsOf } from '../../metrics/sources/controller-pods.js';
import { getText, HttpStatusError } from '../../metrics/sources/raw.js';
import { DEFAULT_METRICS_ENDPOINTS, podProxyPath } from '../../metrics/sources/scrape.js';
import { LIVE_VERBOSITY_ANNOTATION, liveVerbosity, verbosityFromArgs } from '../../metrics/throttle/completeness.js';
import { patchManagerArgs, readControllerArgs } from './tune.js';
import { ServiceAccountMetricsReader } from '../kube/metrics-reader.js';

/** Controllers whose binary serves PUT /debug/flags/v (CAPI's util/flags, cluster-api@v1.14.0). */
export const DEBUG_FLAGS_CONTROLLERS: readonly ControllerId[] = ['capi', 'kubeadm-bootstrap', 'kcp'];

export const VERBOSITY_LIMITS = { min: 0, max: 10 } as const;

export interface VerbosityResult {
  controller: ControllerId;
  before: number;
  after: number;
  via: 'debug-flags' | 'deployment';
  /** The pods the live change was made on (debug-flags only). */
  pods?: string[];
  /** Why the live route was not taken, when it was tried. */
  note?: string;
}

/** Container args with every -v/--v replaced by one `--v=N` (appended when absent). */
export function withVerbosity(args: readonly string[], level: number): string[] {
  const out: string[] = [];
  let placed = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--?v(=.*)?$/.exec(a);
    if (!m) {
      out.push(a);
      continue;
    }
    if (m[1] === undefined && /^\d+$/.test(args[i + 1] ?? '')) i++; // "-v 4": the value goes too
    if (!placed) out.push(`--v=${level}`);
    placed = true;
  }
  if (!placed) out.push(`--v=${level}`);
  return out;
}

async function putLive(
  client: KubeClient,
  writer: ServiceAccountMetricsReader,
  namespace: string,
  pod: string,
  level: number,
): Promise<string | undefined> {
  const failures: string[] = [];
  for (const ep of DEFAULT_METRICS_ENDPOINTS) {
    if (ep.scheme === 'https') {
      try {
        await writer.request(namespace, pod, ep.port, 'PUT', '/debug/flags/v', String(level), 5000);
        return undefined;
      } catch (err) {
        const why = err instanceof HttpStatusError ? String(err.status) : (err as Error).message.split('\n')[0];
        failures.push(`${ep.scheme}:${ep.port} with a ServiceAccount token: ${why}`);
      }
    }
    try {
      await getText(client.config, podProxyPath(namespace, pod, ep, 'debug/flags/v'), {
        method: 'PUT',
        body: String(level),
        accept: 'text/plain',
        timeoutMs: 5000,
      });
      return undefined;
    } catch (err) {
      const why = err instanceof HttpStatusError ? String(err.status) : (err as Error).message.split('\n')[0];
      failures.push(`${ep.scheme}:${ep.port}: ${why}`);
    }
  }
  return `PUT /debug/flags/v on ${pod} failed (${failures.join('; ')})`;
}

export async function setVerbosity(
  client: KubeClient,
  id: ControllerId,
  level: number,
  rollout: RolloutOptions = {},
): Promise<VerbosityResult> {
  if (!Number.isInteger(level) || level < VERBOSITY_LIMITS.min || level > VERBOSITY_LIMITS.max)
    throw new Error(`verbosity ${level} is outside ${VERBOSITY_LIMITS.min}..${VERBOSITY_LIMITS.max}`);
  const spec = controllerSpec(id);
  const { deployment, args, containerIndex } = await readControllerArgs(client, id);
  const { pods } = await podsOf(client, {
    id,
    namespace: spec.namespace,
    deployment: spec.deployment,
    container: spec.container,
  });
  const names = pods.map((p) => p.name);
  const annotation = deployment.metadata.annotations?.[LIVE_VERBOSITY_ANNOTATION];
  const before = (names[0] !== undefined ? liveVerbosity(annotation, names[0]) : undefined) ?? verbosityFromArgs(args);
  let note: string | undefined;
  if (DEBUG_FLAGS_CONTROLLERS.includes(id) && names.length > 0) {
    const writer = new ServiceAccountMetricsReader(client.config, 'default', Date.now, 'verbosity');
    const failures = (
      await Promise.all(names.map((p) => putLive(client, writer, spec.namespace, p, level))).finally(() =>
        writer.release().catch(() => undefined),
      )
    ).filter(Boolean);
    if (failures.length === 0) {
      await client.mergePatch({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: spec.deployment,
          namespace: spec.namespace,
          annotations: { [LIVE_VERBOSITY_ANNOTATION]: `${level}@${names.join(',')}` },
        } as KubeObject['metadata'],
      });
      return { controller: id, before, after: level, via: 'debug-flags', pods: names };
    }
    note = `${failures.join('; ')}; patched --v instead`;
  }
  // As tune does (one helper); the stale live-level annotation goes, since new pods read --v.
  await patchManagerArgs(client, id, { deployment, containerIndex }, withVerbosity(args, level), rollout, {
    [LIVE_VERBOSITY_ANNOTATION]: null,
  });
  return { controller: id, before, after: level, via: 'deployment', ...(note ? { note } : {}) };
}
