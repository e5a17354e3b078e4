// clusterctl adapter: `init` with pinned provider versions, cert-manager included.
// clusterctl takes the cert-manager version only from its configuration file (the key
// `cert-manager.version`; there is no flag), so init writes a temporary config: the user's
// own clusterctl.yaml, if there is one, with that key set, passed with --config.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writePrivateFile } from '../../core/pki/files.js';
import { runTool, type ToolResult } from './run.js';
import type { KubectlTarget } from './kubectl.js';

export interface ProviderVersions {
  capi: string;
  capm3: string;
  ipam: string;
  /** cert-manager, which clusterctl installs before the providers. */
  certManager?: string;
}

/**
 * Arguments for `clusterctl init`. Every provider is pinned so that a re-run next year
 * installs the same world (the seed's unpinned init drifted to a new contract, §15.26).
 */
export function clusterctlInitArgs(v: ProviderVersions, target: KubectlTarget = {}, configPath?: string): string[] {
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
  if (configPath) args.push(`--config=${configPath}`);
  if (target.kubeconfig) args.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context) args.push(`--kubeconfig-context=${target.context}`);
  return args;
}

/** Where clusterctl looks for its config when --config is not given (newest first). */
export function defaultClusterctlConfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return [join(xdg, 'cluster-api', 'clusterctl.yaml'), join(homedir(), '.cluster-api', 'clusterctl.yaml')];
}

/** The user's clusterctl config (YAML text, or '') with cert-manager pinned to `version`. */
export function clusterctlConfigWithCertManager(userConfig: string, version: string): string {
  const doc = (userConfig.trim() ? parse(userConfig) : {}) as Record<string, unknown> | null;
  const base = doc && typeof doc === 'object' ? doc : {};
  const cm = base['cert-manager'];
  const certManager = cm && typeof cm === 'object' ? (cm as Record<string, unknown>) : {};
  return stringify({ ...base, 'cert-manager': { ...certManager, version } });
}

export async function clusterctlInit(
  v: ProviderVersions,
  target: KubectlTarget = {},
  env: Record<string, string> = {},
): Promise<ToolResult> {
  if (!v.certManager) return runTool('clusterctl', clusterctlInitArgs(v, target), { timeoutMs: 900_000, env });
  const user = defaultClusterctlConfigPaths().find((p) => existsSync(p));
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-clusterctl-'));
  const configPath = join(dir, 'clusterctl.yaml');
  try {
    // Private: a user's clusterctl.yaml may carry credentials for variable substitution.
    writePrivateFile(
      configPath,
      clusterctlConfigWithCertManager(user ? readFileSync(user, 'utf8') : '', v.certManager),
    );
    return await runTool('clusterctl', clusterctlInitArgs(v, target, configPath), { timeoutMs: 900_000, env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
