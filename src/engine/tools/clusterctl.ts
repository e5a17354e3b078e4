// clusterctl adapter: `init` with pinned provider versions, and version probing.
import { runTool, type ToolResult } from './run.js';
import type { KubectlTarget } from './kubectl.js';

export interface ProviderVersions {
  capi: string;
  capm3: string;
  ipam: string;
}

/**
 * Arguments for `clusterctl init`. Every provider is pinned so that a re-run next year
 * installs the same world (the seed's unpinned init drifted to a new contract, §15.26).
 * IPAM is its own provider since CAPM3 v1.5; `--ipam metal3` installs it.
 */
export function clusterctlInitArgs(v: ProviderVersions, target: KubectlTarget = {}): string[] {
  const args = [
    'init',
    `--core=cluster-api:${v.capi}`,
    `--bootstrap=kubeadm:${v.capi}`,
    `--control-plane=kubeadm:${v.capi}`,
    `--infrastructure=metal3:${v.capm3}`,
    `--ipam=metal3:${v.ipam}`,
    '--wait-providers',
    '--wait-provider-timeout=600',
  ];
  if (target.kubeconfig) args.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context) args.push(`--kubeconfig-context=${target.context}`);
  return args;
}

export async function clusterctlInit(
  v: ProviderVersions,
  target: KubectlTarget = {},
  env: Record<string, string> = {},
): Promise<ToolResult> {
  return runTool('clusterctl', clusterctlInitArgs(v, target), { timeoutMs: 900_000, env });
}

/** `clusterctl version -o short` prints e.g. `v1.14.0`. */
export async function clusterctlVersion(): Promise<string> {
  const r = await runTool('clusterctl', ['version', '-o', 'short']);
  return r.stdout.trim();
}
